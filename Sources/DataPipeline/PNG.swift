import CPNG

/// PNG files through libpng's classic API (the simplified `png_image` API converts colour to grey
/// with a different formula from PIL's, which the reference uses).
public enum PNG {
    /// Decodes a PNG of any colour type (grey at 1, 2, 4, 8 or 16 bits, grey+alpha, RGB, RGBA,
    /// palette with or without tRNS, interlaced or not) to `channels` (1 grey or 3 RGB), as PIL's
    /// `convert("L")` / `convert("RGB")` would: alpha is dropped, colour becomes grey by PIL's
    /// integer luma, and 16-bit samples keep their high byte.
    ///
    /// One divergence: PIL clips 16-bit greyscale to 255 when converting to "L" (so nearly every
    /// pixel becomes white); specrun keeps the high byte there too, as for every other 16-bit PNG.
    ///
    /// An image larger than `limits` allow is refused from its header, before any pixel is
    /// allocated. `path` is only used to name the file in errors.
    public static func decode(_ bytes: [UInt8], channels: Int, path: String, limits: ImageLimits = .standard) throws(DataError) -> PixelImage {
        precondition(channels == 1 || channels == 3, "[png] channels must be 1 or 3, got \(channels)")
        let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else {
            throw DataError(bytes.isEmpty ? "empty file, expected a PNG image" : "not a PNG file", path: path)
        }
        let decoder = UnsafeMutablePointer<cpng_decoder>.allocate(capacity: 1)
        decoder.initialize(to: cpng_decoder())
        defer {
            cpng_decode_end(decoder)
            decoder.deallocate()
        }
        return try bytes.withUnsafeBufferPointer { (file) throws(DataError) -> PixelImage in
            decoder.pointee.data = file.baseAddress
            decoder.pointee.size = file.count
            guard cpng_decode_begin(decoder) == 0 else { throw corrupt(decoder, path) }
            let width = Int(decoder.pointee.width), height = Int(decoder.pointee.height)
            let native = Int(decoder.pointee.channels)
            // Both sides are at most 2^15 (libpng's user limits in the shim): the product cannot overflow.
            guard width * height <= limits.maxPixels else {
                throw DataError("image is \(width)x\(height) (\(width * height) pixels), more than the \(limits.maxPixels) allowed "
                                + "(\(ImageLimits.environmentVariable) raises the limit)", path: path)
            }
            var decoded = [UInt8](repeating: 0, count: width * height * native)
            let status = decoded.withUnsafeMutableBufferPointer { pixels in
                var rows: [UnsafeMutablePointer<UInt8>?] = (0..<height).map { pixels.baseAddress! + $0 * width * native }
                return cpng_decode_rows(decoder, &rows)
            }
            guard status == 0 else { throw corrupt(decoder, path) }
            if native == channels {
                return PixelImage(width: width, height: height, channels: channels, pixels: decoded)
            }
            let converted = [UInt8](unsafeUninitializedCapacity: width * height * channels) { target, initialized in
                decoded.withUnsafeBufferPointer { source in
                    ChannelConversion.convert(source.baseAddress!, from: native, into: target.baseAddress!,
                                              to: channels, count: width * height)
                }
                initialized = width * height * channels
            }
            return PixelImage(width: width, height: height, channels: channels, pixels: converted)
        }
    }

    /// Reads and decodes the PNG file at `path` (see `decode`); a file larger than any PNG within
    /// `limits` needs is not read.
    public static func read(_ path: String, channels: Int, limits: ImageLimits = .standard) throws(DataError) -> PixelImage {
        try decode(FileSystem.contents(of: path, maxBytes: limits.maxFileBytes), channels: channels, path: path, limits: limits)
    }

    /// The sample depths the writer offers.
    public enum BitDepth: Sendable {
        /// 8 bits per sample, grey or RGB.
        case eight
        /// 1-bit greyscale, as Omniglot's files are: a pixel is white when its value is >= 128.
        case one
    }

    /// The PNG encoding of `image`.
    public static func encode(_ image: PixelImage, bitDepth: BitDepth = .eight) throws(DataError) -> [UInt8] {
        precondition(bitDepth == .eight || image.channels == 1, "[png] 1-bit PNGs are greyscale only")
        var samples = image.pixels
        if bitDepth == .one {
            for i in samples.indices { samples[i] = samples[i] >= 128 ? 1 : 0 }
        }
        let encoder = UnsafeMutablePointer<cpng_encoder>.allocate(capacity: 1)
        encoder.initialize(to: cpng_encoder())
        defer {
            cpng_encode_end(encoder)
            encoder.deallocate()
        }
        let rowBytes = image.width * image.channels
        let status = samples.withUnsafeMutableBufferPointer { pixels in
            var rows: [UnsafeMutablePointer<UInt8>?] = (0..<image.height).map { pixels.baseAddress! + $0 * rowBytes }
            return cpng_encode(encoder, &rows, UInt32(image.width), UInt32(image.height),
                               bitDepth == .one ? 1 : 8, image.channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB)
        }
        guard status == 0 else {
            throw DataError("cannot encode PNG: \(message(&encoder.pointee.message))", path: "(in memory)")
        }
        return Array(UnsafeBufferPointer(start: encoder.pointee.data, count: encoder.pointee.size))
    }

    /// Writes `image` to `path` as a PNG (through a temporary file and a rename).
    public static func write(_ image: PixelImage, to path: String, bitDepth: BitDepth = .eight) throws(DataError) {
        do {
            try FileSystem.writeAtomically(encode(image, bitDepth: bitDepth), to: path)
        } catch {
            throw DataError(error.message, path: path)
        }
    }

    private static func corrupt(_ decoder: UnsafeMutablePointer<cpng_decoder>, _ path: String) -> DataError {
        DataError("corrupt PNG: \(message(&decoder.pointee.message))", path: path)
    }

    private static func message<T>(_ buffer: inout T) -> String {
        withUnsafeBytes(of: &buffer) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
