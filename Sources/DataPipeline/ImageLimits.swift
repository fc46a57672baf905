#if canImport(Glibc)
import Diagnostics
import Glibc
#else
import Darwin
#endif

/// How large an image specrun decodes. A PNG's header declares its size, and decoding allocates
/// that many pixels whatever the file's own size: a 69-byte file can declare 30000x30000 RGBA
/// (3.6 GB), a valid 875 KB file can hold 30000x30000 zeros. The size is checked from the header,
/// before any pixel is allocated or inflated.
public struct ImageLimits: Sendable, Equatable {
    /// Width times height. The default, 2^26 (8192x8192), is below PIL's decompression-bomb
    /// warning (89 million pixels) and far below libpng's own limits; it keeps one decoded image
    /// under 256 MB even as 8-bit RGBA.
    public var maxPixels: Int

    public static let defaultMaxPixels = 1 << 26
    /// Sets `maxPixels` for the command line (`SPECRUN_MAX_IMAGE_PIXELS=100000000`).
    public static let environmentVariable = "SPECRUN_MAX_IMAGE_PIXELS"

    public init(maxPixels: Int = defaultMaxPixels) {
        precondition(maxPixels > 0, "[image] maxPixels must be positive")
        self.maxPixels = maxPixels
    }

    /// The limits `SPECRUN_MAX_IMAGE_PIXELS` sets, or the defaults when it is not set. The command
    /// line checks the variable with `parse` before anything runs; an invalid value reaching this
    /// point (a library user's process) keeps the default.
    public static let standard: ImageLimits = {
        guard let raw = getenv(environmentVariable), let limits = try? parse(String(cString: raw)) else { return ImageLimits() }
        return limits
    }()

    /// Limits from the variable's text: a positive whole number of pixels.
    public static func parse(_ text: String) throws(DataError) -> ImageLimits {
        guard let n = Int(text.filter { $0 != "_" }), n > 0 else {
            throw DataError("must be a positive whole number of pixels (width times height), got \(excerpt(text))", path: environmentVariable)
        }
        return ImageLimits(maxPixels: n)
    }

    /// The largest PNG file worth reading for an image of at most `maxPixels`: 16-bit RGBA stored
    /// without compression is 8 bytes a pixel, plus room for chunks.
    var maxFileBytes: Int {
        let (raw, overflow) = maxPixels.multipliedReportingOverflow(by: 8)
        return overflow ? Int.max : raw.addingReportingOverflow(1 << 24).overflow ? Int.max : raw + (1 << 24)
    }
}
