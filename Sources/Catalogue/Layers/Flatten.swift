import Autograd
import GraphIR
import NN
import ONNX
import SpecLanguage

/// `flatten`: `nn.Flatten`, merging the axes from `start_dim` to `end_dim` into one.
struct FlattenLayer: RunnableLayer {
    let kind = KindSpec("flatten", .layer, pytorch: "nn.Flatten", "Flattens the axes from `start_dim` to `end_dim` into one.", [
        ParameterSpec("start_dim", .int, .defaultValue(.int(1)), "First axis to flatten (0 is the batch)."),
        ParameterSpec("end_dim", .int, .defaultValue(.int(-1)), "Last axis to flatten; negative counts from the end."),
    ], overview: ["any", "axes merged", "0", "0"])
    let example = LayerExample(input: [3, 4, 5], "flatten")

    /// Axes counted as in PyTorch (0 is the batch), normalised to be non-negative.
    struct Attributes: LayerAttributes {
        var startDim: Int
        var endDim: Int

        var signature: String { startDim == 1 ? "flatten" : "flatten(start_dim \(startDim), end_dim \(endDim))" }
    }

    func infer(_ layer: inout LayerInference) -> Inferred<Attributes>? {
        let x = layer.dims, full = x.count + 1
        let given = (layer.options.int("start_dim") ?? 1, layer.options.int("end_dim") ?? -1)
        let start = layer.axis(given.0), end = layer.axis(given.1)
        guard start >= 1, end < full, start <= end else {
            let key = start < 1 || start >= full || !layer.options.isGiven("end_dim") ? "start_dim" : "end_dim"
            let why = start == 0 ? "axis 0 is the batch, which is never flattened" : layer.axesDescription
            layer.error(.dimOutOfRange, "\(layer.label) cannot flatten axes \(given.0) to \(given.1) of \(layer.input): \(why)",
                        at: layer.options.range(of: key), notes: [layer.origin])
            return nil
        }
        let merged = x[(start - 1)...(end - 1)].reduce(SymbolicSize(1), *)
        guard merged.isLinear else {
            layer.error(.uncomputableSize, "\(layer.label) would multiply class counts (\(merged)) by flattening \(layer.input)",
                        notes: [layer.origin])
            return nil
        }
        return Inferred(Attributes(startDim: start, endDim: end), output: Array(x[..<(start - 1)]) + [merged] + Array(x[end...]))
    }

    func torchModule(_ a: Attributes, _ layer: GraphLayer) -> String {
        // The attributes count the end from the front; PyTorch's default end is the last axis.
        a.startDim == 1 && a.endDim == layer.inputShape.rank ? "nn.Flatten()" : TorchExport.call("nn.Flatten", ["start_dim=\(a.startDim)", "end_dim=\(a.endDim)"])
    }

    func module(_ a: Attributes, _ layer: GraphLayer, _ context: inout LoweringContext) throws -> any Layer {
        Flatten(start: a.startDim, end: a.endDim)
    }

    func onnx(_ a: Attributes, _ layer: GraphLayer, _ x: String, _ context: inout ONNXLayerContext) throws(LoweringError) -> String {
        // ONNX's Flatten always makes a matrix; a Reshape merges exactly the axes asked for.
        context.reshape(x, to: try context.dims(layer.outputShape))
    }
}

/// `identity`: `nn.Identity`.
struct IdentityLayer: RunnableLayer {
    let kind = KindSpec("identity", .layer, pytorch: "nn.Identity", "Passes its input through.", overview: ["any", "same", "0", "0"])
    let example = LayerExample(input: [3], "identity")

    struct Attributes: LayerAttributes {
        var signature: String { "identity" }
    }

    func infer(_ layer: inout LayerInference) -> Inferred<Attributes>? { Inferred(Attributes(), output: layer.dims) }

    func torchModule(_ a: Attributes, _ layer: GraphLayer) -> String { "nn.Identity()" }

    func module(_ a: Attributes, _ layer: GraphLayer, _ context: inout LoweringContext) throws -> any Layer {
        ActivationLayer("identity") { $0 }
    }

    func onnx(_ a: Attributes, _ layer: GraphLayer, _ x: String, _ context: inout ONNXLayerContext) throws(LoweringError) -> String { x }
}
