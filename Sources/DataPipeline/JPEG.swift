import CTurboJPEG

/// JPEG files through libjpeg-turbo's TurboJPEG API, decoded as PIL decodes them: the accurate
/// integer IDCT and "fancy" (smooth) chroma upsampling, which are libjpeg's defaults and PIL's;
/// a colour file becomes RGB and a greyscale file grey, and the conversion to the field's channels
/// then follows PIL's `convert` (`ChannelConversion`), so `convert("L")` of a colour JPEG is PIL's
/// luma of the decoded RGB, not the file's own Y plane. EXIF orientation is ignored, as
/// `Image.open` ignores it.
public enum JPEG {
    /// Decodes a baseline or progressive JPEG (grey or YCbCr) to `channels` (1 or 3). CMYK files are
    /// refused: PIL keeps them as CMYK, and there is no conversion both would agree on. An image
    /// larger than `limits` allow is refused from its header, before any pixel is allocated.
    public static func decode(_ bytes: [UInt8], channels: Int, path: String, limits: ImageLimits = .standard) throws(DataError) -> PixelImage {
        precondition(channels == 1 || channels == 3, "[jpeg] channels must be 1 or 3, got \(channels)")
        guard isJPEG(bytes) else {
            throw DataError(bytes.isEmpty ? "empty file, expected a JPEG image" : "not a JPEG file", path: path)
        }
        guard let handle = tjInitDecompress() else { throw DataError("cannot start the JPEG decoder", path: path) }
        defer { tjDestroy(handle) }
        return try bytes.withUnsafeBufferPointer { (file) throws(DataError) -> PixelImage in
            var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
            // A file cut inside its header "succeeds" with a warning and no size.
            guard tjDecompressHeader3(handle, file.baseAddress, UInt(file.count), &width, &height, &subsampling, &colorspace) == 0,
                  width > 0, height > 0 else {
                throw corrupt(handle, path)
            }
            let (w, h) = (Int(width), Int(height))
            // Both sides are at most 65,535 (the format's own limit): the product cannot overflow.
            guard w * h <= limits.maxPixels else {
                throw DataError("image is \(w)x\(h) (\(w * h) pixels), more than the \(limits.maxPixels) allowed "
                                + "(\(ImageLimits.environmentVariable) raises the limit)", path: path)
            }
            if colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue) {
                throw DataError("CMYK JPEG images are not supported; convert the file to RGB", path: path)
            }
            let native = colorspace == Int32(TJCS_GRAY.rawValue) ? 1 : 3
            var decoded = [UInt8](repeating: 0, count: w * h * native)
            let format = native == 1 ? TJPF_GRAY : TJPF_RGB
            // TJFLAG_LIMITSCANS: a progressive file with hundreds of scans is a decoding-time bomb.
            let status = decoded.withUnsafeMutableBufferPointer { pixels in
                tjDecompress2(handle, file.baseAddress, UInt(file.count), pixels.baseAddress, width, 0, height,
                              Int32(format.rawValue), TJFLAG_LIMITSCANS)
            }
            if status != 0 {
                // A warning leaves a complete image (libjpeg recovered, as PIL does), except a
                // truncated file, whose missing part libjpeg fills with grey and PIL refuses.
                let message = String(cString: tjGetErrorStr2(handle))
                if tjGetErrorCode(handle) != Int32(TJERR_WARNING.rawValue) || message.contains("Premature end") {
                    throw DataError("corrupt JPEG: \(message)", path: path)
                }
            }
            if native == channels { return PixelImage(width: w, height: h, channels: channels, pixels: decoded) }
            let converted = [UInt8](unsafeUninitializedCapacity: w * h * channels) { target, initialized in
                decoded.withUnsafeBufferPointer { source in
                    ChannelConversion.convert(source.baseAddress!, from: native, into: target.baseAddress!, to: channels, count: w * h)
                }
                initialized = w * h * channels
            }
            return PixelImage(width: w, height: h, channels: channels, pixels: converted)
        }
    }

    /// Whether `bytes` start as a JPEG does (start of image, then a marker).
    static func isJPEG(_ bytes: [UInt8]) -> Bool { bytes.count >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF }

    private static func corrupt(_ handle: tjhandle, _ path: String) -> DataError {
        DataError("corrupt JPEG: \(String(cString: tjGetErrorStr2(handle)))", path: path)
    }
}

/// An image file of either format, told apart by its first bytes (not its name, which may lie).
public enum ImageFile {
    /// Reads and decodes the PNG or JPEG file at `path` to `channels`; a file larger than any image
    /// within `limits` needs is not read.
    public static func read(_ path: String, channels: Int, limits: ImageLimits = .standard) throws(DataError) -> PixelImage {
        let bytes = try FileSystem.contents(of: path, maxBytes: limits.maxFileBytes)
        if JPEG.isJPEG(bytes) { return try JPEG.decode(bytes, channels: channels, path: path, limits: limits) }
        if bytes.starts(with: [137, 80, 78, 71]) { return try PNG.decode(bytes, channels: channels, path: path, limits: limits) }
        throw DataError(bytes.isEmpty ? "empty file, expected a PNG or JPEG image" : "not a PNG or JPEG file", path: path)
    }
}
