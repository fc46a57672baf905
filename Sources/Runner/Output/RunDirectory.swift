import Foundation

/// The folder a training run leaves behind (`runs/<spec name>/<timestamp>/`):
///
/// - `spec.yaml`: the spec as run;
/// - `settings.json`: everything resolved (seed, overrides, data root, class names, normalisation);
/// - `metrics.jsonl`: one JSON object per epoch and split;
/// - `weights.safetensors`: the final weights, loadable by `safetensors.torch.load_file`;
/// - `checkpoints/epoch-NNNN/`: model, optimizer and loop state, for `--resume`;
/// - `tensorboard/`: the same scalars as TensorBoard event files.
///
/// Every file is written through `AtomicFile`.
public struct RunDirectory {
    public let url: URL

    /// A new, empty run folder under `base` (`runs/<name>/` by default), named by the time.
    public static func create(base: URL, name: String, now: Date = Date()) throws(RunError) -> RunDirectory {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let stamp = formatter.string(from: now)
        let parent = base.appendingPathComponent(name)
        for attempt in 0..<100 {
            let url = parent.appendingPathComponent(attempt == 0 ? stamp : "\(stamp)-\(attempt + 1)")
            if FileManager.default.fileExists(atPath: url.path) { continue }
            return try RunDirectory(creating: url)
        }
        throw RunError(.file, "\(parent.path): cannot find a free run folder name for \(stamp)")
    }

    /// A run folder at exactly `url` (`--out`): created if missing; it must not hold a run already.
    public init(creating url: URL) throws(RunError) {
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("metrics.jsonl").path) {
            throw RunError(.file, "\(url.path): already holds a run (use --resume \(url.path) to continue it, or another --out)")
        }
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw RunError(.file, "\(url.path): cannot create the run folder: \(error.localizedDescription)")
        }
        self.url = url
    }

    /// An existing run folder, for `--resume`, `eval` and `predict`.
    public init(existing url: URL) throws(RunError) {
        guard FileManager.default.fileExists(atPath: url.appendingPathComponent("spec.yaml").path) else {
            throw RunError(.file, "\(url.path): not a specrun run folder (no spec.yaml)")
        }
        self.url = url
    }

    public var spec: URL { url.appendingPathComponent("spec.yaml") }
    public var settings: URL { url.appendingPathComponent("settings.json") }
    public var metrics: URL { url.appendingPathComponent("metrics.jsonl") }
    public var weights: URL { url.appendingPathComponent("weights.safetensors") }
    public var checkpoints: URL { url.appendingPathComponent("checkpoints") }
    public var tensorboard: URL { url.appendingPathComponent("tensorboard") }

    public func write(_ data: Data, to file: URL) throws(RunError) {
        do { try AtomicFile.write(data, to: file) } catch { throw .file(error) }
    }
}

/// JSON for files people read: snake_case keys (as Python tools expect), sorted, no escaped slashes.
enum JSON {
    static func encode<T: Encodable>(_ value: T, pretty: Bool = true) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try! encoder.encode(value)
    }

    /// A JSON string literal, for JSON written by hand (safetensors headers, predict's lines).
    static func string(_ s: String) -> String {
        String(decoding: encode(s, pretty: false), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(type, from: data)
    }
}
