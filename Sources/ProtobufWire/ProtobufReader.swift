/// Reads the fields of an encoded message one at a time, without a schema: enough to check what
/// `ProtobufWriter` wrote and to read back specrun's own files (TensorBoard event files on resume).
public struct ProtobufReader: Sendable {
    /// One field as it appears on the wire; the schema says how to read the value.
    public struct Field: Sendable, Equatable {
        public var number: Int
        public var value: Value
    }

    public enum Value: Sendable, Equatable {
        case varint(UInt64)
        case fixed64(UInt64)
        case lengthDelimited([UInt8])
        case fixed32(UInt32)

        /// `int64`, `int32` and enum fields (negative values are sign-extended on the wire).
        public var int64: Int64? { if case .varint(let v) = self { Int64(bitPattern: v) } else { nil } }
        public var double: Double? { if case .fixed64(let v) = self { Double(bitPattern: v) } else { nil } }
        public var float: Float? { if case .fixed32(let v) = self { Float(bitPattern: v) } else { nil } }
        public var bytes: [UInt8]? { if case .lengthDelimited(let b) = self { b } else { nil } }
        public var string: String? { bytes.map { String(decoding: $0, as: UTF8.self) } }
    }

    private let bytes: [UInt8]
    private var offset = 0

    public init<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        self.bytes = Array(bytes)
    }

    /// True when every byte has been read.
    public var isAtEnd: Bool { offset == bytes.count }

    /// The next field, or nil at the end of the message.
    public mutating func next() throws(ProtobufError) -> Field? {
        guard !isAtEnd else { return nil }
        let start = offset
        let key = try readVarint()
        guard key >> 3 >= 1 && key >> 3 < 1 << 29 else { throw .invalidFieldNumber(offset: start) }
        let number = Int(key >> 3)
        switch key & 7 {
        case 0: return Field(number: number, value: .varint(try readVarint()))
        case 1: return Field(number: number, value: .fixed64(try readLittleEndian(UInt64.self)))
        case 2:
            let length = try readVarint()
            guard length <= UInt64(bytes.count - offset) else { throw .truncated(offset: start) }
            let value = Array(bytes[offset..<offset + Int(length)])
            offset += Int(length)
            return Field(number: number, value: .lengthDelimited(value))
        case 5: return Field(number: number, value: .fixed32(try readLittleEndian(UInt32.self)))
        default: throw .unsupportedWireType(Int(key & 7), offset: start)
        }
    }

    /// Every remaining field, in order.
    public mutating func fields() throws(ProtobufError) -> [Field] {
        var all: [Field] = []
        while let field = try next() { all.append(field) }
        return all
    }

    private mutating func readVarint() throws(ProtobufError) -> UInt64 {
        let start = offset
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 70, by: 7) {
            guard offset < bytes.count else { throw .truncated(offset: start) }
            let byte = bytes[offset]
            offset += 1
            // The tenth byte may carry only the 64th bit.
            if shift == 63 && byte > 1 { throw .varintTooLong(offset: start) }
            value |= UInt64(byte & 0x7F) << UInt64(shift)
            if byte < 0x80 { return value }
        }
        throw .varintTooLong(offset: start)
    }

    private mutating func readLittleEndian<T: FixedWidthInteger>(_: T.Type) throws(ProtobufError) -> T {
        let size = MemoryLayout<T>.size
        guard bytes.count - offset >= size else { throw .truncated(offset: offset) }
        var value: T = 0
        for i in 0..<size { value |= T(bytes[offset + i]) << (8 * i) }
        offset += size
        return value
    }
}

/// What is wrong with an encoded message, and at which byte.
public enum ProtobufError: Error, Equatable, CustomStringConvertible {
    case truncated(offset: Int)
    case varintTooLong(offset: Int)
    case invalidFieldNumber(offset: Int)
    case unsupportedWireType(Int, offset: Int)

    public var description: String {
        switch self {
        case .truncated(let o): "protobuf message truncated at byte \(o)"
        case .varintTooLong(let o): "protobuf varint longer than 64 bits at byte \(o)"
        case .invalidFieldNumber(let o): "protobuf field number 0 or too large at byte \(o)"
        case .unsupportedWireType(let t, let o): "protobuf wire type \(t) (groups are not supported) at byte \(o)"
        }
    }
}
