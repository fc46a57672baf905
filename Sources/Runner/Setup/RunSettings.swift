import DataPipeline
import Foundation
import SpecLanguage

/// What a run resolved, saved as `settings.json`: enough to resume it, evaluate it, or read what
/// was run without the command line that started it.
public struct RunSettings: Codable, Equatable {
    public var spec: String
    /// The spec file the run was started from (the run folder keeps the spec as run as spec.yaml,
    /// and this file as written as spec.original.yaml when `extends` or `--set` changed it).
    public var specFile: String
    /// The files the spec extends, nearest first; nil when it extends none (and in run folders
    /// from before `extends`).
    public var extends: [String]?
    public var seed: Int
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Double
    public var dataRoot: String
    /// Command-line values that replaced the spec's.
    public var overrides: SpecOverrides
    public var classCounts: [String: Int]
    /// Class names and fitted normalisation, reused by `eval` and `predict`.
    public var data: DataStatistics
    public var objective: String
    public var threads: Int
    public var blas: String
    public var specrunVersion: String
    /// The processes of a data-parallel run (absent for one process).
    public var processes: Int? = nil

    /// The settings of the run whose folder holds `weightsPath`; nil for weights from elsewhere.
    static func saved(besideWeights weightsPath: String) -> RunSettings? {
        let settings = URL(fileURLWithPath: weightsPath).deletingLastPathComponent().appendingPathComponent("settings.json")
        guard let data = try? FileContents.read(settings) else { return nil }
        return try? JSON.decode(RunSettings.self, from: data)
    }
}

/// Command-line values that replace a spec's own; in settings.json as
/// `{"epochs": 3, "batch_size": 16, "seed": 1, "lr": 0.01, "set": ["optimizer.adam.lr=3e-4"]}`
/// (only those given).
///
/// `settings` (`--set KEY=VALUE`) change the spec's YAML before it is decoded, so they are checked
/// as the file is and are already in the run's spec.yaml; the typed values are applied to the
/// decoded spec afterwards, so `--lr` wins over a `--set` of the optimizer's `lr`.
public struct SpecOverrides: Equatable, Codable {
    public var epochs: Int?
    public var batchSize: Int?
    public var seed: Int?
    public var learningRate: Double?
    /// `--set` arguments without the flag, in the order given.
    public var settings: [String]

    public init(epochs: Int? = nil, batchSize: Int? = nil, seed: Int? = nil, learningRate: Double? = nil, settings: [String] = []) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.seed = seed
        self.learningRate = learningRate
        self.settings = settings
    }

    /// settings.json is written and read with snake_case key conversion: `batch_size`, `lr`.
    enum CodingKeys: String, CodingKey {
        case epochs, batchSize, seed, learningRate = "lr", settings = "set"
    }

    /// Only the values given, so that a run without `--set` writes the settings.json it always did.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(epochs, forKey: .epochs)
        try c.encodeIfPresent(batchSize, forKey: .batchSize)
        try c.encodeIfPresent(seed, forKey: .seed)
        try c.encodeIfPresent(learningRate, forKey: .learningRate)
        if !settings.isEmpty { try c.encode(settings, forKey: .settings) }
    }

    /// Reads numbers, and the strings that settings.json held before overrides were typed.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func value<T: Decodable & LosslessStringConvertible>(_ key: CodingKeys) throws -> T? {
            if let v = try? c.decodeIfPresent(T.self, forKey: key) { return v }
            guard let text = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
            guard let v = T(text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "'\(text)' is not a \(T.self)")
            }
            return v
        }
        epochs = try value(.epochs)
        batchSize = try value(.batchSize)
        seed = try value(.seed)
        learningRate = try value(.learningRate)
        settings = try c.decodeIfPresent([String].self, forKey: .settings) ?? []
    }

    /// The spec with these values in place.
    public func applied(to spec: Spec) -> Spec {
        var s = spec
        if let epochs { s.train.epochs = epochs }
        if let batchSize { s.data.batchSize = batchSize }
        if let seed { s.seed = seed }
        if let learningRate { s.optimizer = s.optimizer.setting("lr", to: .float(learningRate)) }
        return s
    }
}
