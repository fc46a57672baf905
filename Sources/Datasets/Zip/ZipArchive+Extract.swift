import CZlib
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What an extraction wrote.
public struct UnpackSummary: Sendable, Hashable {
    public var files = 0
    public var directories = 0
    public var bytes = 0
}

extension ZipArchive {
    /// Unpacks every entry into `destination`, which must not exist yet: it is created, and removed
    /// again if anything fails, so an extraction either completes or leaves nothing.
    ///
    /// Size limits are checked against the declared sizes before anything is written, and each
    /// entry is stopped as soon as it inflates past its declared size. Every file's CRC-32 and size
    /// are checked. `progress` gets (entries done, entry count) after each entry.
    public func extract(into destination: URL, limits: UnpackLimits = UnpackLimits(),
                        progress: (Int, Int) -> Void = { _, _ in }) throws(ZipError) -> UnpackSummary {
        try checkLimits(limits)
        let root = destination.standardizedFileURL
        do { try FileManager.default.createDirectory(at: root, withIntermediateDirectories: false) } catch {
            throw .io(path: root.path, reason: "cannot create the destination: \(SystemText.reason(error))")
        }
        do {
            var summary = UnpackSummary()
            var buffer = [UInt8](repeating: 0, count: 1 << 18)
            for (index, entry) in entries.enumerated() {
                let target = entry.components.reduce(root) { $0.appendingPathComponent($1) }
                if entry.isDirectory {
                    try makeDirectory(target)
                    summary.directories += 1
                } else {
                    try makeDirectory(target.deletingLastPathComponent())
                    summary.bytes += try write(entry, to: target, buffer: &buffer)
                    summary.files += 1
                }
                progress(index + 1, entries.count)
            }
            return summary
        } catch {
            try? FileManager.default.removeItem(at: root)
            throw error
        }
    }

    private func checkLimits(_ limits: UnpackLimits) throws(ZipError) {
        if entries.count > limits.maxEntries { throw .tooManyEntries(count: entries.count, limit: limits.maxEntries) }
        let declared = entries.reduce(0) { $0 + $1.uncompressedSize }
        if declared > limits.maxTotalBytes { throw .tooLarge(declaredBytes: declared, limit: limits.maxTotalBytes) }
        for entry in entries where entry.uncompressedSize > limits.ratioAppliesAbove
            && entry.uncompressedSize / max(entry.compressedSize, 1) > limits.maxCompressionRatio {
            throw .compressionRatio(entry: entry.name, compressedBytes: entry.compressedSize,
                                    expandedBytes: entry.uncompressedSize, limit: limits.maxCompressionRatio)
        }
    }

    private func makeDirectory(_ url: URL) throws(ZipError) {
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw .io(path: url.path, reason: SystemText.reason(error))
        }
    }

    /// The entry's compressed bytes, after checking its local header agrees with the directory.
    private func payloadRange(of entry: ZipEntry) throws(ZipError) -> Range<Int> {
        let o = entry.localHeaderOffset
        guard o + 30 <= bytes.count, bytes.le32(o) == Self.localSignature else {
            throw .corruptEntry(entry: entry.name, reason: "no local header at offset \(o)")
        }
        let nameLength = Int(bytes.le16(o + 26)), extraLength = Int(bytes.le16(o + 28))
        let start = o + 30 + nameLength + extraLength
        guard start + entry.compressedSize <= bytes.count else {
            throw .corruptEntry(entry: entry.name, reason: "data runs past the end of the file (truncated?)")
        }
        // Some tools unpack by the local name; a mismatch is how archives smuggle a second path.
        guard Self.decodeName(bytes.subdata(in: o + 30 ..< o + 30 + nameLength)) == entry.name else {
            throw .corruptEntry(entry: entry.name, reason: "local header names a different file")
        }
        return start ..< start + entry.compressedSize
    }

    /// Writes one file, checking its size and CRC-32; returns the bytes written.
    private func write(_ entry: ZipEntry, to target: URL, buffer: inout [UInt8]) throws(ZipError) -> Int {
        let range = try payloadRange(of: entry)
        if entry.method == 0 && entry.compressedSize != entry.uncompressedSize {
            throw .corruptEntry(entry: entry.name, reason: "stored entry with compressed size \(entry.compressedSize) "
                                + "!= size \(entry.uncompressedSize)")
        }
        let file = try OutputFile(creating: target)
        defer { file.close() }
        var crc = CRC32()
        let written: Int = try withBytes(range) { (input) throws(ZipError) -> Int in
            let sink = { (chunk: UnsafeRawBufferPointer) throws(ZipError) in
                crc.update(chunk)
                try file.write(chunk)
            }
            if entry.method == 0 {
                try sink(input)
                return input.count
            }
            let inflated = buffer.withUnsafeMutableBytes { out in
                Result { () throws(ZipError) -> Int in
                    try inflateRaw(input, into: out, limit: entry.uncompressedSize, entry: entry.name, sink: sink)
                }
            }
            return try inflated.get()
        }
        guard written == entry.uncompressedSize else {
            throw .corruptEntry(entry: entry.name, reason: "\(written) bytes unpacked, header says \(entry.uncompressedSize)")
        }
        guard crc.value == entry.crc32 else {
            throw .corruptEntry(entry: entry.name, reason: "CRC-32 is \(hex8(crc.value)), header says \(hex8(entry.crc32))")
        }
        return written
    }

    private func withBytes<R>(_ range: Range<Int>,
                              _ body: (UnsafeRawBufferPointer) throws(ZipError) -> R) throws(ZipError) -> R {
        let result = bytes.withUnsafeBytes { all in
            Result { () throws(ZipError) -> R in try body(UnsafeRawBufferPointer(rebasing: all[range])) }
        }
        return try result.get()
    }
}

private func hex8(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 8 - digits.count) + digits
}

/// Inflates raw deflate data (no zlib header, as ZIP stores it), handing each piece to `sink`, and
/// stops as soon as the output passes `limit`: a lying header cannot make it fill the disk.
func inflateRaw(_ input: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer, limit: Int,
                entry: String, sink: (UnsafeRawBufferPointer) throws(ZipError) -> Void) throws(ZipError) -> Int {
    var stream = z_stream()
    // Negative window bits select raw deflate with zlib's largest (32 KiB) window.
    guard inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
        throw .corruptEntry(entry: entry, reason: "zlib could not start inflating")
    }
    defer { inflateEnd(&stream) }
    stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
    stream.avail_in = uInt(input.count)
    var produced = 0
    while true {
        stream.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(out.count)
        let status = inflate(&stream, Z_NO_FLUSH)
        let count = out.count - Int(stream.avail_out)
        produced += count
        if produced > limit { throw .expandsPastDeclaredSize(entry: entry, declaredBytes: limit) }
        if count > 0 { try sink(UnsafeRawBufferPointer(rebasing: out[0..<count])) }
        switch status {
        case Z_STREAM_END: return produced
        case Z_OK: continue
        // No progress possible with room left for output: the input ran out mid-stream.
        case Z_BUF_ERROR: throw .corruptEntry(entry: entry, reason: "deflate data ends early (truncated?)")
        default:
            let message = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
            throw .corruptEntry(entry: entry, reason: "bad deflate data (\(message))")
        }
    }
}

/// A new file opened with O_EXCL: an entry never replaces a file, so a duplicated name in an
/// archive is an error rather than a silent overwrite.
private struct OutputFile {
    let descriptor: Int32
    let path: String

    init(creating url: URL) throws(ZipError) {
        path = url.path
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if descriptor < 0 { throw .io(path: path, reason: String(cString: strerror(errno))) }
    }

    func write(_ chunk: UnsafeRawBufferPointer) throws(ZipError) {
        var offset = 0
        while offset < chunk.count {
            let n = Glibc.write(descriptor, chunk.baseAddress! + offset, chunk.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, reason: String(cString: strerror(errno)))
            }
            offset += n
        }
    }

    func close() { _ = Glibc.close(descriptor) }
}
