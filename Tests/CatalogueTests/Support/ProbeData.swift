import DataPipeline
import Foundation
import Kernels

/// A small data root every probe reads: `probe.csv` (24 float columns `f0`...`f23`, a class
/// column `kind` with three classes, a float column `y`, a 0/1 column `bin`, and three columns of
/// whole numbers 0 to 4, `i0`...`i2`, for layers that read indices), the same table as
/// `probe-semicolon.csv` with `;` between cells, and `images/<kind>/*.png` (8x8 grey, three kinds).
final class ProbeData {
    let url: URL
    var path: String { url.path }
    static let featureCount = 24
    static let indexColumns = ["i0", "i1", "i2"]

    init(rows: Int = 24) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("specrun-catalogue-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url.appendingPathComponent("images"), withIntermediateDirectories: true)
        var rng = RandomGenerator(seed: 3)
        let header = (0..<Self.featureCount).map { "f\($0)" } + ["kind", "y", "bin"] + Self.indexColumns
        var lines = [header]
        for r in 0..<rows {
            let kind = ["a", "b", "c"][r % 3]
            let features = (0..<Self.featureCount).map { _ in String(rng.uniform(-1, 1)) }
            let indices = Self.indexColumns.map { _ in String(rng.nextInt(below: 5)) }
            lines.append(features + [kind, String(rng.uniform(0, 2)), String(r % 2)] + indices)
        }
        try (lines.map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n")
            .write(to: url.appendingPathComponent("probe.csv"), atomically: true, encoding: .utf8)
        try (lines.map { $0.joined(separator: ";") }.joined(separator: "\n") + "\n")
            .write(to: url.appendingPathComponent("probe-semicolon.csv"), atomically: true, encoding: .utf8)
        for kind in ["a", "b", "c"] {
            let folder = url.appendingPathComponent("images/\(kind)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for i in 0..<6 {
                let pixels = (0..<64).map { _ in UInt8(rng.nextInt(below: 256)) }
                try PNG.write(PixelImage(width: 8, height: 8, channels: 1, pixels: pixels), to: folder.appendingPathComponent("\(i).png").path)
            }
        }
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}
