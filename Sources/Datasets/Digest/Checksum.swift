import Foundation

/// The digest a downloaded file must have.
public enum Checksum: Sendable, Hashable {
    /// MD5 of the file's bytes, hex.
    case md5(String)
    /// SHA-256 of the file's bytes, hex.
    case sha256(String)
    /// SHA-256, hex, of the text after CRLF line endings become LF. For text files that mirrors
    /// store with either line ending and that have no published digest; such a file is also
    /// installed with LF endings, so every install is byte-identical whatever the mirror.
    case sha256OfLFText(String)

    /// The expected digest, lower-case hex.
    public var expected: String {
        switch self {
        case .md5(let hex), .sha256(let hex), .sha256OfLFText(let hex): hex.lowercased()
        }
    }

    /// How the digest is computed, for messages: `MD5`, `SHA-256`, `SHA-256 (LF-normalised text)`.
    public var algorithm: String {
        switch self {
        case .md5: "MD5"
        case .sha256: "SHA-256"
        case .sha256OfLFText: "SHA-256 (LF-normalised text)"
        }
    }

    /// Whether the file is text whose line endings are normalised before hashing and installing.
    public var normalisesLineEndings: Bool {
        if case .sha256OfLFText = self { return true }
        return false
    }

    /// The digest of `bytes` as this checksum computes it, lower-case hex.
    public func digest(of bytes: some Sequence<UInt8>) -> String {
        switch self {
        case .md5: MD5.hexDigest(of: bytes)
        case .sha256: SHA256.hexDigest(of: bytes)
        case .sha256OfLFText: SHA256.hexDigest(of: Checksum.normalisingLineEndings(Array(bytes)))
        }
    }

    /// The digest of the file at `url`, read in pieces so a large archive is never held whole.
    public func digest(ofFileAt url: URL) throws -> String {
        switch self {
        case .md5: try Self.hashFile(at: url, with: MD5.self)
        case .sha256: try Self.hashFile(at: url, with: SHA256.self)
        case .sha256OfLFText: digest(of: try Data(contentsOf: url))
        }
    }

    private static func hashFile<H: StreamingHash>(at url: URL, with _: H.Type) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hash = H()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { hash.update($0) }
        }
        return hexString(hash.finalize())
    }

    /// `bytes` with every CRLF pair replaced by LF. A lone CR is kept: no mirror of a data set
    /// changes those, and turning them into line breaks could split a quoted field.
    public static func normalisingLineEndings(_ bytes: [UInt8]) -> [UInt8] {
        var result = [UInt8]()
        result.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x0d, i + 1 < bytes.count, bytes[i + 1] == 0x0a {
                i += 1
                continue
            }
            result.append(bytes[i])
            i += 1
        }
        return result
    }
}
