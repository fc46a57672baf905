import Diagnostics
import DataPipeline
import Datasets
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The folder a training run leaves behind (`runs/<spec name>/<timestamp>/`):
///
/// - `spec.yaml`: the spec as run (composed from the files it extends and `--set`, if any);
/// - `spec.original.yaml`: the spec file as written, when `extends` or `--set` changed it;
/// - `settings.json`: everything resolved (seed, overrides, data root, class names, normalisation);
/// - `metrics.jsonl`: one JSON object per epoch and split;
/// - `weights.safetensors`: the final weights, loadable by `safetensors.torch.load_file`;
/// - `checkpoints/epoch-NNNN/`: model, optimizer and loop state, for `--resume`;
/// - `tensorboard/`: the same scalars as TensorBoard event files.
///
/// Every file is written through `AtomicFile`. A folder belongs to one process at a time: every
/// way of getting a `RunDirectory` takes its `RunLock`, which copies share and which is released
/// when the last copy goes.
public struct RunDirectory {
    public let url: URL
    private let lock: RunLock

    /// A new, empty run folder under `base` (`runs/<name>/` by default), named by the time.
    public static func create(base: URL, name: String, now: Date = Date()) throws(RunError) -> RunDirectory {
        // The name becomes one folder under `base`; `../x` or `a/b` would put the run elsewhere.
        guard !name.isEmpty, !name.contains("/"), name != ".", name != "..", !name.contains("\0") else {
            throw RunError(.file, "spec name \(excerpt(name)) cannot name a folder under \(base.path)/ (it must be one plain folder name, "
                           + "without '/' or '..'); rename the spec or give --out")
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let stamp = formatter.string(from: now)
        let parent = base.appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw RunError(.file, "\(parent.path): cannot create the folder for runs: \(SystemText.reason(error))")
        }
        for attempt in 0..<100 {
            let url = parent.appendingPathComponent(attempt == 0 ? stamp : "\(stamp)-\(attempt + 1)")
            // mkdir, not "exists? then create": two runs started in the same second must not share a folder.
            if mkdir(url.path, 0o755) != 0 {
                if errno == EEXIST { continue }
                throw RunError(.file, "\(url.path): cannot create the run folder: \(String(cString: strerror(errno)))")
            }
            return RunDirectory(url: url, lock: try RunLock(folder: url, advice: "start the run again"))
        }
        throw RunError(.file, "\(parent.path): cannot find a free run folder name for \(stamp)")
    }

    /// A run folder at exactly `url` (`--out`): created if missing. An existing folder must be
    /// empty; `force` lets a run write into one that holds other files (overwriting any named like
    /// the run's own), but never into one that holds a run, whose checkpoints would then mix with
    /// the new run's.
    public init(creating url: URL, force: Bool = false) throws(RunError) {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), !isFolder.boolValue {
            throw RunError(.file, "\(url.path): is a file, not a folder; give --out a new or empty folder")
        }
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw RunError(.file, "\(url.path): cannot create the run folder: \(SystemText.reason(error))")
        }
        lock = try RunLock(folder: url, advice: "wait for it to finish, or choose another --out")
        // Checked under the lock: a run that held the folder until a moment ago has left its files.
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? [])
            .filter { $0 != RunLock.fileName }.sorted()
        if names.contains("metrics.jsonl") || names.contains("checkpoints") {
            throw RunError(.file, "\(url.path): already holds a run (use --resume \(url.path) to continue it, or another --out)")
        }
        if !names.isEmpty && !force {
            let shown = names.prefix(3).map { excerpt($0) }.joined(separator: ", ") + (names.count > 3 ? " and \(names.count - 3) more" : "")
            throw RunError(.file, "\(url.path): is not empty (holds \(shown)); a run needs a new or empty folder: "
                           + "choose another --out, or pass --force to write into this one")
        }
        self.url = url
    }

    /// An existing run folder, for `--resume`.
    public init(existing url: URL) throws(RunError) {
        guard FileManager.default.fileExists(atPath: url.appendingPathComponent("spec.yaml").path) else {
            throw RunError(.file, "\(url.path): not a specrun run folder (no spec.yaml)")
        }
        lock = try RunLock(folder: url, advice: "wait for it to finish before resuming")
        self.url = url
    }

    private init(url: URL, lock: RunLock) {
        self.url = url
        self.lock = lock
    }

    public var spec: URL { url.appendingPathComponent("spec.yaml") }
    public var originalSpec: URL { url.appendingPathComponent("spec.original.yaml") }
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
