import DataPipeline
import Diagnostics
import Foundation
import Testing

/// Careless and hostile data (issue 13): every problem is refused at load, from what the file
/// declares, before the work it would cost, with a short message that names the place.
@Suite struct HostileDataTests {
    func loadCSV(_ text: String, missing: MissingValues = .error, fields: [FieldConfig], fitted: DataStatistics? = nil) throws -> Dataset {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        dir.write(text, to: "t.csv")
        return try Dataset(config: DataConfig(source: .csv(CSVSource(path: "t.csv", missing: missing)), fields: fields),
                           dataRoot: dir.path, fitted: fitted)
    }

    let features = FieldConfig("x", .features(FeatureField(columns: .named(["a", "b"]))))
    let target = FieldConfig("y", .target(column: "t"))

    /// `1e39` is a finite Double but an infinite Float32: it would turn the loss into NaN far from
    /// the cell. No missing-value policy applies to it: it is a number, just too large.
    @Test(arguments: MissingValues.allCases) func aValueBeyondFloat32IsRefusedWithLineAndColumn(_ missing: MissingValues) {
        let csv = "a,b,t\n1,2,0\n3,1e39,1\n5,6,0\n"
        #expect(dataError { _ = try loadCSV(csv, missing: missing, fields: [features, target]) }?.message
                == "line 3, column 'b': value '1e39' is beyond what a Float32 holds (about 3.4e38)")
        #expect(dataError { _ = try loadCSV("a,b,t\n1,2,0\n3,4,-4e38\n", missing: missing, fields: [features, target]) }?.message
                == "line 3, column 't': target value '-4e38' is beyond what a Float32 holds (about 3.4e38)")
        // The largest Float32 itself is fine, and so is a label spelled like a big number (it is text).
        #expect(throws: Never.self) { _ = try loadCSV("a,b,t\n1,3.4e38,0\n3,4,1\n", missing: missing, fields: [features, target]) }
        #expect(throws: Never.self) { _ = try loadCSV("a,b,t\n1,2,1e39\n3,4,0\n", missing: missing, fields: [features, FieldConfig("y", .label("t"))]) }
    }

    /// A cell is a number only when it is written as a decimal number: `Double(_:)` stops at a NUL
    /// byte (`0.5\0garbage` read as 0.5) and takes hexadecimal floats and `inf`.
    @Test func onlyDecimalNumbersAreNumbers() {
        for cell in ["0.5\u{0}garbage", "0x1p3", "inf", "-infinity", "1_000", "1e", "e5", "--1", "1e+-5"] {
            #expect(dataError { _ = try loadCSV("a,b,t\n1,\(cell),0\n3,4,1\n", fields: [features, target]) }?.message
                    == "line 2, column 'b': non-numeric value \(excerpt(cell)) (missing: error)", "\(cell)")
        }
        for cell in ["-1.5e-3", "+2", ".5", "5.", "1E+05", "007"] {
            #expect(throws: Never.self, "\(cell)") { _ = try loadCSV("a,b,t\n1,\(cell),0\n3,4,1\n", fields: [features, target]) }
        }
    }

    /// Scaling can still leave Float32's range (a value far outside the fitted spread).
    @Test func aValueThatOverflowsWhenNormalisedIsRefused() {
        let stats = DataStatistics(features: ["x": FeatureStatistics(columns: ["a", "b"], normalization: .minmax, imputed: nil,
                                                                     shift: [0, 0], scale: [1, 1e-30])])
        #expect(dataError { _ = try loadCSV("a,b,t\n1,2,0\n3,1e20,1\n", fields: [features, target], fitted: stats) }?.message
                == "line 3, column 'b': 1e+20 becomes inf after minmax normalisation (shift 0.0, scale 1e-30)")
    }

    /// Saved statistics come from files a person can edit; a short scale list used to index out
    /// of range while normalising.
    @Test func damagedSavedStatisticsAreRefused() {
        func stats(shift: [Double], scale: [Double], imputed: [Double]? = nil) -> DataStatistics {
            DataStatistics(features: ["x": FeatureStatistics(columns: ["a", "b"], normalization: .zscore, imputed: imputed, shift: shift, scale: scale)])
        }
        let csv = "a,b,t\n1,2,0\n3,4,1\n"
        let cases: [(DataStatistics, String)] = [
            (stats(shift: [0, 0], scale: [1]), "features field 'x': 2 columns but 2 shifts, 1 scales"),
            (stats(shift: [0], scale: [1, 1]), "features field 'x': 2 columns but 1 shifts, 2 scales"),
            (stats(shift: [0, 0], scale: [1, 1], imputed: [0]), "features field 'x': 2 columns but 2 shifts, 2 scales and 1 imputed values"),
            (stats(shift: [0, 0], scale: [1, 0]), "features field 'x': column 'b' has scale 0.0"),
            (stats(shift: [0, .nan], scale: [1, 1]), "features field 'x': column 'b' has shift nan"),
            (DataStatistics(classes: ["t": ["a", "a"]]), "label 't' names a class twice"),
        ]
        for (fitted, problem) in cases {
            let error = dataError { _ = try loadCSV(csv, fields: [features, target], fitted: fitted) }
            #expect(error?.message == "the saved statistics to apply to this data are damaged: \(problem)")
            #expect(error?.path.hasSuffix("/t.csv") == true)
        }
    }

    /// A 50 MB field used to be parsed, then echoed whole into a "one-line" error.
    @Test func aFieldLongerThanTheLimitIsRefusedUnread() {
        let long = String(repeating: "7", count: CSVTable.maxFieldBytes + 1)
        for csv in ["a,b,t\n1,\(long),0\n", "a,b,t\n1,\"\(long)\",0\n"] {
            let error = dataError { _ = try loadCSV(csv, fields: [features, target]) }
            #expect(error?.message == "line 2, field 2 is longer than 1048576 bytes; a CSV field holds a number or a label")
        }
    }

    /// Whatever a message quotes from the data, it quotes a short excerpt.
    @Test func messagesQuoteShortExcerpts() throws {
        let cell = String(repeating: "x", count: 5000)
        let error = try #require(dataError { _ = try loadCSV("a,b,t\n1,\(cell),0\n", fields: [features, target]) })
        #expect(error.message == "line 2, column 'b': non-numeric value '\(String(repeating: "x", count: 40))...' (5000 bytes) (missing: error)")
        let header = String(repeating: "h", count: 3000)
        let twice = try #require(dataError { _ = try loadCSV("\(header),\(header)\n1,2\n", fields: [features]) })
        #expect(twice.message.count < 200)
        #expect(excerpt("a\nb\u{0}c") == "'a\\nb\\u{0}c'")
        #expect(excerpt("short") == "'short'")
        #expect(excerpt(String(repeating: "é", count: 50), limit: 3) == "'ééé...' (100 bytes)")
    }

    /// Relative data paths stay inside the data root; an absolute path says where it reads.
    @Test func aRelativePathMayNotLeaveTheDataRoot() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        dir.write("a,b,t\n1,2,0\n3,4,1\n", to: "outside.csv")
        dir.write("a,b,t\n1,2,0\n3,4,1\n", to: "root/in/t.csv")
        func load(_ path: String) throws -> Dataset {
            try Dataset(config: DataConfig(source: .csv(CSVSource(path: path)), fields: [features, target]), dataRoot: dir.file("root"))
        }
        for path in ["../outside.csv", "in/../../outside.csv", "./../outside.csv"] {
            #expect(dataError { _ = try load(path) }?.message
                    == "the path '\(path)' leaves the data root '\(dir.file("root"))'; data paths are relative to it, so give an absolute path to read elsewhere")
        }
        #expect(try load("in/../in/t.csv").count == 2)
        #expect(try load(dir.file("outside.csv")).count == 2)
    }

    /// A PNG's header declares its size; the pixels are allocated from it. A 69-byte file that
    /// declares 30000x30000 RGBA took 3.5 GB and 10 s before failing: now its header is enough.
    @Test func anImageLargerThanTheLimitIsRefusedFromItsHeader() throws {
        let bomb = pngHeaderOnly(width: 30000, height: 30000, colorType: 6)
        #expect(bomb.count == 69)
        #expect(dataError { _ = try PNG.decode(bomb, channels: 1, path: "bomb.png") }
                == DataError("image is 30000x30000 (900000000 pixels), more than the 67108864 allowed "
                             + "(SPECRUN_MAX_IMAGE_PIXELS raises the limit)", path: "bomb.png"))
        let image = try PNG.encode(testImage(width: 100, height: 60, seed: 1))
        #expect(dataError { _ = try PNG.decode(image, channels: 1, path: "x.png", limits: ImageLimits(maxPixels: 5999)) }?.message
                .hasPrefix("image is 100x60 (6000 pixels), more than the 5999 allowed") == true)
        #expect(try PNG.decode(image, channels: 1, path: "x.png", limits: ImageLimits(maxPixels: 6000)).width == 100)
    }

    @Test func theImageLimitIsReadFromTheEnvironmentVariable() throws {
        #expect(ImageLimits.environmentVariable == "SPECRUN_MAX_IMAGE_PIXELS")
        #expect(try ImageLimits.parse("100_000_000").maxPixels == 100_000_000)
        for bad in ["0", "-5", "lots", "1e9", ""] {
            #expect(dataError { _ = try ImageLimits.parse(bad) }?.message
                    == "must be a positive whole number of pixels (width times height), got '\(bad)'")
        }
        #expect(ImageLimits.defaultMaxPixels == 1 << 26)
    }

    /// Decoded images stay in memory for the run: a size that can never fit is refused at start.
    @Test func imagesThatCannotFitInMemoryAreRefusedAtStart() {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        writeImageFolder(dir, root: "imgs", [("a", "b", 2)])
        let config = DataConfig(source: .imageFolder(ImageFolderSource(root: "imgs", levels: ["x", "y"])),
                                fields: [FieldConfig("image", .image(ImageField(channels: 3, size: [1 << 20, 1 << 20])))])
        let error = dataError { _ = try Dataset(config: config, dataRoot: dir.path) }
        #expect(error?.message.hasPrefix("2 images of 3x1048576x1048576 need 26388279066624 bytes decoded, more than this machine's ") == true,
                "\(String(describing: error))")
    }
}

/// A PNG made of its signature, an IHDR chunk declaring `width` x `height` at 8 bits, a 12-byte
/// IDAT and IEND: no pixel data to speak of, whatever it declares.
func pngHeaderOnly(width: UInt32, height: UInt32, colorType: UInt8) -> [UInt8] {
    func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + typed + bigEndian(crc32(typed))
    }
    func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
    let ihdr = bigEndian(width) + bigEndian(height) + [8, colorType, 0, 0, 0]
    return [137, 80, 78, 71, 13, 10, 26, 10] + chunk("IHDR", ihdr) + chunk("IDAT", [0x78, 0x9C] + [UInt8](repeating: 0, count: 10))
        + chunk("IEND", [])
}

/// CRC-32 (the PNG chunk checksum), bit by bit: test data is small.
func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes {
        crc ^= UInt32(b)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}
