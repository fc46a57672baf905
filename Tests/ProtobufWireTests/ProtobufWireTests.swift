import Foundation
import ProtobufWire
import Testing

/// The wire format byte for byte, against encodings worked out by hand from the format's rules
/// (the examples of protobuf's encoding guide among them), and read back.
@Suite struct ProtobufWireTests {
    func encoded(_ body: (inout ProtobufWriter) -> Void) -> [UInt8] {
        var w = ProtobufWriter()
        body(&w)
        return w.bytes
    }

    func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined(separator: " ") }

    @Test func varints() {
        let cases: [(UInt64, String)] = [
            (0, "00"), (1, "01"), (127, "7f"), (128, "80 01"), (150, "96 01"), (300, "ac 02"), (16_383, "ff 7f"),
            (16_384, "80 80 01"), (UInt64(UInt32.max), "ff ff ff ff 0f"),
            (UInt64.max, "ff ff ff ff ff ff ff ff ff 01"),
        ]
        for (value, expected) in cases {
            #expect(hex(encoded { $0.writeVarint(value) }) == expected, "varint \(value)")
        }
    }

    @Test func varintFields() {
        // Field 1, wire type 0: key 0x08.
        #expect(hex(encoded { $0.uint64(1, 150) }) == "08 96 01")
        // A negative int64 is its two's complement: ten bytes.
        #expect(hex(encoded { $0.int64(2, -1) }) == "10 ff ff ff ff ff ff ff ff ff 01")
        #expect(hex(encoded { $0.int64(2, -2) }) == "10 fe ff ff ff ff ff ff ff ff 01")
        // int32 and enums are sign-extended, so -1 also takes ten bytes.
        #expect(hex(encoded { $0.int32(3, -1) }) == "18 ff ff ff ff ff ff ff ff ff 01")
        #expect(hex(encoded { $0.int32(3, 1) }) == "18 01")
        #expect(hex(encoded { $0.bool(4, true); $0.bool(5, false) }) == "20 01 28 00")
        // Field 16 needs a two-byte key: (16 << 3) | 0 = 128.
        #expect(hex(encoded { $0.uint64(16, 1) }) == "80 01 01")
    }

    @Test func fixedWidthFields() {
        // Field 1, wire type 1 (key 0x09); 1.5 is 0x3FF8000000000000.
        #expect(hex(encoded { $0.double(1, 1.5) }) == "09 00 00 00 00 00 00 f8 3f")
        // Field 2, wire type 5 (key 0x15); 1.0f is 0x3F800000.
        #expect(hex(encoded { $0.float(2, 1) }) == "15 00 00 80 3f")
        #expect(hex(encoded { $0.float(2, -0.0) }) == "15 00 00 00 80")
        #expect(hex(encoded { $0.fixed32(3, 0x0102_0304) }) == "1d 04 03 02 01")
        #expect(hex(encoded { $0.fixed64(4, 0x0102_0304_0506_0708) }) == "21 08 07 06 05 04 03 02 01")
    }

    @Test func lengthDelimitedFields() {
        #expect(hex(encoded { $0.string(2, "testing") }) == "12 07 74 65 73 74 69 6e 67")
        #expect(hex(encoded { $0.string(2, "") }) == "12 00")
        #expect(hex(encoded { $0.string(1, "é") }) == "0a 02 c3 a9")
        // An embedded message: field 3 holding field 1 = 150.
        #expect(hex(encoded { $0.message(3) { $0.uint64(1, 150) } }) == "1a 03 08 96 01")
        // A body of 200 bytes needs a two-byte length.
        let long = encoded { $0.bytes(1, [UInt8](repeating: 7, count: 200)) }
        #expect(Array(long.prefix(3)) == [0x0A, 0xC8, 0x01] && long.count == 203)
        // Packed repeated fields: one key, the length, the values back to back.
        #expect(hex(encoded { $0.packedInt64s(4, [3, 270, 86942]) }) == "22 06 03 8e 02 9e a7 05")
        #expect(hex(encoded { $0.packedFloats(5, [1, -2]) }) == "2a 08 00 00 80 3f 00 00 00 c0")
        #expect(hex(encoded { $0.packedInt64s(4, []) }) == "22 00")
    }

    @Test func readsBackWhatWasWritten() throws {
        let bytes = encoded { w in
            w.uint64(1, UInt64.max)
            w.int64(2, -5)
            w.double(3, .pi)
            w.float(4, 0.1)
            w.string(5, "tag/with/slashes")
            w.message(6) { $0.int32(1, 1) }
            w.fixed32(536_870_911, 9)  // the largest field number
        }
        var reader = ProtobufReader(bytes)
        let fields = try reader.fields()
        #expect(fields.map(\.number) == [1, 2, 3, 4, 5, 6, 536_870_911])
        #expect(fields[0].value == .varint(UInt64.max))
        #expect(fields[1].value.int64 == -5)
        #expect(fields[2].value.double == .pi)
        #expect(fields[3].value.float == 0.1)
        #expect(fields[4].value.string == "tag/with/slashes")
        #expect(fields[5].value.bytes == [0x08, 0x01])
        #expect(fields[6].value == .fixed32(9))
        #expect(reader.isAtEnd)
    }

    @Test func malformedInputIsAnErrorWithItsPlace() {
        func firstError(_ bytes: [UInt8]) -> ProtobufError? {
            var reader = ProtobufReader(bytes)
            do { _ = try reader.fields(); return nil } catch { return error }
        }
        #expect(firstError([0x08]) == .truncated(offset: 1))                    // a key and no value
        #expect(firstError([0x08, 0x80]) == .truncated(offset: 1))              // a varint that never ends
        #expect(firstError([0x12, 0x05, 0x61]) == .truncated(offset: 0))        // length 5, one byte
        #expect(firstError([0x15, 0x00, 0x00]) == .truncated(offset: 1))        // fixed32 cut short
        #expect(firstError([0x0B]) == .unsupportedWireType(3, offset: 0))       // a group
        #expect(firstError([0x00, 0x01]) == .invalidFieldNumber(offset: 0))     // field 0
        #expect(firstError([0x08] + [UInt8](repeating: 0xFF, count: 9) + [0x02]) == .varintTooLong(offset: 1))
        #expect(firstError([]) == nil)
    }
}
