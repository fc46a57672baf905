/// The kernels of the photometric transforms on a float image in [0, 1], for given factors, as
/// torchvision's tensor kernels compute them in Float32 (`adjust_brightness`, `adjust_contrast`,
/// `adjust_saturation`, `erase`).
public enum ImageColour {
    /// `image * factor`, clamped to [0, 1].
    public static func brightness(_ image: UnsafeMutablePointer<Float>, count: Int, factor: Double) {
        let f = Float(factor)
        for i in 0..<count { image[i] = min(max(image[i] * f, 0), 1) }
    }

    /// A blend with the mean of the image's grey (`rgb_to_grayscale` for colour): `image * factor
    /// + mean * (1 - factor)`, clamped. The mean is summed in Double (torch sums pairwise; both
    /// are within a rounding of the exact mean).
    public static func contrast(_ image: UnsafeMutablePointer<Float>, channels: Int, plane: Int, factor: Double) {
        var sum = 0.0
        if channels == 3 {
            for i in 0..<plane { sum += Double(grey(image, i, plane: plane)) }
        } else {
            for i in 0..<plane { sum += Double(image[i]) }
        }
        let mean = Float(sum / Double(plane))
        blend(image, count: channels * plane, factor: factor) { _ in mean }
    }

    /// A blend of each pixel with its own grey: `image * factor + grey * (1 - factor)`, clamped;
    /// a grey image is left as it is, as torchvision (and PIL) leave it.
    public static func saturation(_ image: UnsafeMutablePointer<Float>, channels: Int, plane: Int, factor: Double) {
        guard channels == 3 else { return }
        let greys = (0..<plane).map { grey(image, $0, plane: plane) }
        blend(image, count: 3 * plane, factor: factor) { i in greys[i % plane] }
    }

    /// Sets the rectangle to `value` (one per channel, or one for all).
    public static func erase(_ image: UnsafeMutablePointer<Float>, channels: Int, height: Int, width: Int,
                             top: Int, left: Int, h: Int, w: Int, value: [Float]) {
        for c in 0..<channels {
            let v = value.count == 1 ? value[0] : value[c]
            for y in top..<(top + h) { (image + c * height * width + y * width + left).update(repeating: v, count: w) }
        }
    }

    /// `r * 0.2989 + g * 0.587 + b * 0.114`, in torchvision's order of operations.
    @inline(__always)
    private static func grey(_ image: UnsafeMutablePointer<Float>, _ i: Int, plane: Int) -> Float {
        let r = image[i], g = image[plane + i], b = image[2 * plane + i]
        return (r * 0.2989 + g * 0.587) + b * 0.114
    }

    /// torchvision's `_blend`: `image1.mul(ratio).add_(image2, alpha=1 - ratio).clamp_(0, 1)`.
    @inline(__always)
    private static func blend(_ image: UnsafeMutablePointer<Float>, count: Int, factor: Double, _ other: (Int) -> Float) {
        let ratio = Float(factor), alpha = Float(1 - factor)
        for i in 0..<count { image[i] = min(max(image[i] * ratio + alpha * other(i), 0), 1) }
    }
}
