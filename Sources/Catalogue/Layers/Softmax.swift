import Autograd
import GraphIR
import NN
import ONNX
import SpecLanguage

/// `softmax` and `log_softmax`: `nn.Softmax` and `nn.LogSoftmax` along `dim`.
struct SoftmaxLayer: RunnableLayer {
    let kind: KindSpec
    let takesLog: Bool
    var example: LayerExample { LayerExample(input: [4], kind.name) }

    private static let dim = ParameterSpec("dim", .int, .defaultValue(.int(1)),
                                           "The axis, counted as in PyTorch: 0 is the batch, 1 the features or channels; negative counts from the end.")
    private static let overview = ["any", "same", "0", "three per element"]
    static let softmax = SoftmaxLayer(kind: KindSpec("softmax", .layer, pytorch: "nn.Softmax", "Normalises exp(x) along `dim` to sum to 1.",
                                                     [dim], overview: overview), takesLog: false)
    static let logSoftmax = SoftmaxLayer(kind: KindSpec("log_softmax", .layer, pytorch: "nn.LogSoftmax", "log(softmax(x)) along `dim`, computed stably.",
                                                        [dim], overview: overview), takesLog: true)

    /// `dim` counted as in PyTorch (0 is the batch), normalised to be non-negative.
    struct Attributes: LayerAttributes {
        var name: String
        var dim: Int

        var signature: String { "\(name)(dim \(dim))" }
    }

    func infer(_ layer: inout LayerInference) -> Inferred<Attributes>? {
        let given = layer.options.int("dim") ?? 1
        let dim = layer.axis(given)
        guard dim >= 1 && dim <= layer.input.rank else {
            layer.error(.dimOutOfRange, "\(layer.label) `dim` \(given) is not an axis of \(layer.input): \(layer.axesDescription)",
                        at: layer.options.range(of: "dim"), notes: [layer.origin])
            return nil
        }
        return Inferred(Attributes(name: kind.name, dim: dim), output: layer.dims, flops: SymbolicSize(3) * layer.input.elementCount)
    }

    func torchModule(_ a: Attributes, _ layer: GraphLayer) -> String { takesLog ? "nn.LogSoftmax(dim=\(a.dim))" : "nn.Softmax(dim=\(a.dim))" }

    func module(_ a: Attributes, _ layer: GraphLayer, _ context: inout LoweringContext) throws -> any Layer {
        let axis = a.dim
        return takesLog ? ActivationLayer(kind.name) { $0.logSoftmax(axis: axis) } : ActivationLayer(kind.name) { $0.softmax(axis: axis) }
    }

    func onnx(_ a: Attributes, _ layer: GraphLayer, _ x: String, _ context: inout ONNXLayerContext) throws(LoweringError) -> String {
        context.node(takesLog ? "LogSoftmax" : "Softmax", [x], [.int("axis", a.dim)])
    }
}
