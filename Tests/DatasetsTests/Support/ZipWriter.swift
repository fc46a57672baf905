import CZlib
import Foundation

/// Writes ZIP archives for fixtures, including deliberately hostile ones: every header field the
/// reader checks can be set to a lie.
struct ZipWriter {
    struct Entry {
        var name: String
        var data: [UInt8]
        var deflate = true
        /// Overrides the uncompressed size written into both headers (a lying bomb).
        var declaredSize: Int?
        /// Overrides the CRC-32 written into both headers.
        var declaredCRC: UInt32?
        /// st_mode in the high half of the external attributes, with a Unix "made by" host.
        var unixMode: UInt32?
    }

    private(set) var entries: [Entry] = []

    mutating func add(_ name: String, _ data: [UInt8], deflate: Bool = true) {
        entries.append(Entry(name: name, data: data, deflate: deflate))
    }

    mutating func add(_ name: String, text: String) { add(name, Array(text.utf8)) }

    mutating func addDirectory(_ name: String) { entries.append(Entry(name: name, data: [], deflate: false)) }

    mutating func add(_ entry: Entry) { entries.append(entry) }

    func archive() -> [UInt8] {
        var out = [UInt8](), directory = [UInt8]()
        for entry in entries {
            let name = Array(entry.name.utf8)
            let payload = entry.deflate ? rawDeflate(entry.data) : entry.data
            let crc = entry.declaredCRC ?? crc32Of(entry.data)
            let size = UInt32(entry.declaredSize ?? entry.data.count)
            let method: UInt16 = entry.deflate ? 8 : 0
            let offset = UInt32(out.count)
            out.le32(0x0403_4b50); out.le16(20); out.le16(0x0800); out.le16(method); out.le16(0); out.le16(0x21)
            out.le32(crc); out.le32(UInt32(payload.count)); out.le32(size)
            out.le16(UInt16(name.count)); out.le16(0)
            out += name
            out += payload

            directory.le32(0x0201_4b50)
            directory.le16(entry.unixMode == nil ? 20 : (3 << 8) | 20); directory.le16(20)
            directory.le16(0x0800); directory.le16(method); directory.le16(0); directory.le16(0x21)
            directory.le32(crc); directory.le32(UInt32(payload.count)); directory.le32(size)
            directory.le16(UInt16(name.count)); directory.le16(0); directory.le16(0); directory.le16(0)
            directory.le16(0); directory.le32((entry.unixMode ?? 0) << 16); directory.le32(offset)
            directory += name
        }
        let directoryOffset = UInt32(out.count)
        out += directory
        out.le32(0x0605_4b50); out.le16(0); out.le16(0)
        out.le16(UInt16(entries.count)); out.le16(UInt16(entries.count))
        out.le32(UInt32(directory.count)); out.le32(directoryOffset); out.le16(0)
        return out
    }

    func write(to url: URL) throws { try Data(archive()).write(to: url) }
}

func crc32Of(_ bytes: [UInt8]) -> UInt32 {
    bytes.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
}

/// Raw deflate (no zlib header), as ZIP stores it.
func rawDeflate(_ input: [UInt8]) -> [UInt8] {
    var stream = z_stream()
    precondition(deflateInit2_(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY,
                               zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK)
    defer { deflateEnd(&stream) }
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 16)
    var source = input
    let produced = source.withUnsafeMutableBufferPointer { src in
        output.withUnsafeMutableBufferPointer { dst in
            stream.next_in = src.baseAddress
            stream.avail_in = uInt(src.count)
            stream.next_out = dst.baseAddress
            stream.avail_out = uInt(dst.count)
            precondition(deflate(&stream, Z_FINISH) == Z_STREAM_END)
            return dst.count - Int(stream.avail_out)
        }
    }
    return Array(output[0..<produced])
}

extension [UInt8] {
    mutating func le16(_ value: UInt16) { append(UInt8(value & 0xff)); append(UInt8(value >> 8)) }
    mutating func le32(_ value: UInt32) { le16(UInt16(value & 0xffff)); le16(UInt16(value >> 16)) }
}
