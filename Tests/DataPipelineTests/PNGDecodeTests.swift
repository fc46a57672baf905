import DataPipeline
import Foundation
import Testing

/// Decoding every PNG colour type, bit depth and interlacing against PIL's `convert("L")` and
/// `convert("RGB")` (files and values from tools/goldens/png_decode.py).
@Suite struct PNGDecodeTests {
    struct Case: Decodable, CustomTestStringConvertible {
        var name: String
        var width: Int
        var height: Int
        var png: String
        var grey: [Int]
        var rgb: [Int]
        var testDescription: String { name }
        var bytes: [UInt8] { Array(Data(base64Encoded: png)!) }
    }

    struct File: Decodable { var cases: [Case] }

    static let cases = loadGolden("png_decode", as: File.self).cases

    @Test(arguments: cases)
    func greyMatchesPIL(_ c: Case) throws {
        let image = try PNG.decode(c.bytes, channels: 1, path: c.name)
        #expect(image.width == c.width && image.height == c.height && image.channels == 1)
        #expect(image.pixels.map(Int.init) == c.grey)
    }

    @Test(arguments: cases)
    func rgbMatchesPIL(_ c: Case) throws {
        let image = try PNG.decode(c.bytes, channels: 3, path: c.name)
        #expect(image.width == c.width && image.height == c.height && image.channels == 3)
        #expect(image.pixels.map(Int.init) == c.rgb)
    }
}
