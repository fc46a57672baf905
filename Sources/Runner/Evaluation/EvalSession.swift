import DataPipeline
import Foundation

/// `specrun eval`: a trained model's losses and metrics on a split of its spec's data.
public enum EvalSession {
    public enum Split: String, CaseIterable, Sendable { case train, validation, test, all }

    public static func run(specPath: String, weightsPath: String, dataRoot: String?, split: Split) throws(RunError) -> EpochResult {
        let weights = try SavedWeights(path: weightsPath)
        let prepared = try PreparedModel.prepare(path: specPath, dataRoot: DataBinding.dataRoot(flag: dataRoot),
                                                 fitted: weights.dataStatistics)
        try weights.load(into: prepared.model)
        let splits = prepared.data.dataset.splits
        let indices: [Int] = switch split {
        case .train: splits.train
        case .validation: splits.validation
        case .test: splits.test
        case .all: Array(0..<prepared.data.dataset.count)
        }
        guard !indices.isEmpty else {
            throw RunError(.data, "\(specPath): the \(split.rawValue) split is empty (data.split in the spec)")
        }
        return try Evaluation.run(model: prepared.model, objective: prepared.objective, data: prepared.data, indices: indices,
                                  split: split.rawValue, epoch: Int(weights.file.metadata["specrun.epoch"] ?? "") ?? 0,
                                  batchSize: prepared.spec.data.batchSize, prefetch: prepared.prefetchDepth)
    }
}
