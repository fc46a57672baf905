import Autograd
import Catalogue
import DataPipeline
import Foundation
import GraphIR
import Kernels
import NN
import SpecLanguage

/// `specrun predict`: a trained model's outputs for new inputs, one JSON line per sample.
///
/// Image specs take image files; CSV specs take CSV files with the feature columns (one line per
/// row). The classes and the feature normalisation come from the weights' metadata, so the
/// training data is not needed. A one-hot input (the two-input Omniglot model's alphabet) comes
/// from `values` (`--set alphabet=Bengali`) or, failing that, from the file's folders when they
/// name a known class at the spec's folder levels (`.../Bengali/character01/x.png`).
public enum PredictSession {
    public struct Options {
        public var specPath: String
        public var weightsPath: String
        public var inputs: [String]
        /// Values for label fields a one-hot input needs: field name -> class name.
        public var values: [String: String] = [:]
        /// How many classes to list per multi-class output.
        public var top = 3

        public init(specPath: String, weightsPath: String, inputs: [String]) {
            self.specPath = specPath
            self.weightsPath = weightsPath
            self.inputs = inputs
        }
    }

    public static func run(_ options: Options, emit: (String) -> Void) throws(RunError) {
        let weights = try SavedWeights(path: options.weightsPath)
        guard let stats = weights.dataStatistics else {
            throw RunError(.file, "\(options.weightsPath): has no specrun metadata (class names, normalisation); predict needs weights written by specrun train")
        }
        let catalogue = Catalogue.standard
        let (file, spec, compiled, _) = try PreparedModel.compile(path: options.specPath, catalogue: catalogue)
        var graph = compiled
        try PreparedModel.bind(&graph, catalogue.classCounts(for: spec.data, statistics: stats), file: file,
                               why: "the weights' classes do not fit the spec")
        let model = try PreparedModel.makeModel(graph, spec: spec, path: options.specPath, catalogue: catalogue)
        try weights.load(into: model)
        model.eval()
        let objective = Objective(graph: graph, statistics: stats, catalogue: catalogue)

        // The fields that feed the model's inputs, read from the given files.
        var fileFields: [FieldConfig] = []
        var onehots: [(input: String, source: String, fixed: String?)] = []
        for input in graph.inputs {
            guard let field = spec.data.field(named: input.name) else { continue }
            switch catalogue.field(field.kind.name).predictionInput(field, data: spec.data, statistics: stats) {
            case .read(let config): fileFields.append(config)
            case .classOf(let labelField, let source): onehots.append((input.name, source, options.values[labelField]))
            case .unavailable: break
            }
        }
        let sourceDefinition = catalogue.source(spec.data.source.name)
        let source: DataSource
        do { source = try sourceDefinition.predictionSource(options.inputs, data: spec.data) } catch {
            throw RunError(.data, "\(options.specPath): \(error)")
        }
        let dataset: Dataset
        do {
            dataset = try Dataset(config: DataConfig(source: source, fields: fileFields), dataRoot: FileManager.default.currentDirectoryPath, fitted: stats)
        } catch {
            throw RunError(.data, "\(error)")
        }
        let levels = sourceDefinition.labelSources(spec.data.source.options) ?? []
        let indexInputs = Catalogue.indexInputs(of: graph)

        let batchSize = spec.data.batchSize
        var start = 0
        while start < dataset.count {
            let indices = Array(start..<min(start + batchSize, dataset.count))
            start += batchSize
            try DataBinding.checkIndices(indexInputs, samples: indices, dataset: dataset)
            let batch: Batch
            do { batch = try dataset.batch(indices) } catch { throw RunError(.data, "\(error)") }
            var inputs: [String: Tensor] = [:]
            for field in batch.fields { if let b = field.floats { inputs[field.name] = Tensor(shape: Shape(field.shape), storage: b) } }
            for onehot in onehots {
                let names = stats.classes[onehot.source] ?? []
                let t = Tensor.zeros([indices.count, names.count])
                for (row, sample) in indices.enumerated() {
                    let origin = dataset.origin(ofSample: sample)
                    let name = onehot.fixed ?? classFromFolders(origin, level: onehot.source, levels: levels)
                    guard let name, let k = names.firstIndex(of: name) else {
                        let given = onehot.fixed.map { "`\($0)` is not one of its \(names.count) classes" } ?? "cannot tell it from the path"
                        throw RunError(.data, "\(origin): input `\(onehot.input)` needs the class of `\(onehot.source)` and \(given); "
                                       + "pass --set \(onehot.source)=<class>")
                    }
                    t.data[row * names.count + k] = 1
                }
                inputs[onehot.input] = t
            }
            let outputs = model(inputs)
            for (row, sample) in indices.enumerated() {
                var line = "{\"input\":" + JSON.string(dataset.origin(ofSample: sample))
                for (head, output) in zip(objective.heads, graph.outputs) {
                    let classNames = catalogue.labelSource(of: output.target).flatMap { stats.classes[$0] }
                    line += ",\(JSON.string(head.name)):" + describe(outputs[head.name]!, row: row, head: head,
                                                                   loss: catalogue.loss(head.lossName), classNames: classNames, top: options.top)
                }
                emit(line + "}")
            }
        }
    }

    /// The class a file's folders name at `level`: with levels [alphabet, character], the file
    /// `.../Bengali/character01/x.png` has alphabet `Bengali` and character `Bengali/character01`.
    static func classFromFolders(_ path: String, level: String, levels: [String]) -> String? {
        guard let k = levels.firstIndex(of: level) else { return nil }
        let folders = path.split(separator: "/").dropLast().map(String.init)
        guard folders.count >= levels.count else { return nil }
        let first = folders.count - levels.count
        return folders[first...(first + k)].joined(separator: "/")
    }

    /// One output for one sample as JSON: the top classes of a classifier, the probability of a
    /// binary head, the values of a regression.
    static func describe(_ output: Tensor, row: Int, head: Objective.Head, loss: any RunnableLoss, classNames: [String]?, top: Int) -> String {
        let width = output.count / max(output.shape[0], 1)
        let values = Array(UnsafeBufferPointer(start: output.data + row * width, count: width))
        guard let probabilities = loss.probabilities(values) else {
            // A regression trained on a normalised target answers on the target's own scale.
            let scaled = head.originalScale(Tensor(shape: Shape([1, width]), storage: FloatBuffer(values))).values
            return "{\"value\":[\(scaled.map(number).joined(separator: ","))]}"
        }
        if head.target.isBinary {
            let p = probabilities[0]
            return "{\"probability\":\(number(p)),\"positive\":\(Double(p) >= head.threshold)}"
        }
        let ranked = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }.prefix(max(top, 1))
        func entry(_ i: Int) -> String {
            "{\"class\":\(JSON.string(classNames?[i] ?? String(i))),\"index\":\(i),\"probability\":\(number(probabilities[i]))}"
        }
        let best = ranked.first!
        return "{\"class\":\(JSON.string(classNames?[best] ?? String(best))),\"index\":\(best),\"probability\":\(number(probabilities[best])),"
            + "\"top\":[\(ranked.map(entry).joined(separator: ","))]}"
    }

    static func number(_ x: Float) -> String { x.isFinite ? "\(x)" : "null" }
}
