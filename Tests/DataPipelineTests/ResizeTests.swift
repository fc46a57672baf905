import DataPipeline
import Testing

/// Antialiased bilinear resizing against torch's F.interpolate (tools/goldens/resize.py).
@Suite struct ResizeTests {
    struct Case: Decodable, CustomTestStringConvertible {
        var name: String
        var channels: Int
        var `in`: [Int]
        var out: [Int]
        var input: [Float]?
        var input_bytes: [Int]?
        var output: [Float]
        var testDescription: String { name }

        /// The bytes-like inputs are stored as the bytes; torch divided them by 255 in float32.
        var values: [Float] { input ?? input_bytes!.map { Float($0) / 255 } }
    }

    struct File: Decodable { var cases: [Case] }

    static let cases = loadGolden("resize", as: File.self).cases
    /// Cases whose windows have at most four taps, where the sums match torch's order exactly.
    static let exact: Set = ["omniglot_105_to_64", "up_7_to_13", "up_rgb_5x4_to_11x9", "identity"]

    @Test(arguments: cases)
    func matchesTorch(_ c: Case) {
        let result = Resize.bilinearAntialiased(c.values, channels: c.channels, height: c.in[0], width: c.in[1],
                                                outHeight: c.out[0], outWidth: c.out[1])
        #expect(result.count == c.output.count)
        var worst: Float = 0
        for (a, b) in zip(result, c.output) { worst = max(worst, abs(a - b)) }
        #expect(worst <= 1e-6, "\(c.name): largest difference from torch \(worst)")
        if Self.exact.contains(c.name) {
            #expect(result == c.output, "\(c.name): windows of up to four taps agree with torch bit for bit")
        }
    }

    @Test func constantImageStaysConstant() {
        let result = Resize.bilinearAntialiased([Float](repeating: 0.25, count: 3 * 17 * 9), channels: 3,
                                                height: 17, width: 9, outHeight: 5, outWidth: 13)
        #expect(result.allSatisfy { abs($0 - 0.25) < 1e-6 })
    }
}
