/// Why an archive was refused. Each names the entry and the numbers; none leaves files behind.
public enum ZipError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file is not a ZIP archive, or is cut short: no end-of-central-directory record, or a
    /// record or entry that runs past the end of the file.
    case malformed(String)
    /// ZIP64 or multi-disk archives, which this reader does not handle.
    case unsupportedFormat(String)
    case encrypted(entry: String)
    case unsupportedMethod(entry: String, method: UInt16)
    /// An entry that would land outside the destination: absolute, `..`, a drive letter.
    case unsafePath(entry: String, reason: String)
    /// Symbolic links could point anywhere, so they are never unpacked.
    case symlink(entry: String)
    case tooManyEntries(count: Int, limit: Int)
    /// The declared sizes add up to more than the limit; nothing was written.
    case tooLarge(declaredBytes: Int, limit: Int)
    /// A large entry that claims to expand by more than the allowed ratio: a likely ZIP bomb.
    case compressionRatio(entry: String, compressedBytes: Int, expandedBytes: Int, limit: Int)
    /// The entry inflated past the size its header declared; inflation was stopped.
    case expandsPastDeclaredSize(entry: String, declaredBytes: Int)
    /// Bad deflate data, a CRC-32 or size mismatch, or local and central headers that disagree.
    case corruptEntry(entry: String, reason: String)
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .malformed(let reason): "not a readable ZIP archive: \(reason)"
        case .unsupportedFormat(let reason): "unsupported ZIP archive: \(reason)"
        case .encrypted(let entry): "entry '\(entry)' is encrypted"
        case .unsupportedMethod(let entry, let method):
            "entry '\(entry)' uses compression method \(method) (only stored (0) and deflate (8) are supported)"
        case .unsafePath(let entry, let reason): "entry '\(entry)' would be written outside the destination: \(reason)"
        case .symlink(let entry): "entry '\(entry)' is a symbolic link, which is never unpacked"
        case .tooManyEntries(let count, let limit): "\(count) entries, more than the limit of \(limit)"
        case .tooLarge(let declared, let limit): "expands to \(declared) bytes, more than the limit of \(limit)"
        case .compressionRatio(let entry, let compressed, let expanded, let limit):
            "entry '\(entry)' expands \(compressed) -> \(expanded) bytes, a ratio past \(limit):1"
        case .expandsPastDeclaredSize(let entry, let declared):
            "entry '\(entry)' inflates past its declared \(declared) bytes"
        case .corruptEntry(let entry, let reason): "entry '\(entry)' is corrupt: \(reason)"
        case .io(let path, let reason): "cannot write \(path): \(reason)"
        }
    }
}

/// Bounds that keep a hostile or broken archive from filling the disk.
public struct UnpackLimits: Sendable, Hashable {
    /// The most bytes all entries together may expand to.
    public var maxTotalBytes: Int
    /// The most entries an archive may hold.
    public var maxEntries: Int
    /// The largest expanded/compressed ratio allowed for an entry bigger than `ratioAppliesAbove`.
    public var maxCompressionRatio: Int
    /// Entries up to this size are exempt from the ratio check: a small file of zeros is harmless.
    public var ratioAppliesAbove: Int

    public init(maxTotalBytes: Int = 1 << 30, maxEntries: Int = 200_000,
                maxCompressionRatio: Int = 1000, ratioAppliesAbove: Int = 1 << 20) {
        self.maxTotalBytes = maxTotalBytes
        self.maxEntries = maxEntries
        self.maxCompressionRatio = maxCompressionRatio
        self.ratioAppliesAbove = ratioAppliesAbove
    }
}
