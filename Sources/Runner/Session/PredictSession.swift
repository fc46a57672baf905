import Autograd
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
        let (file, spec, compiled) = try PreparedModel.compile(path: options.specPath)
        var graph = compiled
        try PreparedModel.bind(&graph, DataBinding.classCounts(for: spec.data, classes: stats.classes), file: file,
                               why: "the weights' classes do not fit the spec")
        let model = try PreparedModel.makeModel(graph, spec: spec, path: options.specPath)
        try weights.load(into: model)
        model.eval()
        let objective = Objective(graph: graph)

        // The fields that feed the model's inputs, read from the given files.
        var fileFields: [FieldConfig] = []
        var onehots: [(input: String, source: String, fixed: String?)] = []
        for input in graph.inputs {
            guard let field = spec.data.field(named: input.name) else { continue }
            switch field.kind {
            case .image(let image):
                fileFields.append(FieldConfig(field.name, .image(DataBinding.imageField(image))))
            case .features:
                let columns = stats.features[field.name]?.columns ?? []
                fileFields.append(FieldConfig(field.name, .features(FeatureField(columns: .named(columns),
                                                                                 normalization: stats.features[field.name]?.normalization ?? .none))))
            case .onehot(let label):
                guard let source = spec.data.labelSource(of: label) else { continue }
                onehots.append((input.name, source, options.values[label]))
            default:
                break
            }
        }
        let dataset: Dataset
        let source: DataSource
        switch spec.data.source {
        case .imageFolder: source = .imageFiles(options.inputs)
        case .csv:
            guard options.inputs.count == 1 else {
                throw RunError(.data, "\(options.specPath): a CSV spec predicts for one CSV file at a time, got \(options.inputs.count) inputs")
            }
            source = .csv(CSVSource(path: options.inputs[0], missing: .error))
        }
        do {
            dataset = try Dataset(config: DataConfig(source: source, fields: fileFields), dataRoot: FileManager.default.currentDirectoryPath, fitted: stats)
        } catch {
            throw RunError(.data, "\(error)")
        }
        let levels: [String] = if case .imageFolder(let f) = spec.data.source { f.levels } else { [] }

        let batchSize = spec.data.batchSize
        var start = 0
        while start < dataset.count {
            let indices = Array(start..<min(start + batchSize, dataset.count))
            start += batchSize
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
                for head in objective.heads {
                    let classNames = spec.data.labelSource(of: head.targetField).flatMap { stats.classes[$0] }
                    line += ",\(JSON.string(head.name)):" + describe(outputs[head.name]!, row: row, loss: head.loss, task: head.task,
                                                                   classNames: classNames, top: options.top)
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

    /// One output for one sample as JSON.
    static func describe(_ output: Tensor, row: Int, loss: LossFunction, task: ClassificationMetrics.Task?,
                         classNames: [String]?, top: Int) -> String {
        let width = output.count / max(output.shape[0], 1)
        let values = Array(UnsafeBufferPointer(start: output.data + row * width, count: width))
        switch task {
        case .multiclass?:
            let probabilities: [Float]
            if case .nll = loss {
                probabilities = values.map { Foundation.exp($0) }
            } else {
                let m = values.max()!
                let e = values.map { Foundation.exp($0 - m) }
                let s = e.reduce(0, +)
                probabilities = e.map { $0 / s }
            }
            let ranked = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }.prefix(max(top, 1))
            func entry(_ i: Int) -> String {
                "{\"class\":\(JSON.string(classNames?[i] ?? String(i))),\"index\":\(i),\"probability\":\(number(probabilities[i]))}"
            }
            let best = ranked.first!
            return "{\"class\":\(JSON.string(classNames?[best] ?? String(best))),\"index\":\(best),\"probability\":\(number(probabilities[best])),"
                + "\"top\":[\(ranked.map(entry).joined(separator: ","))]}"
        case .binary(let threshold)?:
            let raw = values[0]
            let p = loss == .bce ? raw : 1 / (1 + Foundation.exp(-raw))
            return "{\"probability\":\(number(p)),\"positive\":\(raw >= threshold)}"
        case nil:
            return "{\"value\":[\(values.map(number).joined(separator: ","))]}"
        }
    }

    static func number(_ x: Float) -> String { x.isFinite ? "\(x)" : "null" }
}
