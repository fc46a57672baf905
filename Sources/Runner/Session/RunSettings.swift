import DataPipeline
import Foundation
import SpecLanguage

/// What a run resolved, saved as `settings.json`: enough to resume it, evaluate it, or read what
/// was run without the command line that started it.
public struct RunSettings: Codable, Equatable {
    public var spec: String
    /// The spec file the run was started from (the run folder keeps a copy as spec.yaml).
    public var specFile: String
    public var seed: Int
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Double
    public var dataRoot: String
    /// Command-line values that replaced the spec's (`epochs`, `batch_size`, `seed`, `lr`).
    public var overrides: [String: String]
    public var classCounts: [String: Int]
    /// Class names and fitted normalisation, reused by `eval` and `predict`.
    public var data: DataStatistics
    public var objective: String
    public var threads: Int
    public var blas: String
    public var specrunVersion: String
}

/// Command-line values that replace a spec's own.
public struct SpecOverrides: Equatable {
    public var epochs: Int?
    public var batchSize: Int?
    public var seed: Int?
    public var learningRate: Double?

    public init(epochs: Int? = nil, batchSize: Int? = nil, seed: Int? = nil, learningRate: Double? = nil) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.seed = seed
        self.learningRate = learningRate
    }

    /// The spec with these values in place.
    public func applied(to spec: Spec) -> Spec {
        var s = spec
        if let epochs { s.train.epochs = epochs }
        if let batchSize { s.data.batchSize = batchSize }
        if let seed { s.seed = seed }
        if let learningRate { s.optimizer = s.optimizer.withLearningRate(learningRate) }
        return s
    }

    /// As recorded in settings.json.
    public var recorded: [String: String] {
        var r: [String: String] = [:]
        if let epochs { r["epochs"] = "\(epochs)" }
        if let batchSize { r["batch_size"] = "\(batchSize)" }
        if let seed { r["seed"] = "\(seed)" }
        if let learningRate { r["lr"] = "\(learningRate)" }
        return r
    }
}

extension OptimizerSpec {
    /// The same optimizer with another learning rate.
    func withLearningRate(_ lr: Double) -> OptimizerSpec {
        switch self {
        case .sgd(var o): o.lr = lr; return .sgd(o)
        case .adam(var o): o.lr = lr; return .adam(o)
        case .adamw(var o): o.lr = lr; return .adamw(o)
        case .rmsprop(var o): o.lr = lr; return .rmsprop(o)
        case .adagrad(var o): o.lr = lr; return .adagrad(o)
        }
    }
}
