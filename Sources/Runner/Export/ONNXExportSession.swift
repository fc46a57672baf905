import Catalogue
import Foundation
import GraphIR
import ONNX

/// `specrun export-onnx`: a spec's model with trained weights as an ONNX model (opset 17).
///
/// The class counts come from the weights' metadata (as `predict` takes them), or from the
/// settings.json of the run folder that holds the weights. The ONNX model takes the tensors
/// specrun's model takes, after the data pipeline: decoded, resized and normalised images, and
/// normalised feature columns, with the statistics fitted in training; they travel in the model's
/// metadata as `specrun.data` (the same JSON as the weights' metadata), not as nodes.
public enum ONNXExportSession {
    /// What the model's documentation string says about its inputs and outputs.
    public static let interface = """
        Inputs are the float32 tensors specrun's model takes after its data pipeline (images decoded, resized \
        and normalised; feature columns normalised; one-hot and index inputs as specrun builds them), with the \
        fitted statistics in metadata specrun.data. Outputs are the values of the spec's output nodes as the \
        spec computes them (logits where a node ends in a linear layer: a loss's softmax or sigmoid is not \
        added). The first axis of every input and output is the batch.
        """

    /// The ONNX model of the spec at `specPath` with the weights at `weightsPath`; `classCounts`,
    /// when given, replaces those the weights' metadata or run folder hold.
    public static func model(specPath: String, weightsPath: String, classCounts: [String: Int]? = nil) throws(RunError) -> ONNXModel {
        let weights = try SavedWeights(path: weightsPath)
        let catalogue = Catalogue.standard
        let (file, spec, compiled, _) = try PreparedModel.compile(path: specPath, catalogue: catalogue)
        var graph = compiled
        if !graph.symbols.isEmpty {
            let counts: [String: Int]
            if let classCounts {
                counts = classCounts
            } else if let stats = weights.dataStatistics {
                counts = catalogue.classCounts(for: spec.data, statistics: stats)
            } else if let saved = RunSettings.saved(besideWeights: weightsPath) {
                counts = saved.classCounts
            } else {
                throw RunError(.file, "\(weightsPath): has no class counts (no specrun metadata, no settings.json beside it); "
                               + "the spec needs \(graph.symbols.map { "classes(\($0))" }.joined(separator: ", ")): export weights written by specrun train")
            }
            try PreparedModel.bind(&graph, counts, file: file, why: "the weights' classes do not fit the spec")
        }
        // Loading into the model checks every tensor's name, shape and finiteness, as eval does.
        let model = try PreparedModel.makeModel(graph, spec: spec, path: specPath, catalogue: catalogue)
        try weights.load(into: model)
        var onnx: ONNXModel
        do { onnx = try catalogue.onnxModel(for: graph, weights: model.parameters + model.buffers) } catch {
            throw RunError(.spec, "\(specPath): \(error)")
        }
        onnx.producerVersion = TrainSession.version
        onnx.docString = interface
        onnx.metadata = [("specrun.spec", spec.name)] + (weights.file.metadata["specrun.data"].map { [("specrun.data", $0)] } ?? [])
        return onnx
    }

    /// Writes the model to `outputPath` (whole or not at all); returns a description of what was
    /// written, read back from the file's own bytes.
    public static func export(specPath: String, weightsPath: String, to outputPath: String) throws(RunError) -> String {
        let bytes = try model(specPath: specPath, weightsPath: weightsPath).encoded()
        do { try AtomicFile.write(Data(bytes), to: URL(fileURLWithPath: outputPath)) } catch {
            throw RunError(.file, "cannot write '\(outputPath)': \(error.reason)")
        }
        let written: ONNXModel
        do { written = try ONNXModel(decoding: bytes) } catch { preconditionFailure("[onnx] the encoder wrote what its reader refuses: \(error)") }
        return describe(written, path: outputPath, bytes: bytes.count)
    }

    /// `wrote model.onnx (123,456 bytes, opset 17): ...`, then one line per input and output.
    static func describe(_ model: ONNXModel, path: String, bytes: Int) -> String {
        let g = model.graph
        let parameters = g.initializers.filter { $0.elementType == .float }.reduce(0) { $0 + $1.elementCount }
        func shape(_ v: ONNXValueInfo) -> String { "(" + v.dims.map(\.description).joined(separator: ", ") + ")" }
        var lines = ["wrote \(path): opset \(model.opsetImports.map { String($0.version) }.joined(separator: ", ")), "
                     + "\(g.nodes.count) nodes, \(g.initializers.count) initializers (\(parameters) floats), \(bytes) bytes"]
        lines += g.inputs.map { "  input  \($0.name) \(shape($0)) float32" }
        lines += g.outputs.map { "  output \($0.name) \(shape($0)) float32" }
        return lines.joined(separator: "\n")
    }
}
