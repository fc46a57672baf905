import Datasets
import Foundation
import Testing

@Suite struct ZipTests {
    private func archive(_ build: (inout ZipWriter) -> Void) throws -> ZipArchive {
        var writer = ZipWriter()
        build(&writer)
        return try ZipArchive(data: Data(writer.archive()))
    }

    @Test func unpacksStoredDeflatedAndNestedEntries() throws {
        let dir = try TemporaryDirectory()
        let big = (0..<600_000).map { UInt8(truncatingIfNeeded: ($0 * 7) % 251) }
        let zip = try archive {
            $0.addDirectory("top/")
            $0.add("top/a.txt", text: "hello")
            $0.add("top/sub/b.bin", big)
            $0.add("top/sub/c.txt", Array("stored".utf8), deflate: false)
            $0.add("top/empty", [])
            $0.add("top\\win\\d.txt", text: "backslash separators")
        }
        var reported = [(Int, Int)]()
        let summary = try zip.extract(into: dir.path("out")) { reported.append(($0, $1)) }
        let expectedBytes = 5 + big.count + 6 + 0 + 20
        #expect(summary.files == 5 && summary.directories == 1 && summary.bytes == expectedBytes)
        #expect(reported.last.map { [$0.0, $0.1] } == [6, 6])
        #expect(try String(contentsOf: dir.path("out/top/a.txt"), encoding: .utf8) == "hello")
        #expect(try Data(contentsOf: dir.path("out/top/sub/b.bin")) == Data(big))
        #expect(try String(contentsOf: dir.path("out/top/sub/c.txt"), encoding: .utf8) == "stored")
        #expect(try Data(contentsOf: dir.path("out/top/empty")).isEmpty)
        #expect(try String(contentsOf: dir.path("out/top/win/d.txt"), encoding: .utf8) == "backslash separators")
    }

    @Test(arguments: [
        ("../evil.txt", "'..' component"),
        ("top/../../evil.txt", "'..' component"),
        ("..\\evil.txt", "'..' component"),
        ("top\\..\\..\\evil.txt", "'..' component"),
        ("/tmp/evil.txt", "absolute path"),
        ("\\evil.txt", "absolute path"),
        ("C:\\evil.txt", "Windows drive path"),
        ("./", "names no file or folder"),
    ])
    func refusesEntriesOutsideTheDestination(name: String, reason: String) throws {
        var writer = ZipWriter()
        writer.add("top/fine.txt", text: "fine")
        writer.add(name, text: "escaped")
        #expect(throws: ZipError.unsafePath(entry: name, reason: reason)) {
            try ZipArchive(data: Data(writer.archive()))
        }
    }

    @Test func refusesSymlinkEntries() throws {
        var writer = ZipWriter()
        writer.add(.init(name: "top/link", data: Array("/etc/passwd".utf8), deflate: false, unixMode: 0o120777))
        #expect(throws: ZipError.symlink(entry: "top/link")) { try ZipArchive(data: Data(writer.archive())) }
        // A regular file from a Unix host is fine.
        writer = ZipWriter()
        writer.add(.init(name: "top/file", data: [1, 2, 3], deflate: false, unixMode: 0o100644))
        #expect(try ZipArchive(data: Data(writer.archive())).entries.count == 1)
    }

    @Test func refusesDeclaredSizesPastTheLimitBeforeWriting() throws {
        let dir = try TemporaryDirectory()
        let zip = try archive {
            $0.add("a.bin", [UInt8](repeating: 1, count: 3000))
            $0.add("b.bin", [UInt8](repeating: 2, count: 3000))
        }
        #expect(throws: ZipError.tooLarge(declaredBytes: 6000, limit: 5000)) {
            try zip.extract(into: dir.path("out"), limits: UnpackLimits(maxTotalBytes: 5000))
        }
        #expect(dir.listing().isEmpty)
    }

    @Test func refusesABombByItsCompressionRatio() throws {
        let dir = try TemporaryDirectory()
        let zeros = [UInt8](repeating: 0, count: 4 << 20)
        let zip = try archive { $0.add("bomb.bin", zeros) }
        let compressed = zip.entries[0].compressedSize
        #expect(throws: ZipError.compressionRatio(entry: "bomb.bin", compressedBytes: compressed,
                                                  expandedBytes: zeros.count, limit: 1000)) {
            try zip.extract(into: dir.path("out"))
        }
        #expect(dir.listing().isEmpty)
    }

    /// A header that understates the size passes the up-front checks; inflation must stop.
    @Test func stopsAnEntryThatInflatesPastItsDeclaredSize() throws {
        let dir = try TemporaryDirectory()
        let zip = try archive {
            $0.add("first.txt", text: "written before the bomb")
            $0.add(.init(name: "liar.bin", data: [UInt8](repeating: 0, count: 2 << 20), declaredSize: 1000))
        }
        #expect(throws: ZipError.expandsPastDeclaredSize(entry: "liar.bin", declaredBytes: 1000)) {
            try zip.extract(into: dir.path("out"))
        }
        #expect(dir.listing().isEmpty, "the partly unpacked destination must be removed")
    }

    @Test func refusesTruncatedArchives() throws {
        var writer = ZipWriter()
        writer.add("a.txt", text: String(repeating: "data ", count: 100))
        let bytes = writer.archive()
        for cut in [bytes.count / 2, bytes.count - 1, 10] {
            #expect(throws: ZipError.self) { try ZipArchive(data: Data(bytes[0..<cut])) }
        }
        #expect(throws: ZipError.malformed("no end-of-central-directory record; the file is truncated or not a ZIP archive")) {
            try ZipArchive(data: Data(bytes[0..<(bytes.count - 5)]))
        }
    }

    @Test func refusesCorruptData() throws {
        let dir = try TemporaryDirectory()
        var writer = ZipWriter()
        writer.add("a.txt", text: String(repeating: "some text to deflate ", count: 50))
        var bytes = writer.archive()
        // Flip bits inside the deflate stream (after the 30-byte header and the 5-byte name).
        for i in 40..<48 { bytes[i] ^= 0x5a }
        let zip = try ZipArchive(data: Data(bytes))
        #expect(throws: ZipError.self) { try zip.extract(into: dir.path("out")) }
        #expect(dir.listing().isEmpty)

        var lying = ZipWriter()
        lying.add(.init(name: "a.txt", data: Array("abc".utf8), declaredCRC: 0x1234_5678))
        #expect(throws: ZipError.corruptEntry(entry: "a.txt", reason: "CRC-32 is 352441c2, header says 12345678")) {
            try ZipArchive(data: Data(lying.archive())).extract(into: dir.path("out2"))
        }
        #expect(dir.listing().isEmpty)
    }

    @Test func refusesZip64AndDuplicateNames() throws {
        let dir = try TemporaryDirectory()
        var writer = ZipWriter()
        writer.add("a.txt", text: "x")
        var bytes = writer.archive()
        // Entry counts of 0xffff mean "see the ZIP64 record".
        bytes[bytes.count - 12] = 0xff; bytes[bytes.count - 11] = 0xff
        bytes[bytes.count - 14] = 0xff; bytes[bytes.count - 13] = 0xff
        #expect(throws: ZipError.unsupportedFormat("ZIP64 (over 4 GiB or 65,535 entries) is not supported")) {
            try ZipArchive(data: Data(bytes))
        }

        var duplicate = ZipWriter()
        duplicate.add("a.txt", text: "one")
        duplicate.add("a.txt", text: "two")
        #expect(throws: ZipError.self) { try ZipArchive(data: Data(duplicate.archive())).extract(into: dir.path("out")) }
        #expect(dir.listing().isEmpty)
    }
}
