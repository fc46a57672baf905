import DataPipeline
import Testing

/// The PNG writer's round trips and the decoder's errors on broken files.
@Suite struct PNGTests {
    @Test func eightBitGreyRoundTrips() throws {
        let image = testImage(width: 13, height: 7, seed: 1)
        #expect(try PNG.decode(PNG.encode(image), channels: 1, path: "g.png") == image)
    }

    @Test func eightBitRGBRoundTrips() throws {
        let image = testImage(width: 6, height: 5, channels: 3, seed: 2)
        let bytes = try PNG.encode(image)
        #expect(bytes[25] == 2)  // IHDR colour type: RGB
        #expect(try PNG.decode(bytes, channels: 3, path: "c.png") == image)
    }

    @Test func oneBitGreyKeepsWhiteAndBlack() throws {
        let image = testImage(width: 105, height: 3, seed: 3)
        let bytes = try PNG.encode(image, bitDepth: .one)
        #expect(bytes[24] == 1 && bytes[25] == 0)  // IHDR bit depth 1, colour type grey
        let decoded = try PNG.decode(bytes, channels: 1, path: "b.png")
        #expect(decoded.pixels == image.pixels.map { $0 >= 128 ? 255 : 0 })
    }

    @Test func colourBecomesGreyByPILsLuma() throws {
        let rgb = PixelImage(width: 4, height: 1, channels: 3, pixels: [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 200, 30])
        let grey = try PNG.decode(PNG.encode(rgb), channels: 1, path: "c.png")
        // (R*19595 + G*38470 + B*7471 + 0x8000) >> 16
        #expect(grey.pixels == [76, 150, 29, 124])
        let back = try PNG.decode(PNG.encode(grey), channels: 3, path: "g.png")
        #expect(back.pixels == [76, 76, 76, 150, 150, 150, 29, 29, 29, 124, 124, 124])
    }

    @Test func writeThenReadAFile() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let image = testImage(width: 3, height: 2, channels: 3, seed: 4)
        try PNG.write(image, to: dir.file("x.png"))
        #expect(try PNG.read(dir.file("x.png"), channels: 3) == image)
        #expect(dataError { try PNG.write(image, to: dir.file("no/such/x.png")) }?.path == dir.file("no/such/x.png"))
    }

    @Test func brokenFilesAreErrorsNamingTheFile() throws {
        let good = try PNG.encode(testImage(width: 20, height: 20, seed: 5))
        func message(_ bytes: [UInt8]) -> String? {
            let error = dataError { _ = try PNG.decode(bytes, channels: 1, path: "/d/x.png") }
            #expect(error?.path == "/d/x.png")
            return error?.message
        }
        #expect(message([]) == "empty file, expected a PNG image")
        #expect(message(Array("GIF89a not a png".utf8)) == "not a PNG file")
        #expect(message(Array(good[0..<8])) == "corrupt PNG: file is truncated")
        for cut in [20, 33, 50, good.count - 30, good.count - 5] {
            #expect(message(Array(good[0..<cut]))?.hasPrefix("corrupt PNG: ") == true, "cut at \(cut)")
        }
        var flipped = good
        flipped[45] ^= 0x5A  // inside the compressed data: zlib fails before the chunk's CRC is checked
        #expect(message(flipped)?.hasPrefix("corrupt PNG: IDAT: ") == true)
        var badCRC = good
        badCRC[good.count - 13] ^= 1  // the IDAT chunk's CRC, just before the 12-byte IEND chunk
        #expect(message(badCRC) == "corrupt PNG: IDAT: CRC error")
        var badHeader = good
        badHeader[16] = 0xFF  // width of 4 billion pixels (and a wrong CRC)
        #expect(message(badHeader)?.hasPrefix("corrupt PNG: IHDR") == true)
    }

    @Test func unreadableFilesAreErrors() {
        let error = dataError { _ = try PNG.read("/nonexistent/x.png", channels: 1) }
        #expect(error == DataError("cannot open: No such file or directory", path: "/nonexistent/x.png"))
    }
}
