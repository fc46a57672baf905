/// An 8-bit image with interleaved channels, row by row (height x width x channels): what a PNG
/// decodes to and what the PNG writer takes.
public struct PixelImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// 1 (grey) or 3 (RGB).
    public var channels: Int
    /// `height * width * channels` bytes.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(channels == 1 || channels == 3, "[image] channels must be 1 or 3, got \(channels)")
        precondition(width > 0 && height > 0 && pixels.count == width * height * channels,
                     "[image] \(pixels.count) bytes for \(width)x\(height)x\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }
}

/// Channel conversion with PIL's rules, so that specrun sees the pixels the PyTorch reference sees
/// after `Image.open(path).convert("L")` or `.convert("RGB")`.
enum ChannelConversion {
    /// Converts `count` pixels of `from` interleaved channels (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA)
    /// to `to` channels (1 or 3). Alpha is dropped, not composited, as PIL does.
    static func convert(_ source: UnsafePointer<UInt8>, from: Int, into target: UnsafeMutablePointer<UInt8>,
                        to: Int, count: Int) {
        switch (from, to) {
        case (1, 1), (3, 3):
            target.update(from: source, count: count * from)
        case (1, 3), (2, 3):
            for i in 0..<count {
                let g = source[i * from]
                target[3 * i] = g; target[3 * i + 1] = g; target[3 * i + 2] = g
            }
        case (2, 1):
            for i in 0..<count { target[i] = source[2 * i] }
        case (3, 1), (4, 1):
            for i in 0..<count { target[i] = luminance(source + i * from) }
        case (4, 3):
            for i in 0..<count {
                target[3 * i] = source[4 * i]; target[3 * i + 1] = source[4 * i + 1]; target[3 * i + 2] = source[4 * i + 2]
            }
        default:
            preconditionFailure("[image] no conversion from \(from) to \(to) channels")
        }
    }

    /// PIL's ITU-R 601-2 luma in 16-bit fixed point: (R*19595 + G*38470 + B*7471 + 0x8000) >> 16.
    @inline(__always)
    static func luminance(_ rgb: UnsafePointer<UInt8>) -> UInt8 {
        let sum = UInt32(rgb[0]) &* 19595 &+ UInt32(rgb[1]) &* 38470 &+ UInt32(rgb[2]) &* 7471 &+ 0x8000
        return UInt8(truncatingIfNeeded: sum >> 16)
    }
}
