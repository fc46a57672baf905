/// CRC-32C (Castagnoli, polynomial 0x1EDC6F41, reflected), the checksum TFRecord files use.
public enum CRC32C {
    /// One entry per byte value: the CRC of that byte alone, for the byte-at-a-time loop.
    private static let table: [UInt32] = (0..<256).map { byte in
        var crc = UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }

    /// The CRC-32C of `bytes` ("123456789" gives 0xE3069283).
    public static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { t in
            for b in bytes { crc = t[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
        }
        return ~crc
    }

    /// The checksum as TFRecord stores it: rotated right by 15 bits plus a constant, because a CRC
    /// computed over data that itself holds CRCs is weak (TensorFlow's lib/hash/crc32c.h).
    public static func masked<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        let crc = checksum(bytes)
        return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }
}
