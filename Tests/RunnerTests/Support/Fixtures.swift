import DataPipeline
import Foundation
import Kernels

/// A temporary data root laid out as the shipped specs expect, with small made-up data:
/// `water/water_potability.csv` (with missing values),
/// `omniglot/images_background/<alphabet>/<character>/*.png` (105x105 1-bit, as Omniglot's) and
/// `shapes/manifest.csv` listing `shapes/images/*.png` (40x36 RGB: larger than the spec's size).
final class FixtureRoot {
    let url: URL
    var path: String { url.path }

    static let waterColumns = ["ph", "Hardness", "Solids", "Chloramines", "Sulfate", "Conductivity", "Organic_carbon",
                               "Trihalomethanes", "Turbidity", "Potability"]

    init(water rows: Int = 80, alphabets: Int = 3, characters: Int = 2, drawings: Int = 5) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("specrun-runner-\(getpid())-\(UUID().uuidString.prefix(8))")
        var rng = RandomGenerator(seed: 11)
        try FileManager.default.createDirectory(at: url.appendingPathComponent("water"), withIntermediateDirectories: true)
        var raw = FixtureRoot.waterColumns.joined(separator: ",") + "\n"
        for r in 0..<rows {
            let label = r % 2
            // Features carry the label a little, so a model can learn something.
            let features = (0..<9).map { _ in rng.uniform(0, 1) * 0.8 + Float(label) * 0.2 }
            let rawCells = features.enumerated().map { k, x in r % 7 == 3 && k == 0 ? "" : String(x * 100) }
            raw += rawCells.joined(separator: ",") + ",\(label)\n"
        }
        try raw.write(to: url.appendingPathComponent("water/water_potability.csv"), atomically: true, encoding: .utf8)

        for a in 0..<alphabets {
            for c in 0..<characters {
                let folder = url.appendingPathComponent("omniglot/images_background/Alphabet_\(a)/character\(String(format: "%02d", c + 1))")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for d in 0..<drawings {
                    try PNG.write(Self.stroke(alphabet: a, character: c, rng: &rng),
                                  to: folder.appendingPathComponent("\(a)\(c)_\(d).png").path, bitDepth: .one)
                }
            }
        }

        try FileManager.default.createDirectory(at: url.appendingPathComponent("shapes/images"), withIntermediateDirectories: true)
        var manifest = "file,kind,filled,area\n"
        for i in 0..<30 {
            let kind = ["circle", "square", "bar"][i % 3], filled = i % 2, size = 6 + i % 9
            let (image, area) = Self.shape(kind, filled: filled == 1, size: size, rng: &rng)
            try PNG.write(image, to: url.appendingPathComponent("shapes/images/\(i).png").path)
            manifest += "images/\(i).png,\(kind),\(filled),\(area)\n"
        }
        try manifest.write(to: url.appendingPathComponent("shapes/manifest.csv"), atomically: true, encoding: .utf8)
    }

    /// A coloured shape on a noisy background, and its area in pixels.
    static func shape(_ kind: String, filled: Bool, size: Int, rng: inout RandomGenerator) -> (PixelImage, Int) {
        let (width, height) = (40, 36)
        var pixels = (0..<(width * height * 3)).map { _ in UInt8(rng.nextInt(below: 40)) }
        var area = 0
        for y in 0..<height {
            for x in 0..<width {
                let (dx, dy) = (x - width / 2, y - height / 2)
                let inside = switch kind {
                case "circle": dx * dx + dy * dy <= size * size
                case "square": abs(dx) <= size && abs(dy) <= size
                default: abs(dx) <= size * 2 && abs(dy) <= size / 3
                }
                let edge = inside && !(filled || abs(dx) >= size - 1 || abs(dy) >= size - 1 || dx * dx + dy * dy >= (size - 1) * (size - 1))
                guard inside && !edge else { continue }
                area += 1
                for c in 0..<3 { pixels[(y * width + x) * 3 + c] = UInt8(120 + 60 * c) }
            }
        }
        return (PixelImage(width: width, height: height, channels: 3, pixels: pixels), area)
    }

    /// White paper with a dark bar whose place depends on the class, plus noise.
    static func stroke(alphabet: Int, character: Int, rng: inout RandomGenerator) -> PixelImage {
        let side = 105
        var pixels = [UInt8](repeating: 255, count: side * side)
        let row = 10 + alphabet * 25, column = 10 + character * 40
        for y in row..<(row + 12) { for x in column..<(column + 30) { pixels[y * side + x] = 0 } }
        for _ in 0..<200 { pixels[rng.nextInt(below: side * side)] = 0 }
        return PixelImage(width: side, height: side, channels: 1, pixels: pixels)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// The repository root (specs/ lives there).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

func shippedSpec(_ name: String) -> String { repositoryRoot.appendingPathComponent("specs/\(name).yaml").path }

/// A fresh folder for a test's run directories.
func temporaryFolder(_ label: String) -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("specrun-\(label)-\(getpid())-\(UUID().uuidString.prefix(8))")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
