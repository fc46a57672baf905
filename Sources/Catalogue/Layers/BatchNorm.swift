import Autograd
import GraphIR
import NN
import ONNX
import SpecLanguage

/// `batchnorm`: `nn.BatchNorm1d` on (features) or (channels, length), `nn.BatchNorm2d` on
/// (channels, height, width).
struct BatchNormLayer: RunnableLayer {
    let kind = KindSpec("batchnorm", .layer, pytorch: "nn.BatchNorm1d / nn.BatchNorm2d",
                        "Batch normalisation: BatchNorm1d on (features) or (channels, length), BatchNorm2d on (channels, height, width).", [
        ParameterSpec("eps", .float, .defaultValue(.float(1e-5)), bounds: .above(0), "Added to the variance for stability."),
        ParameterSpec("momentum", .float, .defaultValue(.float(0.1)), bounds: .interval(0, 1),
                      "Weight of the current batch in the running statistics."),
        ParameterSpec("affine", .bool, .defaultValue(.bool(true)), "Whether the layer learns a scale and a shift."),
    ], overview: ["`[C]`, `[C, L]`, `[C, H, W]`", "same", "`2*C` if affine", "two per element"])
    let example = LayerExample(input: [3, 2, 2], "batchnorm")

    struct Attributes: LayerAttributes {
        var numFeatures: SymbolicSize
        /// BatchNorm2d rather than 1d.
        var spatial: Bool
        var eps: Double
        var momentum: Double
        var affine: Bool

        var signature: String { "batchnorm\(spatial ? "2d" : "1d")(\(numFeatures))" }

        func substituting(_ classes: [String: Int]) -> Attributes {
            var a = self
            a.numFeatures = numFeatures.substituting(classes)
            return a
        }
    }

    func infer(_ layer: inout LayerInference) -> Inferred<Attributes>? {
        guard layer.requireRank([1, 2, 3], "(features), (channels, length) or (channels, height, width) per sample") else { return nil }
        let x = layer.dims, o = layer.options
        let affine = o.bool("affine") ?? true
        let a = Attributes(numFeatures: x[0], spatial: x.count == 3, eps: o.number("eps"), momentum: o.number("momentum"), affine: affine)
        return Inferred(a, output: x, parameters: affine ? SymbolicSize(2) * x[0] : 0, flops: SymbolicSize(2) * layer.input.elementCount)
    }

    func torchModule(_ a: Attributes, _ layer: GraphLayer) -> String {
        var arguments = [Python.size(a.numFeatures)]
        if a.eps != 1e-5 { arguments.append("eps=" + Python.float(a.eps)) }
        if a.momentum != 0.1 { arguments.append("momentum=" + Python.float(a.momentum)) }
        if !a.affine { arguments.append("affine=False") }
        return TorchExport.call(a.spatial ? "nn.BatchNorm2d" : "nn.BatchNorm1d", arguments)
    }

    func module(_ a: Attributes, _ layer: GraphLayer, _ context: inout LoweringContext) throws -> any Layer {
        BatchNorm(features: try a.numFeatures.value(), momentum: Float(a.momentum), eps: Float(a.eps), affine: a.affine)
    }

    func onnx(_ a: Attributes, _ layer: GraphLayer, _ x: String, _ context: inout ONNXLayerContext) throws(LoweringError) -> String {
        // Inference mode: the running statistics, not the batch's (training_mode is 0 by default).
        let c = try a.numFeatures.value()
        let scale = a.affine ? try context.parameter("weight") : context.constant("scale", dims: [c], floats: Array(repeating: 1, count: c))
        let shift = a.affine ? try context.parameter("bias") : context.constant("shift", dims: [c], floats: Array(repeating: 0, count: c))
        return context.node("BatchNormalization", [x, scale, shift, try context.parameter("running_mean"), try context.parameter("running_var")],
                            [.float("epsilon", Float(a.eps))])
    }
}

/// `dropout`: `nn.Dropout`.
struct DropoutLayer: RunnableLayer {
    let kind = KindSpec("dropout", .layer, pytorch: "nn.Dropout", "Zeroes each element with probability `p` in training and scales the rest by 1/(1-p).", [
        ParameterSpec("p", .float, .defaultValue(.float(0.5)), bounds: .interval(0, 1, upperInclusive: false), "Probability of zeroing."),
    ], overview: ["any", "same", "0", "0"])
    let example = LayerExample(input: [6], "{dropout: {p: 0.25}}")

    struct Attributes: LayerAttributes {
        var p: Double
        var signature: String { "dropout(\(SpecValue.number(p)))" }
    }

    func infer(_ layer: inout LayerInference) -> Inferred<Attributes>? {
        Inferred(Attributes(p: layer.options.number("p")), output: layer.dims)
    }

    func torchModule(_ a: Attributes, _ layer: GraphLayer) -> String {
        TorchExport.call("nn.Dropout", a.p == 0.5 ? [] : ["p=" + Python.float(a.p)])
    }

    func module(_ a: Attributes, _ layer: GraphLayer, _ context: inout LoweringContext) throws -> any Layer { Dropout(p: Float(a.p)) }

    /// The identity in inference mode: no node.
    func onnx(_ a: Attributes, _ layer: GraphLayer, _ x: String, _ context: inout ONNXLayerContext) throws(LoweringError) -> String { x }
}

/// `dropout2d`: `nn.Dropout2d`, whole channels zeroed.
struct Dropout2dLayer: RunnableLayer {
    let kind = KindSpec("dropout2d", .layer, pytorch: "nn.Dropout2d",
                        "Zeroes each whole channel of each sample with probability `p` in training and scales the rest by 1/(1-p).", [
        ParameterSpec("p", .float, .defaultValue(.float(0.5)), bounds: .interval(0, 1, upperInclusive: false), "Probability of zeroing a channel."),
    ], overview: ["`[C, H, W]`", "same", "0", "0"])
    let example = LayerExample(input: [3, 4, 4], "{dropout2d: {p: 0.25}}")

    struct Attributes: LayerAttributes {
        var p: Double
        var signature: String { "dropout2d(\(SpecValue.number(p)))" }
    }

    func infer(_ layer: inout LayerInference) -> Inferred<Attributes>? {
        guard layer.requireRank([3], "channels x height x width per sample") else { return nil }
        return Inferred(Attributes(p: layer.options.number("p")), output: layer.dims)
    }

    func torchModule(_ a: Attributes, _ layer: GraphLayer) -> String {
        TorchExport.call("nn.Dropout2d", a.p == 0.5 ? [] : ["p=" + Python.float(a.p)])
    }

    func module(_ a: Attributes, _ layer: GraphLayer, _ context: inout LoweringContext) throws -> any Layer { Dropout2d(p: Float(a.p)) }

    /// The identity in inference mode: no node.
    func onnx(_ a: Attributes, _ layer: GraphLayer, _ x: String, _ context: inout ONNXLayerContext) throws(LoweringError) -> String { x }
}
