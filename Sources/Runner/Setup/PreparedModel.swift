import Catalogue
import DataPipeline
import Diagnostics
import Foundation
import GraphIR
import Kernels
import NN
import SpecLanguage

/// A spec compiled, its data loaded, its class counts bound and its model built: the common
/// start of `train`, `eval`, `predict` and `bench`.
public struct PreparedModel {
    public let file: SourceFile
    /// The spec as composed from the files it extends and the `--set` settings, as YAML; nil when
    /// the file alone is the spec.
    public let composedText: String?
    public let spec: Spec
    public let graph: Graph
    public let data: DataBinding
    public let model: GraphModel
    public let objective: Objective
    /// Seconds spent loading (and, for images, decoding) the data.
    public let dataSeconds: Double
    /// The spec file's own `train.epochs` (before `--epochs`), the length schedules default to,
    /// so that a longer or resumed run keeps the schedule it started with.
    public let specEpochs: Int
    public let catalogue: Catalogue

    /// Compiles the spec at `path` (or `text`, named `path`) with `overrides.settings` (`--set`),
    /// applies the other `overrides`, loads the data
    /// from `dataRoot` (with `fitted` statistics from saved weights, if given), and builds the
    /// model with weights initialised from the spec's seed.
    /// `supply` says how the data root was chosen and whether missing public data is fetched;
    /// without it a missing path is the data pipeline's error.
    public static func prepare(path: String, text: String? = nil, overrides: SpecOverrides = SpecOverrides(),
                               dataRoot: String, fitted: DataStatistics? = nil, preload: Bool = true,
                               catalogue: Catalogue = .standard, supply: DataSupply? = nil) throws(RunError) -> PreparedModel {
        let (file, parsed, compiledGraph, composedText) = try compile(path: path, text: text, settings: overrides.settings, catalogue: catalogue)
        var graph = compiledGraph
        let spec = overrides.applied(to: parsed)
        try supply?.ensure(spec, file: file, dataRoot: dataRoot, source: catalogue.dataConfig(for: spec.data).source)
        let started = MonotonicClock.seconds()
        let data = try DataBinding(spec: spec, file: file, dataRoot: dataRoot, fitted: fitted, catalogue: catalogue)
        if preload {
            do { try data.dataset.preload() } catch { throw data.error(error) }
        }
        let dataSeconds = MonotonicClock.seconds() - started
        try data.bind(&graph)
        if let problem = MemoryBudget.problem(graph, batchSize: spec.data.batchSize, available: MemoryBudget.availableBytes()) {
            throw RunError(.spec, "\(path): \(problem)")
        }
        let model = try makeModel(graph, spec: spec, path: path, catalogue: catalogue)
        return PreparedModel(file: file, composedText: composedText, spec: spec, graph: graph, data: data, model: model,
                             objective: Objective(graph: graph, statistics: data.dataset.statistics, catalogue: catalogue), dataSeconds: dataSeconds,
                             specEpochs: parsed.train.epochs, catalogue: catalogue)
    }

    /// Fetches the public data sets the spec at `path` (or `text`) reads and `dataRoot` lacks, or
    /// says how (see `DataSupply`), without loading anything: a data-parallel run's rank 0 does
    /// this before any process reads data.
    static func ensureData(path: String, text: String?, overrides: SpecOverrides, dataRoot: String,
                           catalogue: Catalogue = .standard, supply: DataSupply) throws(RunError) {
        let (file, parsed, _, _) = try compile(path: path, text: text, settings: overrides.settings, catalogue: catalogue)
        let spec = overrides.applied(to: parsed)
        try supply.ensure(spec, file: file, dataRoot: dataRoot, source: catalogue.dataConfig(for: spec.data).source)
    }

    /// The spec at `path` (or `text`) compiled with `--set` settings, or a run error carrying its diagnostics.
    static func compile(path: String, text: String? = nil, settings: [String] = [], catalogue: Catalogue = .standard) throws(RunError)
        -> (file: SourceFile, spec: Spec, graph: Graph, composedText: String?) {
        let definitions = catalogue.definitions
        let compilation = text.map { Compiler.compile(text: $0, path: path, definitions: definitions, settings: settings) }
            ?? Compiler.compile(path: path, definitions: definitions, settings: settings)
        guard let spec = compilation.spec, let graph = compilation.graph else {
            let errors = compilation.diagnostics.filter { $0.severity == .error }.count
            throw RunError(.spec, "\(path): \(errors) error\(errors == 1 ? "" : "s") in the spec; nothing was run",
                           diagnostics: (compilation.file, compilation.diagnostics))
        }
        return (compilation.file, spec, graph, compilation.composedText)
    }

    /// Binds the graph's class counts, or throws the diagnostics of those that do not fit.
    static func bind(_ graph: inout Graph, _ classCounts: [String: Int], file: SourceFile, why: String) throws(RunError) {
        let problems = graph.bind(classCounts)
        if !problems.isEmpty {
            throw RunError(.spec, "\(file.path): \(why)", diagnostics: (file, problems))
        }
    }

    /// The model of a bound graph as training starts it: weights from the spec's seed (stream 0),
    /// dropout drawing from stream 1.
    static func makeModel(_ graph: Graph, spec: Spec, path: String, catalogue: Catalogue = .standard) throws(RunError) -> GraphModel {
        let seed = UInt64(bitPattern: Int64(spec.seed))
        var initRNG = RandomGenerator(seed: seed, stream: 0)
        do {
            return try catalogue.model(for: graph, rng: &initRNG, dropoutRNG: RandomGenerator(seed: seed, stream: 1))
        } catch {
            throw RunError(.spec, "\(path): \(error)")
        }
    }

    /// Whether a batchnorm normalises over the batch alone (a vector per sample), which a batch of
    /// one sample cannot do in training.
    var hasPerFeatureBatchNorm: Bool {
        graph.nodes.flatMap(\.layers).contains { $0.kind == "batchnorm" && $0.inputShape.rank == 1 }
    }

    /// Image decoding is worth a background thread; in-memory CSV rows are not.
    var prefetchDepth: Int {
        data.dataset.config.fields.contains { if case .image = $0.kind { true } else { false } } ? 2 : 0
    }

    /// The spec's optimizer over the model's parameters, or a spec error when PyTorch would refuse it.
    public func makeOptimizer() throws(RunError) -> any Optimizer {
        do { return try catalogue.optimizer(spec.optimizer.name).optimizer(spec.optimizer.options, model.parameters) } catch {
            throw RunError(.spec, "\(file.path): \(error)")
        }
    }

    /// The spec's learning-rate schedule (constant without one).
    public var schedule: LearningRateSchedule {
        guard let s = spec.schedule else { return .constant }
        return catalogue.schedule(s.name).schedule(s.options, epochs: specEpochs)
    }
}
