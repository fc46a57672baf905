import Catalogue
import DataPipeline
import Foundation
import SpecLanguage

/// `specrun eval`: a trained model's losses and metrics on a split of its spec's data, and the
/// confusion matrix of each classification output.
public enum EvalSession {
    public enum Split: String, CaseIterable, Sendable { case train, validation, test, all }

    /// What an evaluation found, and where its confusion matrices were written.
    public struct Outcome: Sendable {
        public var result: EpochResult
        public var confusion: ConfusionMatrices
        /// `confusion_matrix.json` in the run folder of the weights; nil when the weights are not
        /// in a run folder (no `metrics.jsonl` beside them) or there is no classification output.
        public var confusionFile: URL?
    }

    /// Evaluates `weightsPath` on `split`. The data root is `dataRoot` (`--data-root`), else that of
    /// the run the weights come from (its settings.json beside them), as `--resume` uses it, else
    /// `SPECRUN_DATA`, else ./data.
    public static func run(specPath: String, weightsPath: String, dataRoot: String?, split: Split) throws(RunError) -> EpochResult {
        try evaluate(specPath: specPath, weightsPath: weightsPath, dataRoot: dataRoot, split: split).result
    }

    /// Evaluates, and adds the confusion matrices to the weights' run folder.
    public static func evaluate(specPath: String, weightsPath: String, dataRoot: String?, split: Split) throws(RunError) -> Outcome {
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
        let epoch = Int(weights.file.metadata["specrun.epoch"] ?? "") ?? 0
        let result = try Evaluation.run(model: prepared.model, objective: prepared.objective, data: prepared.data, indices: indices,
                                        split: split.rawValue, epoch: epoch, batchSize: prepared.spec.data.batchSize,
                                        prefetch: prepared.prefetchDepth, confusion: true)
        let matrices = ConfusionMatrices(matrices: zip(prepared.objective.heads, result.heads).compactMap { head, outcome in
            guard let counts = outcome.confusion else { return nil }
            return .init(output: head.name, split: split.rawValue, epoch: epoch > 0 ? epoch : nil,
                         classes: classNames(of: head, prepared) ?? counts.indices.map(String.init), counts: counts)
        })
        let folder = URL(fileURLWithPath: weightsPath).deletingLastPathComponent()
        var file: URL?
        if !matrices.matrices.isEmpty, FileManager.default.fileExists(atPath: folder.appendingPathComponent("metrics.jsonl").path) {
            // The folder belongs to one process at a time: a run still training there keeps it.
            let lock = try RunLock(folder: folder, advice: "evaluate again when it has finished, or copy the weights elsewhere")
            file = try withExtendedLifetime(lock) { () throws(RunError) in try matrices.merge(into: folder) }
        }
        return Outcome(result: result, confusion: matrices, confusionFile: file)
    }

    /// The class names of a head's label target, in class-index order.
    private static func classNames(of head: Objective.Head, _ prepared: PreparedModel) -> [String]? {
        guard let field = prepared.spec.data.field(named: head.targetField),
              let source = prepared.catalogue.labelSource(of: field) else { return nil }
        return prepared.data.dataset.statistics.classes[source]
    }

    /// The data root of the run whose folder holds `weightsPath`, or nil for weights from elsewhere.
    static func runDataRoot(besideWeights weightsPath: String) -> String? {
        RunSettings.saved(besideWeights: weightsPath)?.dataRoot
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
