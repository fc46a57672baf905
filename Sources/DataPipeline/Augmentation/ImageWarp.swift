/// The kernels of the geometric transforms, each for given parameters and on one image of
/// `channels` planes of `height x width` Float32s, written to match torchvision's tensor kernels:
/// `pad` + crop, `hflip`/`vflip`, and `affine`/`rotate` through `grid_sample`.
public enum ImageWarp {
    /// The window `(top, left)` of the image padded by `crop.padding` (left, top, right, bottom),
    /// the image's own size: `F.crop(F.pad(image, padding, fill, padding_mode), top, left, h, w)`.
    public static func crop(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, channels: Int, height: Int, width: Int,
                            top: Int, left: Int, _ crop: RandomCrop) {
        // Source row and column of each output row and column, or -1 for the constant fill.
        let rows = (0..<height).map { source(top + $0 - crop.padding[1], size: height, crop.mode) }
        let columns = (0..<width).map { source(left + $0 - crop.padding[0], size: width, crop.mode) }
        let plane = height * width
        for c in 0..<channels {
            let fill = crop.fill.count == 1 ? crop.fill[0] : crop.fill[c]
            let inPlane = input + c * plane, outPlane = output + c * plane
            for y in 0..<height {
                let out = outPlane + y * width
                guard rows[y] >= 0 else {
                    out.update(repeating: fill, count: width)
                    continue
                }
                let row = inPlane + rows[y] * width
                for x in 0..<width { out[x] = columns[x] >= 0 ? row[columns[x]] : fill }
            }
        }
    }

    /// Where padded position `i` reads from in `0..<size`, or -1 (constant padding).
    private static func source(_ i: Int, size: Int, _ mode: RandomCrop.PaddingMode) -> Int {
        if i >= 0 && i < size { return i }
        switch mode {
        case .constant: return -1
        case .edge: return min(max(i, 0), size - 1)
        case .reflect: return i < 0 ? min(-i, size - 1) : max(2 * (size - 1) - i, 0)   // d c b | a b c d | c b a
        case .symmetric: return i < 0 ? min(-i - 1, size - 1) : max(2 * size - 1 - i, 0)  // c b a | a b c d | d c b
        }
    }

    /// Mirrors each row (`horizontal`) or the order of the rows, in place.
    public static func flip(_ image: UnsafeMutablePointer<Float>, channels: Int, height: Int, width: Int, horizontal: Bool) {
        for c in 0..<channels {
            let plane = image + c * height * width
            if horizontal {
                for y in 0..<height {
                    let row = plane + y * width
                    var (a, b) = (0, width - 1)
                    while a < b { swap(&row[a], &row[b]); a += 1; b -= 1 }
                }
            } else {
                var (a, b) = (0, height - 1)
                while a < b {
                    for x in 0..<width { swap(&plane[a * width + x], &plane[b * width + x]) }
                    a += 1; b -= 1
                }
            }
        }
    }

    /// torchvision's `_get_inverse_affine_matrix` about the centre: the 2x3 matrix that maps an
    /// output position (relative to the centre) to the input position it samples. `angle` as
    /// `F.affine` takes it (`F.rotate(angle)` is `F.affine(-angle)`), computed in Double as Python does.
    public static func inverseMatrix(_ p: AffineParameters) -> [Double] {
        let degree = Double.pi / 180  // math.radians multiplies by this constant
        let rot = p.angle * degree, sx = p.shear.x * degree, sy = p.shear.y * degree
        let (tx, ty) = p.translate
        let cosSy = _cos(sy), tanSx = _tan(sx), rotMinusSy = rot - sy
        let a = _cos(rotMinusSy) / cosSy
        let b = -(a * tanSx + _sin(rot))
        let c = _sin(rotMinusSy) / cosSy
        let d = _cos(rot) - c * tanSx
        var m = [d / p.scale, -b / p.scale, 0, -c / p.scale, a / p.scale, 0]
        m[2] += 0 - m[0] * tx - m[1] * ty
        m[5] += 0 - m[3] * tx - m[4] * ty
        return m
    }

    /// Resamples the image through the inverse affine `matrix`, as torchvision's
    /// `_apply_grid_transform` does for a float image: the grid of `_affine_grid` (matrix rounded
    /// to Float32, divided by half the size), `grid_sample(align_corners=False,
    /// padding_mode="zeros")`, and `fill` blended in through a sampled mask of ones (nearest: the
    /// fill wherever the mask is below 0.5; bilinear: `mask * (x - fill) + fill`).
    public static func affine(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, channels: Int, height: Int, width: Int,
                              matrix: [Double], interpolation: Interpolation, fill: [Float]) {
        let halfW = Float(0.5 * Double(width)), halfH = Float(0.5 * Double(height))
        let theta = matrix.map(Float.init)
        let rx = (theta[0] / halfW, theta[1] / halfW, theta[2] / halfW)
        let ry = (theta[3] / halfH, theta[4] / halfH, theta[5] / halfH)
        let scaleX = Float(width) / 2, scaleY = Float(height) / 2
        let plane = height * width
        for y in 0..<height {
            let by = Float(y) + (1 - Float(height)) * 0.5
            for x in 0..<width {
                let bx = Float(x) + (1 - Float(width)) * 0.5
                let gx = bx * rx.0 + by * rx.1 + rx.2, gy = bx * ry.0 + by * ry.1 + ry.2
                let ix = (gx + 1) * scaleX - 0.5, iy = (gy + 1) * scaleY - 0.5
                let o = y * width + x
                switch interpolation {
                case .nearest:
                    let nx = Int(ix.rounded(.toNearestOrEven)), ny = Int(iy.rounded(.toNearestOrEven))
                    let inside = nx >= 0 && nx < width && ny >= 0 && ny < height
                    for c in 0..<channels {
                        output[c * plane + o] = inside ? input[c * plane + ny * width + nx] : (fill.count == 1 ? fill[0] : fill[c])
                    }
                case .bilinear:
                    let x0 = ix.rounded(.down), y0 = iy.rounded(.down)
                    let w = ix - x0, e = (x0 + 1) - ix, n = iy - y0, s = (y0 + 1) - iy
                    let weights = (s * e, s * w, n * e, n * w)   // nw, ne, sw, se
                    let (xw, yn) = (Int(x0), Int(y0))
                    let inX = (xw >= 0 && xw < width, xw + 1 >= 0 && xw + 1 < width)
                    let inY = (yn >= 0 && yn < height, yn + 1 >= 0 && yn + 1 < height)
                    let taps = (inX.0 && inY.0, inX.1 && inY.0, inX.0 && inY.1, inX.1 && inY.1)
                    let mask = (taps.0 ? weights.0 : 0) + (taps.1 ? weights.1 : 0) + (taps.2 ? weights.2 : 0) + (taps.3 ? weights.3 : 0)
                    for c in 0..<channels {
                        let p = input + c * plane
                        let nw = taps.0 ? p[yn * width + xw] : 0, ne = taps.1 ? p[yn * width + xw + 1] : 0
                        let sw = taps.2 ? p[(yn + 1) * width + xw] : 0, se = taps.3 ? p[(yn + 1) * width + xw + 1] : 0
                        let value = nw * weights.0 + ne * weights.1 + sw * weights.2 + se * weights.3
                        let f = fill.count == 1 ? fill[0] : fill[c]
                        output[c * plane + o] = (value - f) * mask + f
                    }
                }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) private func _cos(_ x: Double) -> Double { Glibc.cos(x) }
@inline(__always) private func _sin(_ x: Double) -> Double { Glibc.sin(x) }
@inline(__always) private func _tan(_ x: Double) -> Double { Glibc.tan(x) }
#else
import Darwin
@inline(__always) private func _cos(_ x: Double) -> Double { Darwin.cos(x) }
@inline(__always) private func _sin(_ x: Double) -> Double { Darwin.sin(x) }
@inline(__always) private func _tan(_ x: Double) -> Double { Darwin.tan(x) }
#endif
