import Autograd
import Catalogue
import DataPipeline
import Diagnostics
import Foundation
import GraphIR
import NN
import SpecLanguage

/// A spec's data section bound to the data pipeline: the dataset loaded from the data root, the
/// class counts it fixes for the graph, and batches turned into model inputs and loss targets.
public struct DataBinding {
    public let dataset: Dataset
    public let spec: Spec
    /// The spec file, for the location data errors point at.
    public let file: SourceFile
    /// Class counts by label field (the names `classes(...)` uses in the spec).
    public let classCounts: [String: Int]

    /// Loads the data a spec names. `fitted` (from saved weights) reuses the classes and the
    /// normalisation of the run that trained them instead of fitting new ones.
    public init(spec: Spec, file: SourceFile, dataRoot: String, fitted: DataStatistics? = nil,
                catalogue: Catalogue = .standard) throws(RunError) {
        self.spec = spec
        self.file = file
        let config = catalogue.dataConfig(for: spec.data)
        do {
            dataset = try Dataset(config: config, dataRoot: dataRoot, fitted: fitted)
        } catch {
            throw RunError.data(error, file: file, range: spec.data.source.range)
        }
        classCounts = catalogue.classCounts(for: spec.data, statistics: dataset.statistics)
    }

    /// The data root: `--data-root`, else `SPECRUN_DATA`, else `./data`.
    public static func dataRoot(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        flag ?? environment["SPECRUN_DATA"] ?? "data"
    }

    /// Why a setting the data pipeline reads from the environment is unusable, or nil: it is read
    /// deep inside a run, so the command line checks it before anything starts.
    public static func environmentProblem(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        guard let value = environment[ImageLimits.environmentVariable] else { return nil }
        do { _ = try ImageLimits.parse(value) } catch { return "\(error)" }
        return nil
    }

    /// Binds the graph's class counts and checks what only the data can tell (the width of a
    /// features field read from the CSV against the declared input). Throws spec diagnostics.
    public func bind(_ graph: inout Graph) throws(RunError) {
        try PreparedModel.bind(&graph, classCounts, file: file, why: "the spec does not fit the data")
        for input in graph.inputs {
            guard let field = dataset.fields.first(where: { $0.name == input.name }), let declared = input.shape.concrete else { continue }
            if field.shape != declared {
                let place = file.place(of: input.range)
                throw RunError(.spec, "\(place): input `\(input.name)` is declared \(declared) but field `\(field.name)` gives \(field.shape) per sample from the data")
            }
        }
        try Self.checkIndices(Catalogue.indexInputs(of: graph), samples: Array(0..<dataset.count), dataset: dataset)
    }

    /// Every value an embedding reads is an index, or a data error names the first that is not.
    static func checkIndices(_ indexInputs: [IndexInput], samples: [Int], dataset: Dataset) throws(RunError) {
        guard !indexInputs.isEmpty, !samples.isEmpty else { return }
        let batch: Batch
        do { batch = try dataset.batch(samples) } catch { throw RunError(.data, "\(error)") }
        for index in indexInputs {
            guard let field = batch[index.input], let values = field.floats else { continue }
            let buffer = UnsafeBufferPointer(start: values.base, count: values.count)
            if let (offset, value) = index.firstInvalid(buffer) {
                let sample = samples[offset / max(1, values.count / samples.count)]
                throw RunError(.data, "\(dataset.origin(ofSample: sample)): \(index.problem(value))")
            }
        }
    }

    /// A data error met while batching (a corrupt image decoded for the first time), with the
    /// spec location that named the data.
    public func error(_ error: DataError) -> RunError {
        RunError.data(error, file: file, range: spec.data.source.range)
    }

    /// The model's inputs from a batch (fields are shared, not copied).
    public func inputs(_ batch: Batch, names: [String]) -> [String: Tensor] {
        var inputs: [String: Tensor] = [:]
        for name in names {
            guard let field = batch[name], let buffer = field.floats else {
                preconditionFailure("[data] batch has no float field \(name): the front end checks inputs against fields")
            }
            inputs[name] = Tensor(shape: Shape(field.shape), storage: buffer)
        }
        return inputs
    }

    /// Every head's targets from a batch, in the objective's order.
    public func targets(_ batch: Batch, for objective: Objective) -> [LossTarget] {
        objective.heads.map { target(batch, field: $0.targetField) }
    }

    /// A head's targets from a batch.
    public func target(_ batch: Batch, field name: String) -> LossTarget {
        guard let field = batch[name] else { preconditionFailure("[data] batch has no field \(name)") }
        if let classes = field.int32s { return .classes(classes) }
        return .values(Tensor(shape: Shape(field.shape), storage: field.floats!))
    }
}
