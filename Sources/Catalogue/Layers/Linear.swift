import Autograd
import GraphIR
import Kernels
import NN
import ONNX
import SpecLanguage

/// `linear`: `nn.Linear`, a fully connected layer on a vector per sample.
struct LinearLayer: RunnableLayer {
    let kind = KindSpec("linear", .layer, pytorch: "nn.Linear", "Fully connected layer on a vector per sample: `y = x W^T + b`.", [
        ParameterSpec("in", .size, .optional("inferred from the incoming shape"), bounds: .atLeast(1), pytorch: "in_features",
                      "Input features. Optional; when given it is checked against the incoming shape."),
        ParameterSpec("out", .size, .required, bounds: .atLeast(1), pytorch: "out_features",
                      "Output features; may be a class count such as `classes(character)`."),
        WeightKeys.bias, WeightKeys.weightInit, WeightKeys.biasInit,
    ], overview: ["`[in]`", "`[out]`", "`in*out + out`", "`2*in*out + out`"])
    let example = LayerExample(input: [6], "{linear: {out: 4}}")

    struct Attributes: LayerAttributes {
        var inFeatures: SymbolicSize
        var outFeatures: SymbolicSize
        var bias: Bool

        var signature: String { "linear(\(inFeatures) -> \(outFeatures)\(bias ? "" : ", no bias"))" }

        func substituting(_ classes: [String: Int]) -> Attributes {
            Attributes(inFeatures: inFeatures.substituting(classes), outFeatures: outFeatures.substituting(classes), bias: bias)
        }
    }

    func infer(_ layer: inout LayerInference) -> Inferred<Attributes>? {
        let x = layer.dims
        guard layer.requireRank([1], "a vector per sample", hint: x.count > 1 ? "add `flatten` before it" : nil) else { return nil }
        let out = layer.options.size("out") ?? 1
        // A wrong `in` does not change what the layer makes, so inference carries on with the real size.
        if let given = layer.options.size("in") {
            layer.require(given, equals: x[0], .sizeMismatch, "\(layer.label) `in` is {lhs}, but the incoming features are {rhs}",
                          at: layer.options.range(of: "in"))
        }
        let bias = layer.options.flag("bias")
        return Inferred(Attributes(inFeatures: x[0], outFeatures: out, bias: bias), output: [out],
                        parameters: x[0] * out + (bias ? out : 0), flops: SymbolicSize(2) * x[0] * out + (bias ? out : 0))
    }

    func torchModule(_ a: Attributes, _ layer: GraphLayer) -> String {
        TorchExport.call("nn.Linear", [Python.size(a.inFeatures), Python.size(a.outFeatures)] + (a.bias ? [] : ["bias=False"]))
    }

    func module(_ a: Attributes, _ layer: GraphLayer, _ context: inout LoweringContext) throws -> any Layer {
        try Linear(inFeatures: a.inFeatures.value(), outFeatures: a.outFeatures.value(), bias: a.bias,
                   weightInit: context.initializer(layer.initializer), biasInit: context.initializer(layer.biasInitializer),
                   rng: &context.rng)
    }

    func onnx(_ a: Attributes, _ layer: GraphLayer, _ x: String, _ context: inout ONNXLayerContext) throws(LoweringError) -> String {
        // Gemm computes x W^T + b with W stored [out, in], as nn.Linear does.
        let weight = try context.parameter("weight"), bias = a.bias ? [try context.parameter("bias")] : []
        return context.node("Gemm", [x, weight] + bias, [.int("transB", 1)])
    }
}

/// The keys every layer with a weight takes.
enum WeightKeys {
    static let weightInit = ParameterSpec("init", .component(.initializer), .optional("PyTorch's default for the layer"),
                                          "Initializer of the weight.")
    static let biasInit = ParameterSpec("bias_init", .component(.initializer), .optional("PyTorch's default for the layer"),
                                        "Initializer of the bias.")
    static let bias = ParameterSpec("bias", .bool, .defaultValue(.bool(true)), "Whether the layer adds a learned bias.")
}

extension SymbolicSize {
    /// The size once the class counts are bound; lowering an unbound graph is a programming error
    /// of the caller, reported as a `LoweringError`.
    func value() throws(LoweringError) -> Int {
        guard let n = constant else { throw LoweringError("size \(self) is not known: bind the class counts first") }
        return n
    }
}
