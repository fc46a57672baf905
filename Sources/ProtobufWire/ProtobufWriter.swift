/// The Protocol Buffers wire format, written by hand for the few messages specrun emits
/// (TensorBoard's Event and Summary, later ONNX's ModelProto): a field is a key, `number << 3 | wire
/// type`, as a varint, then its value. Fields are written in the order the caller writes them;
/// readers accept any order, and proto3 readers take an absent field as its default.
public struct ProtobufWriter: Sendable {
    /// The four wire types specrun uses (the deprecated groups, 3 and 4, are not written).
    public enum WireType: UInt8, Sendable {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    /// The encoded message so far.
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// Field numbers run from 1 to 2^29 - 1; 19000-19999 are reserved by the format.
    static func key(_ field: Int, _ type: WireType) -> UInt64 {
        precondition(field >= 1 && field < 1 << 29 && !(19000...19999).contains(field), "[protobuf] invalid field number \(field)")
        return UInt64(field) << 3 | UInt64(type.rawValue)
    }

    /// A base-128 varint: seven bits a byte, least significant first, the high bit set on all
    /// bytes but the last.
    public mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    private mutating func writeLittleEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    // MARK: varint fields

    /// `uint64`, `uint32`: the value as a varint.
    public mutating func uint64(_ field: Int, _ value: UInt64) {
        writeVarint(Self.key(field, .varint))
        writeVarint(value)
    }

    /// `int64`: two's complement as a varint, so a negative value takes ten bytes.
    public mutating func int64(_ field: Int, _ value: Int64) {
        uint64(field, UInt64(bitPattern: value))
    }

    /// `int32` and enums: sign-extended to 64 bits first, as the format requires (a negative
    /// value takes ten bytes, not five).
    public mutating func int32(_ field: Int, _ value: Int32) {
        int64(field, Int64(value))
    }

    public mutating func bool(_ field: Int, _ value: Bool) {
        uint64(field, value ? 1 : 0)
    }

    // MARK: fixed-width fields

    public mutating func fixed64(_ field: Int, _ value: UInt64) {
        writeVarint(Self.key(field, .fixed64))
        writeLittleEndian(value)
    }

    public mutating func fixed32(_ field: Int, _ value: UInt32) {
        writeVarint(Self.key(field, .fixed32))
        writeLittleEndian(value)
    }

    /// `double`: the IEEE 754 bits, little-endian.
    public mutating func double(_ field: Int, _ value: Double) {
        fixed64(field, value.bitPattern)
    }

    /// `float`: the IEEE 754 bits, little-endian.
    public mutating func float(_ field: Int, _ value: Float) {
        fixed32(field, value.bitPattern)
    }

    // MARK: length-delimited fields

    /// `bytes`: the length as a varint, then the bytes.
    public mutating func bytes<C: Collection>(_ field: Int, _ value: C) where C.Element == UInt8 {
        writeVarint(Self.key(field, .lengthDelimited))
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// `string`: its UTF-8 bytes.
    public mutating func string(_ field: Int, _ value: String) {
        bytes(field, Array(value.utf8))
    }

    /// An embedded message, built by `body` into a writer of its own.
    public mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        body(&inner)
        bytes(field, inner.bytes)
    }

    /// A packed `repeated float`: one length-delimited field holding the values back to back.
    public mutating func packedFloats(_ field: Int, _ values: [Float]) {
        var inner = ProtobufWriter()
        for v in values { inner.writeLittleEndian(v.bitPattern) }
        bytes(field, inner.bytes)
    }

    /// A packed `repeated int64`: one length-delimited field holding the varints back to back.
    public mutating func packedInt64s(_ field: Int, _ values: [Int64]) {
        var inner = ProtobufWriter()
        for v in values { inner.writeVarint(UInt64(bitPattern: v)) }
        bytes(field, inner.bytes)
    }
}
