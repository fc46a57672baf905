import Foundation

/// One file or folder in a ZIP archive, as its central directory describes it.
public struct ZipEntry: Sendable, Hashable {
    /// The name as stored in the archive.
    public let name: String
    /// The path it unpacks to, relative to the destination: checked to stay inside it.
    public let components: [String]
    public let isDirectory: Bool
    /// 0 stored, 8 deflate: the only methods an archive is accepted with.
    public let method: UInt16
    public let crc32: UInt32
    public let compressedSize: Int
    public let uncompressedSize: Int
    let localHeaderOffset: Int
}

/// A ZIP archive read from its central directory. Opening it checks everything that can be checked
/// without inflating: structure, encryption, methods, and that no entry escapes the destination
/// (absolute paths, `..`, drive letters, backslash separators, symlinks). ZIP64 is refused.
public struct ZipArchive: Sendable {
    public let entries: [ZipEntry]
    let bytes: Data

    private static let endRecordSignature: UInt32 = 0x0605_4b50
    private static let zip64LocatorSignature: UInt32 = 0x0706_4b50
    private static let centralSignature: UInt32 = 0x0201_4b50
    static let localSignature: UInt32 = 0x0403_4b50

    public init(contentsOf url: URL) throws(ZipError) {
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw .io(path: url.path, reason: "cannot read: \(SystemText.reason(error))")
        }
        try self.init(data: data)
    }

    public init(data: Data) throws(ZipError) {
        bytes = data.startIndex == 0 ? data : Data(data)
        entries = try Self.readCentralDirectory(bytes)
    }

    private static func readCentralDirectory(_ d: Data) throws(ZipError) -> [ZipEntry] {
        let end = try findEndRecord(d)
        let diskNumber = d.le16(end + 4), directoryDisk = d.le16(end + 6)
        let entriesOnDisk = d.le16(end + 8), entryCount = d.le16(end + 10)
        let directorySize = Int(d.le32(end + 12)), directoryOffset = Int(d.le32(end + 16))
        if end >= 20 && d.le32(end - 20) == zip64LocatorSignature
            || entryCount == 0xffff || directorySize == 0xffff_ffff || directoryOffset == 0xffff_ffff {
            throw .unsupportedFormat("ZIP64 (over 4 GiB or 65,535 entries) is not supported")
        }
        guard diskNumber == 0, directoryDisk == 0, entriesOnDisk == entryCount else {
            throw .unsupportedFormat("split (multi-disk) archives are not supported")
        }
        let directoryEnd = directoryOffset + directorySize
        guard directoryEnd <= end else {
            throw .malformed("the central directory (\(directorySize) bytes at offset \(directoryOffset)) "
                + "runs past the end record at \(end); the file is truncated or damaged")
        }
        var entries = [ZipEntry]()
        entries.reserveCapacity(Int(entryCount))
        var offset = directoryOffset
        for index in 0..<Int(entryCount) {
            guard offset + 46 <= directoryEnd, d.le32(offset) == centralSignature else {
                throw .malformed("central directory record \(index) at offset \(offset) is damaged")
            }
            let nameLength = Int(d.le16(offset + 28))
            let recordEnd = offset + 46 + nameLength + Int(d.le16(offset + 30)) + Int(d.le16(offset + 32))
            guard recordEnd <= directoryEnd else {
                throw .malformed("central directory record \(index) at offset \(offset) runs past the directory")
            }
            entries.append(try entry(d, record: offset, nameLength: nameLength))
            offset = recordEnd
        }
        return entries
    }

    /// The end-of-central-directory record sits in the last 22 + 65,535 bytes (it may be followed
    /// by a comment); scan backwards for its signature.
    private static func findEndRecord(_ d: Data) throws(ZipError) -> Int {
        guard d.count >= 22 else { throw .malformed("\(d.count) bytes is too short for a ZIP archive") }
        let lowest = max(0, d.count - 22 - 0xffff)
        var position = d.count - 22
        while position >= lowest {
            if d.le32(position) == endRecordSignature && position + 22 + Int(d.le16(position + 20)) <= d.count {
                return position
            }
            position -= 1
        }
        throw .malformed("no end-of-central-directory record; the file is truncated or not a ZIP archive")
    }

    private static func entry(_ d: Data, record o: Int, nameLength: Int) throws(ZipError) -> ZipEntry {
        let versionMadeBy = d.le16(o + 4), flags = d.le16(o + 8), method = d.le16(o + 10)
        let compressedSize = d.le32(o + 20), uncompressedSize = d.le32(o + 24)
        let externalAttributes = d.le32(o + 38), localHeaderOffset = d.le32(o + 42)
        let name = decodeName(d.subdata(in: o + 46 ..< o + 46 + nameLength))
        if compressedSize == 0xffff_ffff || uncompressedSize == 0xffff_ffff || localHeaderOffset == 0xffff_ffff {
            throw .unsupportedFormat("entry '\(name)' needs ZIP64, which is not supported")
        }
        if flags & 0x0001 != 0 { throw .encrypted(entry: name) }
        if method != 0 && method != 8 { throw .unsupportedMethod(entry: name, method: method) }
        // Unix (3) and macOS (19) hosts keep st_mode in the high half of the external attributes.
        let host = versionMadeBy >> 8
        if (host == 3 || host == 19) && (externalAttributes >> 16) & 0o170000 == 0o120000 {
            throw .symlink(entry: name)
        }
        return ZipEntry(name: name, components: try safeComponents(of: name),
                        isDirectory: name.hasSuffix("/") || name.hasSuffix("\\"), method: method,
                        crc32: d.le32(o + 16), compressedSize: Int(compressedSize),
                        uncompressedSize: Int(uncompressedSize), localHeaderOffset: Int(localHeaderOffset))
    }

    /// Names are read as UTF-8 (flagged or not: ASCII is both); bytes that are not valid UTF-8 are
    /// each taken as one Latin-1 character, so no name is dropped or merged with another.
    static func decodeName(_ raw: Data) -> String {
        if let text = String(validating: raw, as: UTF8.self) { return text }
        return String(String.UnicodeScalarView(raw.map { Unicode.Scalar($0) }))
    }

    /// The path an entry unpacks to, refusing anything that could leave the destination. A
    /// backslash counts as a separator, as Windows tools write it and unpackers honour it.
    static func safeComponents(of name: String) throws(ZipError) -> [String] {
        if name.isEmpty { throw .unsafePath(entry: name, reason: "empty name") }
        if name.contains("\0") { throw .unsafePath(entry: name, reason: "NUL byte in the name") }
        let parts = name.split(omittingEmptySubsequences: false) { $0 == "/" || $0 == "\\" }.map(String.init)
        if parts.first == "" { throw .unsafePath(entry: name, reason: "absolute path") }
        if let first = parts.first, first.count == 2, first.last == ":", first.first!.isLetter {
            throw .unsafePath(entry: name, reason: "Windows drive path")
        }
        let components = parts.filter { !$0.isEmpty && $0 != "." }
        if components.contains("..") { throw .unsafePath(entry: name, reason: "'..' component") }
        if components.isEmpty { throw .unsafePath(entry: name, reason: "names no file or folder") }
        return components
    }
}

extension Data {
    /// Little-endian reads at an offset from the start; callers check the bounds first.
    func le16(_ offset: Int) -> UInt16 {
        let i = startIndex + offset
        return UInt16(self[i]) | UInt16(self[i + 1]) << 8
    }

    func le32(_ offset: Int) -> UInt32 {
        UInt32(le16(offset)) | UInt32(le16(offset + 2)) << 16
    }
}
