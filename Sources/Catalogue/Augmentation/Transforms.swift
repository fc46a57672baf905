import DataPipeline
import Diagnostics
import GraphIR
import SpecLanguage

// `data.augment`'s members: torchvision.transforms.v2's random transforms with their argument
// names and defaults. Each keeps the image's size (the model sees one shape in training and in
// evaluation), so torchvision's `size` of a crop, `expand` of a rotation and the like are either
// the image's own or absent.

private let fillDoc = "The value of pixels from outside the image, in [0, 1] pixel units (before normalisation): one number, or one per channel."

/// A key's numbers, one per channel or one for all: refused when they match no image field.
private func checkPerChannel(_ key: String, _ c: SpecComponent, images: [(name: String, shape: [Int])], _ sink: inout DiagnosticSink) {
    guard let values = c.options.doubles(key), values.count > 1 else { return }
    for image in images where image.shape[0] != values.count {
        sink.error(.conflictingOptions, "`\(c.name).\(key)` has \(values.count) values, but image field '\(image.name)' has "
                   + "\(image.shape[0]) channel\(image.shape[0] == 1 ? "" : "s"); give one value, or one per channel", at: c.options.range(of: key))
        return
    }
}

/// `[min, max]` must be in order; a single number must not be negative (it means `[-x, x]`).
private func checkRange(_ key: String, _ c: SpecComponent, _ sink: inout DiagnosticSink) {
    guard let values = c.options.doubles(key) else { return }
    if values.count == 1, values[0] < 0 {
        sink.error(.outOfRange, "`\(c.name).\(key)` is a single number, so it must be >= 0 (it means [-x, x]), found \(SpecValue.number(values[0]))",
                   at: c.options.range(of: key))
    }
    for pair in stride(from: 0, to: values.count - 1, by: 2) where values.count > 1 && values[pair] > values[pair + 1] {
        sink.error(.outOfRange, "`\(c.name).\(key)` is [min, max], but \(SpecValue.number(values[pair])) > \(SpecValue.number(values[pair + 1]))",
                   at: c.options.range(of: key))
    }
}

private func floats(_ options: SpecOptions, _ key: String) -> [Float] { (options.doubles(key) ?? [0]).map(Float.init) }

/// `random_crop`.
struct RandomCropTransform: RunnableTransform {
    let kind = KindSpec("random_crop", .transform, pytorch: "torchvision.transforms.v2.RandomCrop",
                        "Pads the image, then crops it back to its size at a position drawn uniformly: with `padding: 4`, a shift of up to 4 pixels each way (CIFAR's augmentation).", [
        ParameterSpec("size", .intPair, .optional("the image's size"), bounds: .atLeast(1),
                      "The crop's `[height, width]`: the image field's `size`, since the model's input keeps its shape."),
        ParameterSpec("padding", .numbers(integer: true, counts: [2, 4]), .optional("no padding"), bounds: .atLeast(0),
                      "Pixels added on every side; `[left/right, top/bottom]`; or `[left, top, right, bottom]`."),
        ParameterSpec("fill", .numbers(integer: false, counts: [3]), .defaultValue(.list([LocatedValue(.float(0), at: nil)])), fillDoc + " For `padding_mode: constant`."),
        ParameterSpec("padding_mode", .choice(RandomCrop.PaddingMode.allCases.map(\.rawValue)), .defaultValue(.string("constant")),
                      "`constant` (the fill), `edge` (the border pixel repeated), `reflect` (mirrored without the border), `symmetric` (mirrored with it)."),
    ])

    func check(_ transform: SpecComponent, images: [(name: String, shape: [Int])], _ sink: inout DiagnosticSink) {
        let o = transform.options
        checkPerChannel("fill", transform, images: images, &sink)
        for image in images {
            if let (h, w) = o.pair("size"), [h, w] != Array(image.shape[1...]) {
                sink.error(.conflictingOptions, "`random_crop.size` is [\(h), \(w)], but image field '\(image.name)' is "
                           + "\(image.shape[1])x\(image.shape[2]): the crop keeps the image's size; pad to shift it (`padding`)",
                           at: o.range(of: "size"))
            }
            let padding = RandomCrop.sides(o.ints("padding") ?? [0])
            let mode = o.string("padding_mode") ?? "constant"
            let limit = (height: image.shape[1] - (mode == "reflect" ? 1 : 0), width: image.shape[2] - (mode == "reflect" ? 1 : 0))
            if mode == "reflect" || mode == "symmetric",
               max(padding[0], padding[2]) > limit.width || max(padding[1], padding[3]) > limit.height {
                sink.error(.outOfRange, "`random_crop.padding` with padding_mode \(mode) must be at most \(mode == "reflect" ? "the image's size - 1" : "the image's size") "
                           + "(\(limit.height) rows, \(limit.width) columns for '\(image.name)'), found \(padding)", at: o.range(of: "padding"))
            }
        }
    }

    func transform(_ options: SpecOptions) -> ImageTransform {
        .randomCrop(RandomCrop(padding: RandomCrop.sides(options.ints("padding") ?? [0]), fill: floats(options, "fill"),
                               mode: RandomCrop.PaddingMode(rawValue: options.string("padding_mode") ?? "constant") ?? .constant))
    }
}

/// `random_horizontal_flip`, `random_vertical_flip`.
struct FlipTransform: RunnableTransform {
    let kind: KindSpec
    let horizontal: Bool

    static let horizontal = FlipTransform(horizontal: true)
    static let vertical = FlipTransform(horizontal: false)

    init(horizontal: Bool) {
        self.horizontal = horizontal
        let (name, torch, what) = horizontal ? ("random_horizontal_flip", "RandomHorizontalFlip", "left to right")
                                             : ("random_vertical_flip", "RandomVerticalFlip", "top to bottom")
        kind = KindSpec(name, .transform, pytorch: "torchvision.transforms.v2.\(torch)", "Mirrors the image \(what) with probability `p`.", [
            ParameterSpec("p", .float, .defaultValue(.float(0.5)), bounds: .interval(0, 1), "The probability of a flip."),
        ])
    }

    func check(_ transform: SpecComponent, images: [(name: String, shape: [Int])], _ sink: inout DiagnosticSink) {}

    func transform(_ options: SpecOptions) -> ImageTransform {
        horizontal ? .horizontalFlip(p: options.number("p")) : .verticalFlip(p: options.number("p"))
    }
}

private let interpolationKey = ParameterSpec("interpolation", .choice(Interpolation.allCases.map(\.rawValue)), .defaultValue(.string("nearest")),
                                             "How a pixel between source pixels is read: the `nearest`, or `bilinear` between the four around it.")

/// `random_rotation`.
struct RandomRotationTransform: RunnableTransform {
    let kind = KindSpec("random_rotation", .transform, pytorch: "torchvision.transforms.v2.RandomRotation",
                        "Rotates the image about its centre by an angle drawn uniformly from `degrees`, counter-clockwise, keeping its size (no `expand`).", [
        ParameterSpec("degrees", .numbers(integer: false, counts: [2]), .required, "`[min, max]` degrees, or `d` for `[-d, d]`."),
        interpolationKey,
        ParameterSpec("fill", .numbers(integer: false, counts: [3]), .defaultValue(.list([LocatedValue(.float(0), at: nil)])), fillDoc),
    ])

    func check(_ transform: SpecComponent, images: [(name: String, shape: [Int])], _ sink: inout DiagnosticSink) {
        checkRange("degrees", transform, &sink)
        checkPerChannel("fill", transform, images: images, &sink)
    }

    func transform(_ options: SpecOptions) -> ImageTransform {
        .randomRotation(RandomAffine(degrees: RandomAffine.range(options.doubles("degrees") ?? [0]),
                                     interpolation: Interpolation(rawValue: options.string("interpolation") ?? "nearest") ?? .nearest,
                                     fill: floats(options, "fill")))
    }
}

/// `random_affine`.
struct RandomAffineTransform: RunnableTransform {
    let kind = KindSpec("random_affine", .transform, pytorch: "torchvision.transforms.v2.RandomAffine",
                        "Rotates, shifts, scales and shears the image about its centre, each amount drawn uniformly, keeping its size.", [
        ParameterSpec("degrees", .numbers(integer: false, counts: [2]), .required, "Rotation: `[min, max]` degrees, or `d` for `[-d, d]`; 0 for none."),
        ParameterSpec("translate", .floatPair, .optional("no shift"), bounds: .interval(0, 1),
                      "Maximal shift `[a, b]` as fractions of the width and height: the shift is drawn from [-a * width, a * width] and [-b * height, b * height], rounded to whole pixels."),
        ParameterSpec("scale", .floatPair, .optional("no scaling"), bounds: .above(0), "`[min, max]` scale factor."),
        ParameterSpec("shear", .numbers(integer: false, counts: [2, 4]), .optional("no shear"),
                      "Shear in degrees: `s` along x in [-s, s]; `[min, max]` along x; `[x min, x max, y min, y max]`."),
        interpolationKey,
        ParameterSpec("fill", .numbers(integer: false, counts: [3]), .defaultValue(.list([LocatedValue(.float(0), at: nil)])), fillDoc),
    ])

    func check(_ transform: SpecComponent, images: [(name: String, shape: [Int])], _ sink: inout DiagnosticSink) {
        checkRange("degrees", transform, &sink)
        checkRange("shear", transform, &sink)
        if let (lo, hi) = transform.options.floatPair("scale"), lo > hi {
            sink.error(.outOfRange, "`random_affine.scale` is [min, max], but \(SpecValue.number(lo)) > \(SpecValue.number(hi))",
                       at: transform.options.range(of: "scale"))
        }
        checkPerChannel("fill", transform, images: images, &sink)
    }

    func transform(_ options: SpecOptions) -> ImageTransform {
        .randomAffine(RandomAffine(degrees: RandomAffine.range(options.doubles("degrees") ?? [0]),
                                   translate: options.floatPair("translate").map { [$0.0, $0.1] },
                                   scale: options.floatPair("scale").map { [$0.0, $0.1] },
                                   shear: options.doubles("shear").map(RandomAffine.shearRanges),
                                   interpolation: Interpolation(rawValue: options.string("interpolation") ?? "nearest") ?? .nearest,
                                   fill: floats(options, "fill")))
    }
}

/// `color_jitter`.
struct ColorJitterTransform: RunnableTransform {
    let kind = KindSpec("color_jitter", .transform, pytorch: "torchvision.transforms.v2.ColorJitter",
                        "Changes brightness, contrast and saturation by factors drawn uniformly, in a random order; each result is clamped to [0, 1]. Saturation leaves a grey image as it is; torchvision's `hue` is not offered.",
                        ["brightness", "contrast", "saturation"].map { key in
            ParameterSpec(key, .numbers(integer: false, counts: [2]), .optional("unchanged"), bounds: .atLeast(0),
                          "`x` draws the factor from [max(0, 1 - x), 1 + x]; `[min, max]` from that range.")
        })

    func check(_ transform: SpecComponent, images: [(name: String, shape: [Int])], _ sink: inout DiagnosticSink) {
        for key in ["brightness", "contrast", "saturation"] { checkRange(key, transform, &sink) }
    }

    func transform(_ options: SpecOptions) -> ImageTransform {
        .colorJitter(ColorJitter(brightness: options.doubles("brightness").flatMap(ColorJitter.range),
                                 contrast: options.doubles("contrast").flatMap(ColorJitter.range),
                                 saturation: options.doubles("saturation").flatMap(ColorJitter.range)))
    }
}

/// `random_erasing`.
struct RandomErasingTransform: RunnableTransform {
    let kind = KindSpec("random_erasing", .transform, pytorch: "torchvision.transforms.v2.RandomErasing",
                        "With probability `p`, sets a rectangle of random area and aspect ratio to `value` (Zhong et al., 2017); up to ten draws are tried for one that fits, else the image is left as it is.", [
        ParameterSpec("p", .float, .defaultValue(.float(0.5)), bounds: .interval(0, 1), "The probability of erasing."),
        ParameterSpec("scale", .floatPair, .defaultValue(.floatPair(0.02, 0.33)), bounds: .interval(0, 1, lowerInclusive: false),
                      "`[min, max]` area of the rectangle, as a fraction of the image's."),
        ParameterSpec("ratio", .floatPair, .defaultValue(.floatPair(0.3, 3.3)), bounds: .above(0),
                      "`[min, max]` aspect ratio, drawn log-uniformly."),
        ParameterSpec("value", .numbers(integer: false, counts: [3]), .defaultValue(.list([LocatedValue(.float(0), at: nil)])),
                      "What the rectangle is set to, in [0, 1] pixel units (before normalisation): one number, or one per channel."),
    ])

    func check(_ transform: SpecComponent, images: [(name: String, shape: [Int])], _ sink: inout DiagnosticSink) {
        for key in ["scale", "ratio"] {
            if let (lo, hi) = transform.options.floatPair(key), lo > hi {
                sink.error(.outOfRange, "`random_erasing.\(key)` is [min, max], but \(SpecValue.number(lo)) > \(SpecValue.number(hi))",
                           at: transform.options.range(of: key))
            }
        }
        checkPerChannel("value", transform, images: images, &sink)
    }

    func transform(_ options: SpecOptions) -> ImageTransform {
        let scale = options.floatPair("scale") ?? (0.02, 0.33), ratio = options.floatPair("ratio") ?? (0.3, 3.3)
        return .randomErasing(RandomErasing(p: options.number("p"), scale: [scale.0, scale.1], ratio: [ratio.0, ratio.1],
                                            value: floats(options, "value")))
    }
}
