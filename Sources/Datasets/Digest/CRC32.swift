import CZlib

/// CRC-32 (ISO-HDLC, the ZIP and PNG checksum), computed by zlib, which is linked for inflate anyway.
public struct CRC32: Sendable {
    public private(set) var value: UInt32 = 0

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var base = bytes.baseAddress?.assumingMemoryBound(to: Bytef.self) else { return }
        var remaining = bytes.count
        // zlib takes a 32-bit length; feed larger buffers in pieces.
        while remaining > 0 {
            let piece = min(remaining, 1 << 30)
            value = UInt32(crc32(uLong(value), base, uInt(piece)))
            base += piece
            remaining -= piece
        }
    }

    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc = CRC32()
        let array = Array(bytes)
        array.withUnsafeBytes { crc.update($0) }
        return crc.value
    }
}
