import Foundation

/// Reads Tests/DataPipelineTests/Goldens/<name>.json, written by tools/goldens/<name>.py.
func loadGolden<T: Decodable>(_ name: String, as type: T.Type) -> T {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Goldens/\(name).json")
    do {
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    } catch {
        fatalError("cannot read golden file \(url.path): \(error)")
    }
}
