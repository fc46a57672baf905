import DataPipeline
import Foundation
import SpecLanguage

/// `specrun eval`: a trained model's losses and metrics on a split of its spec's data.
public enum EvalSession {
    public enum Split: String, CaseIterable, Sendable { case train, validation, test, all }

    /// Evaluates `weightsPath` on `split`. The data root is `dataRoot` (`--data-root`), else that of
    /// the run the weights come from (its settings.json beside them), as `--resume` uses it, else
    /// `SPECRUN_DATA`, else ./data.
    public static func run(specPath: String, weightsPath: String, dataRoot: String?, split: Split) throws(RunError) -> EpochResult {
        let weights = try SavedWeights(path: weightsPath)
        let runs = dataRoot == nil ? runDataRoot(besideWeights: weightsPath) : nil
        let root = dataRoot ?? runs ?? DataBinding.dataRoot(flag: nil)
        let supply = DataSupply(rootOrigin: runs != nil ? "from the run's settings.json" : DataSupply.origin(flag: dataRoot))
        let prepared = try PreparedModel.prepare(path: specPath, dataRoot: root, fitted: weights.dataStatistics, supply: supply)
        try weights.load(into: prepared.model)
        let splits = prepared.data.dataset.splits
        let indices: [Int] = switch split {
        case .train: splits.train
        case .validation: splits.validation
        case .test: splits.test
        case .all: Array(0..<prepared.data.dataset.count)
        }
        guard !indices.isEmpty else { throw emptySplit(split, spec: prepared.spec, path: specPath) }
        return try Evaluation.run(model: prepared.model, objective: prepared.objective, data: prepared.data, indices: indices,
                                  split: split.rawValue, epoch: Int(weights.file.metadata["specrun.epoch"] ?? "") ?? 0,
                                  batchSize: prepared.spec.data.batchSize, prefetch: prepared.prefetchDepth)
    }

    /// The data root of the run whose folder holds `weightsPath`, or nil for weights from elsewhere.
    static func runDataRoot(besideWeights weightsPath: String) -> String? {
        let settings = URL(fileURLWithPath: weightsPath).deletingLastPathComponent().appendingPathComponent("settings.json")
        guard let data = try? FileContents.read(settings), let saved = try? JSON.decode(RunSettings.self, from: data) else { return nil }
        return saved.dataRoot
    }

    /// A split the spec does not hold out: which ones it has, and how to get the one asked for.
    static func emptySplit(_ split: Split, spec: Spec, path: String) -> RunError {
        let s = spec.data.split
        let held = [("validation", s.validation), ("test", s.test)].filter { $0.1 > 0 }
        let has = held.isEmpty ? "holds out nothing (every sample trains)"
            : "holds out " + held.map { "\($0.0) \(SpecValue.number($0.1))" }.joined(separator: " and ") + " only"
        let other = held.first.map { "use --split \($0.0)" } ?? "use --split train or all"
        return RunError(.data, "\(path): has no \(split.rawValue) split: its data.split \(has); \(other), "
                        + "or declare data.split.\(split.rawValue) and train again")
    }
}
