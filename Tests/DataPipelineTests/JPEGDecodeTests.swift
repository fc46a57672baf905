import DataPipeline
import Foundation
import Testing

/// Decoding JPEG files made by PIL against PIL's own `convert("L")` and `convert("RGB")` of them
/// (files and values from tools/goldens/jpeg_decode.py): within one level everywhere. Both sides
/// run libjpeg-turbo's accurate IDCT and smooth upsampling, so in practice they agree exactly;
/// the tolerance allows for another libjpeg-turbo release on either side.
@Suite struct JPEGDecodeTests {
    struct Case: Decodable, CustomTestStringConvertible {
        var name: String
        var width: Int
        var height: Int
        var jpeg: String
        var grey: [Int]
        var rgb: [Int]
        var testDescription: String { name }
        var bytes: [UInt8] { Array(Data(base64Encoded: jpeg)!) }
    }

    struct File: Decodable {
        var cases: [Case]
        var cmyk: String
    }

    static let file = loadGolden("jpeg_decode", as: File.self)

    static func largestDifference(_ a: [UInt8], _ b: [Int]) -> Int {
        zip(a, b).map { abs(Int($0) - $1) }.max() ?? 0
    }

    /// Grey (PIL's `convert("L")`, luma of the decoded RGB) and RGB.
    @Test(arguments: file.cases, [1, 3])
    func matchesPIL(_ c: Case, channels: Int) throws {
        let image = try JPEG.decode(c.bytes, channels: channels, path: c.name)
        let expected = channels == 1 ? c.grey : c.rgb
        #expect(image.width == c.width && image.height == c.height && image.channels == channels)
        #expect(image.pixels.count == expected.count)
        #expect(Self.largestDifference(image.pixels, expected) <= 1, "\(c.name): \(channels) channels differ from PIL")
    }

    /// A file is recognised by its bytes, whatever its name: a JPEG named .png decodes.
    @Test func filesAreToldApartByTheirBytes() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let c = Self.file.cases[3]
        let path = dir.write(c.bytes, to: "photo.png")
        let image = try ImageFile.read(path, channels: 3)
        #expect(image.width == c.width && Self.largestDifference(image.pixels, c.rgb) <= 1)
        let gif = dir.write(Array("GIF89a....".utf8), to: "x.jpg")
        #expect(dataError { _ = try ImageFile.read(gif, channels: 1) } == DataError("not a PNG or JPEG file", path: gif))
        let empty = dir.write([], to: "e.jpg")
        #expect(dataError { _ = try ImageFile.read(empty, channels: 1) } == DataError("empty file, expected a PNG or JPEG image", path: empty))
    }

    @Test func badFilesAreRefusedInOneLine() {
        let bytes = Self.file.cases[3].bytes
        let truncated = dataError { _ = try JPEG.decode(Array(bytes.prefix(bytes.count / 2)), channels: 3, path: "t.jpg") }
        #expect(truncated?.message.hasPrefix("corrupt JPEG: ") == true, "\(String(describing: truncated))")
        let header = dataError { _ = try JPEG.decode(Array(bytes.prefix(40)), channels: 3, path: "h.jpg") }
        #expect(header?.message.hasPrefix("corrupt JPEG: ") == true, "\(String(describing: header))")
        #expect(dataError { _ = try JPEG.decode(Array(Data(base64Encoded: Self.file.cmyk)!), channels: 3, path: "c.jpg") }
                == DataError("CMYK JPEG images are not supported; convert the file to RGB", path: "c.jpg"))
        #expect(dataError { _ = try JPEG.decode(bytes, channels: 3, path: "big.jpg", limits: ImageLimits(maxPixels: 100)) }
                == DataError("image is 23x17 (391 pixels), more than the 100 allowed (SPECRUN_MAX_IMAGE_PIXELS raises the limit)", path: "big.jpg"))
    }
}
