import Kernels

/// A random transform of a training image, as the `torchvision.transforms.v2` class of the same
/// name: the same arguments and defaults, its random parameters drawn from the same
/// distributions, and, for given parameters, the same output on a Float32 image (channels,
/// height, width) in [0, 1]. Every transform keeps the image's size.
public enum ImageTransform: Sendable, Equatable {
    /// `RandomCrop(size=<the image's size>, padding, fill, padding_mode)`.
    case randomCrop(RandomCrop)
    /// `RandomHorizontalFlip(p)`.
    case horizontalFlip(p: Double)
    /// `RandomVerticalFlip(p)`.
    case verticalFlip(p: Double)
    /// `RandomRotation(degrees, interpolation, fill)`, about the centre, without `expand`.
    case randomRotation(RandomAffine)
    /// `RandomAffine(degrees, translate, scale, shear, interpolation, fill)`, about the centre.
    case randomAffine(RandomAffine)
    /// `ColorJitter(brightness, contrast, saturation)`.
    case colorJitter(ColorJitter)
    /// `RandomErasing(p, scale, ratio, value)`.
    case randomErasing(RandomErasing)
}

/// Pad, then crop back to the image's size at a position drawn uniformly.
public struct RandomCrop: Sendable, Equatable {
    /// torchvision's `padding_mode`.
    public enum PaddingMode: String, Sendable, CaseIterable { case constant, edge, reflect, symmetric }

    /// Left, top, right, bottom.
    public var padding: [Int]
    /// The constant padding's value, one per channel (or one for all).
    public var fill: [Float]
    public var mode: PaddingMode

    public init(padding: [Int], fill: [Float] = [0], mode: PaddingMode = .constant) {
        precondition(padding.count == 4 && padding.allSatisfy { $0 >= 0 }, "[random_crop] padding is left, top, right, bottom, each >= 0")
        self.padding = padding
        self.fill = fill
        self.mode = mode
    }

    /// torchvision's `padding`: one number for every side, two for left/right and top/bottom, or
    /// four for left, top, right, bottom.
    public static func sides(_ padding: [Int]) -> [Int] {
        switch padding.count {
        case 1: [padding[0], padding[0], padding[0], padding[0]]
        case 2: [padding[0], padding[1], padding[0], padding[1]]
        default: padding
        }
    }

    /// The crop's top-left corner in the padded image, as `RandomCrop.make_params` draws it.
    public func draw(height: Int, width: Int, _ rng: inout RandomGenerator) -> (top: Int, left: Int) {
        let paddedHeight = height + padding[1] + padding[3], paddedWidth = width + padding[0] + padding[2]
        let top = paddedHeight > height ? rng.nextInt(below: paddedHeight - height + 1) : 0
        let left = paddedWidth > width ? rng.nextInt(below: paddedWidth - width + 1) : 0
        return (top, left)
    }
}

/// Interpolation of a resampling transform (torchvision's `InterpolationMode`).
public enum Interpolation: String, Sendable, CaseIterable { case nearest, bilinear }

/// A rotation, translation, scale and shear drawn uniformly: `RandomAffine` (and
/// `RandomRotation`, which draws only the angle).
public struct RandomAffine: Sendable, Equatable {
    /// `[min, max]` degrees, counter-clockwise.
    public var degrees: [Double]
    /// Maximal shift as fractions of the width and the height, or nil for none.
    public var translate: [Double]?
    /// `[min, max]` scale, or nil for 1.
    public var scale: [Double]?
    /// `[x min, x max, y min, y max]` degrees, or nil for none.
    public var shear: [Double]?
    public var interpolation: Interpolation
    /// The value outside the image, one per channel (or one for all).
    public var fill: [Float]

    public init(degrees: [Double], translate: [Double]? = nil, scale: [Double]? = nil, shear: [Double]? = nil,
                interpolation: Interpolation = .nearest, fill: [Float] = [0]) {
        precondition(degrees.count == 2 && (shear?.count ?? 4) == 4, "[random_affine] degrees is [min, max], shear [x min, x max, y min, y max]")
        self.degrees = degrees
        self.translate = translate
        self.scale = scale
        self.shear = shear
        self.interpolation = interpolation
        self.fill = fill
    }

    /// torchvision's `degrees`: `d` means `[-d, d]`.
    public static func range(_ values: [Double]) -> [Double] { values.count == 1 ? [-abs(values[0]), abs(values[0])] : values }

    /// torchvision's `shear`: `s` shears along x in `[-s, s]`; `[a, b]` along x; four values along
    /// x, then y.
    public static func shearRanges(_ values: [Double]) -> [Double] {
        switch values.count {
        case 1: [-abs(values[0]), abs(values[0]), 0, 0]
        case 2: values + [0, 0]
        default: values
        }
    }

    /// The angle of a rotation, as `RandomRotation.make_params` draws it.
    public func drawRotation(_ rng: inout RandomGenerator) -> Double { uniform(degrees[0], degrees[1], &rng) }

    /// The parameters, as `RandomAffine.make_params` draws them: the angle, then the translation
    /// (rounded to whole pixels), the scale, the shear.
    public func draw(height: Int, width: Int, _ rng: inout RandomGenerator) -> AffineParameters {
        var p = AffineParameters(angle: uniform(degrees[0], degrees[1], &rng))
        if let translate {
            let dx = translate[0] * Double(width), dy = translate[1] * Double(height)
            p.translate = (uniform(-dx, dx, &rng).rounded(.toNearestOrEven), uniform(-dy, dy, &rng).rounded(.toNearestOrEven))
        }
        if let scale { p.scale = uniform(scale[0], scale[1], &rng) }
        if let shear {
            p.shear.x = uniform(shear[0], shear[1], &rng)
            if shear[2] != 0 || shear[3] != 0 { p.shear.y = uniform(shear[2], shear[3], &rng) }
        }
        return p
    }
}

/// One draw of an affine transform: what `torchvision.transforms.v2.functional.affine` takes.
public struct AffineParameters: Sendable, Equatable {
    public var angle: Double
    public var translate: (x: Double, y: Double) = (0, 0)
    public var scale: Double = 1
    public var shear: (x: Double, y: Double) = (0, 0)

    public init(angle: Double, translate: (x: Double, y: Double) = (0, 0), scale: Double = 1, shear: (x: Double, y: Double) = (0, 0)) {
        self.angle = angle
        self.translate = translate
        self.scale = scale
        self.shear = shear
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.angle == b.angle && a.translate == b.translate && a.scale == b.scale && a.shear == b.shear
    }
}

/// Brightness, contrast and saturation factors drawn uniformly, applied in a random order.
public struct ColorJitter: Sendable, Equatable {
    /// `[min, max]` factors, or nil to leave that property alone.
    public var brightness: [Double]?
    public var contrast: [Double]?
    public var saturation: [Double]?

    public init(brightness: [Double]? = nil, contrast: [Double]? = nil, saturation: [Double]? = nil) {
        self.brightness = brightness
        self.contrast = contrast
        self.saturation = saturation
    }

    /// torchvision's `_check_input`: `x` means `[max(0, 1 - x), 1 + x]`; a range that is exactly
    /// `[1, 1]` changes nothing and is left out.
    public static func range(_ values: [Double]) -> [Double]? {
        let r = values.count == 1 ? [max(0, 1 - values[0]), 1 + values[0]] : values
        return r[0] == 1 && r[1] == 1 ? nil : r
    }

    public enum Adjustment: Sendable, Equatable { case brightness(Double), contrast(Double), saturation(Double) }

    /// The adjustments in the order they apply, as `ColorJitter.make_params` draws them: a random
    /// order (a permutation), and one factor per property given.
    public func draw(_ rng: inout RandomGenerator) -> [Adjustment] {
        let order = rng.permutation(3)
        var factors: [Adjustment?] = [nil, nil, nil]
        if let b = brightness { factors[0] = .brightness(uniform(b[0], b[1], &rng)) }
        if let c = contrast { factors[1] = .contrast(uniform(c[0], c[1], &rng)) }
        if let s = saturation { factors[2] = .saturation(uniform(s[0], s[1], &rng)) }
        return order.compactMap { factors[$0] }
    }
}

/// A rectangle of random area and aspect ratio set to `value`, with probability `p`.
public struct RandomErasing: Sendable, Equatable {
    public var p: Double
    /// `[min, max]` fraction of the image's area.
    public var scale: [Double]
    /// `[min, max]` aspect ratio (height over width), drawn log-uniformly.
    public var ratio: [Double]
    /// One per channel (or one for all).
    public var value: [Float]

    public init(p: Double = 0.5, scale: [Double] = [0.02, 0.33], ratio: [Double] = [0.3, 3.3], value: [Float] = [0]) {
        self.p = p
        self.scale = scale
        self.ratio = ratio
        self.value = value
    }

    /// The rectangle (top, left, height, width), as `RandomErasing.make_params` draws it: up to
    /// ten tries at an area and a ratio that fit; nil when none fits, which leaves the image as it
    /// is. Whether to erase at all (`p`) is drawn by the caller.
    public func draw(height: Int, width: Int, _ rng: inout RandomGenerator) -> (top: Int, left: Int, height: Int, width: Int)? {
        let area = Double(height * width)
        let logRatio = (_log(ratio[0]), _log(ratio[1]))
        for _ in 0..<10 {
            let eraseArea = area * uniform(scale[0], scale[1], &rng)
            let aspect = _exp(uniform(logRatio.0, logRatio.1, &rng))
            let h = Int((eraseArea * aspect).squareRoot().rounded(.toNearestOrEven))
            let w = Int((eraseArea / aspect).squareRoot().rounded(.toNearestOrEven))
            guard h < height && w < width else { continue }
            let top = rng.nextInt(below: height - h + 1), left = rng.nextInt(below: width - w + 1)
            return (top, left, h, w)
        }
        return nil
    }
}

/// A uniform draw in [low, high), as `torch.empty(1).uniform_(low, high)`.
@inline(__always)
func uniform(_ low: Double, _ high: Double, _ rng: inout RandomGenerator) -> Double { low + (high - low) * rng.nextDouble() }

#if canImport(Glibc)
import Glibc
@inline(__always) func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) func _exp(_ x: Double) -> Double { Glibc.exp(x) }
#else
import Darwin
@inline(__always) func _log(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) func _exp(_ x: Double) -> Double { Darwin.exp(x) }
#endif
