import Kernels

/// Applies a list of transforms to samples of one image field, each sample with its own generator
/// derived from the seed, the epoch, the field and the sample's index: the draws do not depend on
/// which thread assembles which batch, nor on the batch a sample lands in.
public struct Augmenter: Sendable {
    public let transforms: [ImageTransform]
    public let channels: Int, height: Int, width: Int

    public init(transforms: [ImageTransform], channels: Int, height: Int, width: Int) {
        self.transforms = transforms
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// The generator of one sample's draws in one epoch.
    public static func generator(seed: UInt64, epoch: Int, field: Int, sample: Int) -> RandomGenerator {
        RandomGenerator(seed: seed, stream: RandomStreams.augment ^ (UInt64(truncatingIfNeeded: epoch) << 40)
                            ^ (UInt64(truncatingIfNeeded: field) << 32) ^ UInt64(truncatingIfNeeded: sample))
    }

    /// Transforms one image in place; `scratch` holds as many values.
    public func apply(_ image: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, _ rng: inout RandomGenerator) {
        let plane = height * width, count = channels * plane
        for transform in transforms {
            switch transform {
            case .randomCrop(let crop):
                let (top, left) = crop.draw(height: height, width: width, &rng)
                scratch.update(from: image, count: count)
                ImageWarp.crop(scratch, into: image, channels: channels, height: height, width: width, top: top, left: left, crop)
            case .horizontalFlip(let p):
                if rng.nextDouble() < p { ImageWarp.flip(image, channels: channels, height: height, width: width, horizontal: true) }
            case .verticalFlip(let p):
                if rng.nextDouble() < p { ImageWarp.flip(image, channels: channels, height: height, width: width, horizontal: false) }
            case .randomRotation(let rotation):
                // F.rotate(angle) is F.affine(-angle): torchvision's two directions disagree.
                warp(image, scratch, AffineParameters(angle: -rotation.drawRotation(&rng)), rotation)
            case .randomAffine(let affine):
                warp(image, scratch, affine.draw(height: height, width: width, &rng), affine)
            case .colorJitter(let jitter):
                for adjustment in jitter.draw(&rng) {
                    switch adjustment {
                    case .brightness(let f): ImageColour.brightness(image, count: count, factor: f)
                    case .contrast(let f): ImageColour.contrast(image, channels: channels, plane: plane, factor: f)
                    case .saturation(let f): ImageColour.saturation(image, channels: channels, plane: plane, factor: f)
                    }
                }
            case .randomErasing(let erasing):
                guard rng.nextDouble() < erasing.p, let r = erasing.draw(height: height, width: width, &rng) else { continue }
                ImageColour.erase(image, channels: channels, height: height, width: width, top: r.top, left: r.left, h: r.height, w: r.width,
                                  value: erasing.value)
            }
        }
    }

    private func warp(_ image: UnsafeMutablePointer<Float>, _ scratch: UnsafeMutablePointer<Float>, _ parameters: AffineParameters,
                      _ affine: RandomAffine) {
        scratch.update(from: image, count: channels * height * width)
        ImageWarp.affine(scratch, into: image, channels: channels, height: height, width: width,
                         matrix: ImageWarp.inverseMatrix(parameters), interpolation: affine.interpolation, fill: affine.fill)
    }
}
