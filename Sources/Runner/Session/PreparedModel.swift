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
    public let spec: Spec
    public let graph: Graph
    public let data: DataBinding
    public let model: GraphModel
    public let objective: Objective
    /// Seconds spent loading (and, for images, decoding) the data.
    public let dataSeconds: Double

    /// Compiles the spec at `path` (or `text`, named `path`), applies `overrides`, loads the data
    /// from `dataRoot` (with `fitted` statistics from saved weights, if given), and builds the
    /// model with weights initialised from the spec's seed.
    public static func prepare(path: String, text: String? = nil, overrides: SpecOverrides = SpecOverrides(),
                               dataRoot: String, fitted: DataStatistics? = nil, preload: Bool = true) throws(RunError) -> PreparedModel {
        let (file, parsed, compiledGraph) = try compile(path: path, text: text)
        var graph = compiledGraph
        let spec = overrides.applied(to: parsed)
        let started = MonotonicClock.seconds()
        let data = try DataBinding(spec: spec, file: file, dataRoot: dataRoot, fitted: fitted)
        if preload {
            do { try data.dataset.preload() } catch { throw data.error(error) }
        }
        let dataSeconds = MonotonicClock.seconds() - started
        try data.bind(&graph)
        let model = try makeModel(graph, spec: spec, path: path)
        return PreparedModel(file: file, spec: spec, graph: graph, data: data, model: model,
                             objective: Objective(graph: graph), dataSeconds: dataSeconds)
    }

    /// The spec at `path` (or `text`) compiled, or a run error carrying its diagnostics.
    static func compile(path: String, text: String? = nil) throws(RunError) -> (file: SourceFile, spec: Spec, graph: Graph) {
        let compilation = text.map { Compiler.compile(text: $0, path: path) } ?? Compiler.compile(path: path)
        guard let spec = compilation.spec, let graph = compilation.graph else {
            let errors = compilation.diagnostics.filter { $0.severity == .error }.count
            throw RunError(.spec, "\(path): \(errors) error\(errors == 1 ? "" : "s") in the spec; nothing was run",
                           diagnostics: (compilation.file, compilation.diagnostics))
        }
        return (compilation.file, spec, graph)
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
    static func makeModel(_ graph: Graph, spec: Spec, path: String) throws(RunError) -> GraphModel {
        let seed = UInt64(bitPattern: Int64(spec.seed))
        var initRNG = RandomGenerator(seed: seed, stream: 0)
        do {
            return try ModelLowering.model(for: graph, rng: &initRNG, dropoutRNG: RandomGenerator(seed: seed, stream: 1))
        } catch {
            throw RunError(.spec, "\(path): \(error)")
        }
    }

    /// Whether a batchnorm normalises over the batch alone (a vector per sample), which a batch of
    /// one sample cannot do in training.
    var hasPerFeatureBatchNorm: Bool {
        graph.nodes.flatMap(\.layers).contains { layer in
            if case .batchNorm = layer.layer { return layer.inputShape.rank == 1 }
            return false
        }
    }

    /// Image decoding is worth a background thread; in-memory CSV rows are not.
    var prefetchDepth: Int {
        if case .imageFolder = spec.data.source { return 2 }
        return 0
    }
}
