/// TFRecord framing, the container of TensorBoard's event files: each record is
///
///     uint64 length, little-endian
///     uint32 masked CRC-32C of those 8 length bytes
///     length bytes of data
///     uint32 masked CRC-32C of the data
public enum TFRecord {
    /// One record around `data`.
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 16)
        let length = littleEndian(UInt64(data.count))
        out += length
        out += littleEndian(CRC32C.masked(length))
        out += data
        out += littleEndian(CRC32C.masked(data))
        return out
    }

    /// The records of a file, in order, up to the first one that is incomplete or fails its
    /// checksums (a file cut short by a crash ends that way), and how many bytes were good.
    public static func records(in bytes: [UInt8]) -> (records: [[UInt8]], goodBytes: Int, problem: String?) {
        var records: [[UInt8]] = []
        var offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= 12 else { return (records, offset, "a record header is cut short at byte \(offset)") }
            let lengthBytes = bytes[offset..<offset + 8]
            guard readUInt32(bytes, at: offset + 8) == CRC32C.masked(lengthBytes) else {
                return (records, offset, "the length checksum of the record at byte \(offset) is wrong")
            }
            let length = lengthBytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard length <= UInt64(bytes.count - offset - 16) else { return (records, offset, "the record at byte \(offset) is cut short") }
            let data = Array(bytes[offset + 12..<offset + 12 + Int(length)])
            guard readUInt32(bytes, at: offset + 12 + Int(length)) == CRC32C.masked(data) else {
                return (records, offset, "the data checksum of the record at byte \(offset) is wrong")
            }
            records.append(data)
            offset += 16 + Int(length)
        }
        return (records, offset, nil)
    }

    static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    private static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
    }
}
