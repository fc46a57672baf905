import Foundation
import ProtobufWire
import TensorBoard
import Testing

/// The event file format without TensorBoard: CRC-32C against published test vectors, TFRecord
/// framing byte for byte, Event messages by their field numbers, and the resume rules of the writer.
/// (RunnerTests has TensorBoard's own reader on a real run, when tensorboard is installed.)
@Suite struct TensorBoardTests {
    @Test func crc32cTestVectors() {
        // The check value of the CRC catalogue, and the four of RFC 3720 (iSCSI), appendix B.4.
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map(UInt8.init)) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).reversed().map(UInt8.init)) == 0x113F_DB5C)
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }

    @Test func maskedCRCRotatesAndAddsTheConstant() {
        let crc: UInt32 = 0xE306_9283
        #expect(CRC32C.masked(Array("123456789".utf8)) == ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8)
        // The empty record's masked CRC, as every TFRecord reader computes it.
        #expect(CRC32C.masked([UInt8]()) == 0xA282_EAD8)
    }

    @Test func recordFraming() {
        let data: [UInt8] = Array("abc".utf8)
        let record = TFRecord.frame(data)
        #expect(record.count == 8 + 4 + 3 + 4)
        #expect(Array(record[0..<8]) == [3, 0, 0, 0, 0, 0, 0, 0])
        let lengthCRC = CRC32C.masked(record[0..<8])
        #expect(Array(record[8..<12]) == [UInt8(lengthCRC & 0xFF), UInt8(lengthCRC >> 8 & 0xFF), UInt8(lengthCRC >> 16 & 0xFF), UInt8(lengthCRC >> 24)])
        #expect(Array(record[12..<15]) == data)
        let dataCRC = CRC32C.masked(data)
        #expect(Array(record[15..<19]) == [UInt8(dataCRC & 0xFF), UInt8(dataCRC >> 8 & 0xFF), UInt8(dataCRC >> 16 & 0xFF), UInt8(dataCRC >> 24)])
    }

    @Test func recordsStopAtATornOrCorruptRecord() {
        let a = TFRecord.frame([1, 2, 3]), b = TFRecord.frame([4, 5])
        let whole = TFRecord.records(in: a + b)
        #expect(whole.records == [[1, 2, 3], [4, 5]] && whole.goodBytes == a.count + b.count && whole.problem == nil)
        let torn = TFRecord.records(in: a + b.dropLast(2))
        #expect(torn.records == [[1, 2, 3]] && torn.goodBytes == a.count)
        #expect(torn.problem == "the record at byte 19 is cut short")
        var flipped = a + b
        flipped[a.count + 13] ^= 1  // a data byte of the second record
        #expect(TFRecord.records(in: flipped).problem == "the data checksum of the record at byte 19 is wrong")
        var badLength = a + b
        badLength[a.count] = 9
        #expect(TFRecord.records(in: badLength).problem == "the length checksum of the record at byte 19 is wrong")
    }

    @Test func eventFieldsAreTensorFlowsNumbers() {
        // Event{wall_time: 1.5 (field 1, double), step: 3 (field 2), summary (field 5) {value (field 1)
        // {tag (field 1): "a", simple_value (field 2): 2.0}}}
        let scalar = Event(wallTime: 1.5, step: 3, content: .scalars([.init("a", 2)])).encoded()
        #expect(scalar == [0x09, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F, 0x10, 0x03,
                           0x2A, 0x0A, 0x0A, 0x08, 0x0A, 0x01, 0x61, 0x15, 0x00, 0x00, 0x00, 0x40])
        // file_version is field 3; SessionLog (field 7) with status (field 1) START = 1.
        let version = Event(wallTime: 0, step: 0, content: .fileVersion("brain.Event:2")).encoded()
        #expect(Array(version.suffix(15)) == [0x1A, 0x0D] + Array("brain.Event:2".utf8))
        let start = Event(wallTime: 0, step: 7, content: .sessionStart).encoded()
        #expect(Array(start.suffix(6)) == [0x10, 0x07, 0x3A, 0x02, 0x08, 0x01])
    }

    @Test func eventsReadBack() throws {
        let events = [
            Event(wallTime: 1_700_000_000.25, step: 0, content: .fileVersion(Event.fileVersion)),
            Event(wallTime: 1_700_000_001, step: 12, content: .scalars([.init("loss/train", 0.6931), .init("lr", 1e-3), .init("x", .nan)])),
            Event(wallTime: 1_700_000_002, step: 13, content: .sessionStart),
        ]
        for event in events {
            let back = try #require(try Event(decoding: event.encoded()))
            #expect(back.wallTime == event.wallTime && back.step == event.step)
            if case .scalars(let s) = event.content, case .scalars(let t) = back.content {
                #expect(s.map(\.tag) == t.map(\.tag) && zip(s, t).allSatisfy { $0.value.bitPattern == $1.value.bitPattern })
            } else {
                #expect(back.content == event.content)
            }
            #expect(try Event.step(of: event.encoded()) == event.step)
        }
    }

    /// Every event of a folder's files, in the order a reader meets them.
    func readFolder(_ folder: URL) throws -> [Event] {
        try EventFileWriter.eventFiles(in: folder).flatMap { name -> [Event] in
            let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
            let (records, good, _) = TFRecord.records(in: bytes)
            #expect(good == bytes.count)
            return try records.compactMap { try Event(decoding: $0) }
        }
    }

    func scalarSteps(_ events: [Event]) -> [Int64] {
        events.compactMap { if case .scalars = $0.content { $0.step } else { nil } }
    }

    @Test func aNewRunWritesTheVersionFirstAndAppends() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tb-new-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let writer = EventFileWriter(folder: folder, hostname: "host")
        #expect(!FileManager.default.fileExists(atPath: folder.path))  // nothing before the first append
        try writer.append([Event(wallTime: 1, step: 1, content: .scalars([.init("a", 1)]))])
        try writer.append([Event(wallTime: 2, step: 2, content: .scalars([.init("a", 2)]))])
        let names = EventFileWriter.eventFiles(in: folder)
        #expect(names.count == 1 && names[0].hasPrefix("events.out.tfevents.") && names[0].contains(".host.\(getpid())."))
        let events = try readFolder(folder)
        #expect(events.first?.content == .fileVersion("brain.Event:2"))
        #expect(scalarSteps(events) == [1, 2])
        #expect(!events.contains { $0.content == .sessionStart })
    }

    @Test func aResumedRunDropsTheStepsItTrainsAgainAndMarksTheRestart() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tb-resume-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = EventFileWriter(folder: folder, hostname: "host")
        for step in 1...4 { try first.append([Event(wallTime: Double(step), step: Int64(step), content: .scalars([.init("a", Float(step))]))]) }
        // A crash mid-write leaves half a record at the end.
        let handle = try FileHandle(forWritingTo: first.file!)
        try handle.seekToEnd()
        try handle.write(contentsOf: TFRecord.frame([1, 2, 3, 4]).prefix(10))
        try handle.close()

        // Resumed from the checkpoint of step 2: steps 3 and 4 come again.
        let resumed = EventFileWriter(folder: folder, resumedAfter: 2, hostname: "host")
        try resumed.append([Event(wallTime: 10, step: 3, content: .scalars([.init("a", 30)]))])
        let names = EventFileWriter.eventFiles(in: folder)
        #expect(names.count == 2 && names.last == resumed.file?.lastPathComponent)  // the new file sorts last
        let events = try readFolder(folder)
        #expect(scalarSteps(events) == [1, 2, 3])
        let startIndex = try #require(events.firstIndex { $0.content == .sessionStart })
        #expect(events[startIndex].step == 3 && events[startIndex - 1].content == .fileVersion("brain.Event:2"))

        // Resumed again from step 0's point of view (no checkpoint kept anything): files with no
        // scalar left are deleted rather than left holding only their version record.
        try EventFileWriter.trim(folder, keepingStepsThrough: 0)
        #expect(EventFileWriter.eventFiles(in: folder).isEmpty)
    }

    @Test func fileNamesSortAfterExistingOnes() {
        let existing = ["events.out.tfevents.1700000005.other.1.0"]
        #expect(EventFileWriter.fileName(after: existing, now: 1_700_000_005.9, hostname: "h").hasPrefix("events.out.tfevents.1700000006.h."))
        #expect(EventFileWriter.fileName(after: existing, now: 1_700_000_100, hostname: "h").hasPrefix("events.out.tfevents.1700000100.h."))
        #expect(EventFileWriter.fileName(after: [], now: 5, hostname: "h").hasPrefix("events.out.tfevents.0000000005.h."))
    }
}
