import Autograd
import GraphIR
import Kernels
import NN
import ONNX
import SpecLanguage

/// The elementwise activations, each a value of `Activation`: its keys, how its options resolve,
/// its PyTorch module, and the tensor op that computes it.
struct Activation: RunnableLayer {
    let kind: KindSpec
    let example: LayerExample
    /// The resolved layer for the options.
    let resolve: @Sendable (SpecOptions) -> Attributes

    struct Attributes: LayerAttributes {
        /// `leaky_relu(0.2)`; the name alone at the defaults.
        var signature: String
        /// `nn.LeakyReLU(negative_slope=0.2)`.
        var torch: String
        /// The op, forward and backward (Autograd).
        var apply: Op
        /// The function as the fused conv-pool kernel applies it after max pooling (where
        /// `ConvPool.isFusable` finds it monotone); nil for functions that kernel does not have.
        var monotone: MonotoneActivation?
    }

    /// The ops activations run as (Attributes must be Hashable, closures are not).
    enum Op: Hashable, Sendable {
        case relu, sigmoid, tanh
        case leakyReLU(Float)
        case elu(Float)
        case gelu(tanh: Bool)
        case silu
        case softplus(beta: Float, threshold: Float)

        func callAsFunction(_ x: Tensor) -> Tensor {
            switch self {
            case .relu: x.relu()
            case .sigmoid: x.sigmoid()
            case .tanh: x.tanh()
            case .leakyReLU(let slope): x.leakyRelu(negativeSlope: slope)
            case .elu(let alpha): x.elu(alpha: alpha)
            case .gelu(let tanh): x.gelu(approximate: tanh)
            case .silu: x.silu()
            case .softplus(let beta, let threshold): x.softplus(beta: beta, threshold: threshold)
            }
        }

        /// The ONNX nodes computing the op on `x`.
        func onnx(_ x: String, _ c: inout ONNXLayerContext) -> String {
            switch self {
            case .relu: return c.node("Relu", [x])
            case .sigmoid: return c.node("Sigmoid", [x])
            case .tanh: return c.node("Tanh", [x])
            case .leakyReLU(let slope): return c.node("LeakyRelu", [x], [.float("alpha", slope)])
            case .elu(let alpha): return c.node("Elu", [x], [.float("alpha", alpha)])
            case .gelu(let tanh):
                // Gelu is an operator only from opset 20: the formulas nn.GELU documents.
                let half = c.node("Mul", [x, c.scalar("half", 0.5)])
                let inner: String
                if tanh {
                    let cube = c.node("Mul", [x, c.node("Mul", [x, x])])
                    let sum = c.node("Add", [x, c.node("Mul", [cube, c.scalar("cubic", 0.044715)])])
                    inner = c.node("Tanh", [c.node("Mul", [sum, c.scalar("sqrt_2_over_pi", Float((2 / Double.pi).squareRoot()))])])
                } else {
                    inner = c.node("Erf", [c.node("Mul", [x, c.scalar("one_over_sqrt_2", Float(1 / 2.0.squareRoot()))])])
                }
                return c.node("Mul", [half, c.node("Add", [inner, c.scalar("one", 1)])])
            case .silu: return c.node("Mul", [x, c.node("Sigmoid", [x])])
            case .softplus(let beta, let threshold):
                // ONNX's Softplus has neither beta nor threshold: log(1 + exp(beta x)) / beta, and x
                // itself where beta x exceeds the threshold, as nn.Softplus.
                let scaled = beta == 1 ? x : c.node("Mul", [x, c.scalar("beta", beta)])
                let soft = beta == 1 ? c.node("Softplus", [scaled]) : c.node("Div", [c.node("Softplus", [scaled]), c.scalar("beta", beta)])
                let linear = c.node("Greater", [scaled, c.scalar("threshold", threshold)])
                return c.node("Where", [linear, x, soft])
            }
        }
    }

    init(_ kind: KindSpec, example: String? = nil, _ resolve: @escaping @Sendable (SpecOptions) -> Attributes) {
        self.kind = kind
        self.example = LayerExample(input: [5], example ?? kind.name)
        self.resolve = resolve
    }

    func infer(_ layer: inout LayerInference) -> Inferred<Attributes>? {
        Inferred(resolve(layer.options), output: layer.dims, flops: layer.input.elementCount)
    }

    func torchModule(_ a: Attributes, _ layer: GraphLayer) -> String { a.torch }

    func module(_ a: Attributes, _ layer: GraphLayer, _ context: inout LoweringContext) throws -> any Layer {
        let op = a.apply
        return ActivationLayer(layer.kind) { op($0) }
    }

    func onnx(_ a: Attributes, _ layer: GraphLayer, _ x: String, _ context: inout ONNXLayerContext) throws(LoweringError) -> String {
        a.apply.onnx(x, &context)
    }

    private static let overview = ["any", "same", "0", "one per element"]

    static let relu = Activation(KindSpec("relu", .layer, pytorch: "nn.ReLU", "max(0, x).", overview: overview)) { _ in
        Attributes(signature: "relu", torch: "nn.ReLU()", apply: .relu, monotone: .relu)
    }

    static let leakyReLU = Activation(KindSpec("leaky_relu", .layer, pytorch: "nn.LeakyReLU", "x for x >= 0, negative_slope * x below.", [
        ParameterSpec("negative_slope", .float, .defaultValue(.float(0.01)), "Slope for negative inputs."),
    ], overview: overview), example: "{leaky_relu: {negative_slope: 0.2}}") { o in
        let slope = o.number("negative_slope")
        return Attributes(signature: "leaky_relu(\(SpecValue.number(slope)))",
                          torch: TorchExport.call("nn.LeakyReLU", slope == 0.01 ? [] : ["negative_slope=" + Python.float(slope)]),
                          apply: .leakyReLU(Float(slope)), monotone: .leakyRelu(slope: Float(slope)))
    }

    static let elu = Activation(KindSpec("elu", .layer, pytorch: "nn.ELU", "x for x > 0, alpha * (exp(x) - 1) below.", [
        ParameterSpec("alpha", .float, .defaultValue(.float(1.0)), "Scale of the negative part."),
    ], overview: overview)) { o in
        let alpha = o.number("alpha")
        return Attributes(signature: alpha == 1 ? "elu" : "elu(\(SpecValue.number(alpha)))",
                          torch: TorchExport.call("nn.ELU", alpha == 1 ? [] : ["alpha=" + Python.float(alpha)]),
                          apply: .elu(Float(alpha)), monotone: .elu(alpha: Float(alpha)))
    }

    static let sigmoid = Activation(KindSpec("sigmoid", .layer, pytorch: "nn.Sigmoid", "1 / (1 + exp(-x)).", overview: overview)) { _ in
        Attributes(signature: "sigmoid", torch: "nn.Sigmoid()", apply: .sigmoid, monotone: nil)
    }

    static let tanh = Activation(KindSpec("tanh", .layer, pytorch: "nn.Tanh", "Hyperbolic tangent.", overview: overview)) { _ in
        Attributes(signature: "tanh", torch: "nn.Tanh()", apply: .tanh, monotone: nil)
    }

    static let gelu = Activation(KindSpec("gelu", .layer, pytorch: "nn.GELU", "x Φ(x), with Φ the standard normal distribution function.", [
        ParameterSpec("approximate", .choice(["none", "tanh"]), .defaultValue(.string("none")),
                      "`none`: the exact erf form; `tanh`: 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))."),
    ], overview: overview), example: "{gelu: {approximate: tanh}}") { o in
        let tanh = o.string("approximate") == "tanh"
        return Attributes(signature: tanh ? "gelu(tanh)" : "gelu", torch: tanh ? "nn.GELU(approximate='tanh')" : "nn.GELU()",
                          apply: .gelu(tanh: tanh), monotone: nil)
    }

    static let silu = Activation(KindSpec("silu", .layer, pytorch: "nn.SiLU", "x σ(x) = x / (1 + exp(-x)), the sigmoid linear unit (swish).",
                                          overview: overview)) { _ in
        Attributes(signature: "silu", torch: "nn.SiLU()", apply: .silu, monotone: nil)
    }

    static let softplus = Activation(KindSpec("softplus", .layer, pytorch: "nn.Softplus", "log(1 + exp(beta x)) / beta, a smooth relu.", [
        ParameterSpec("beta", .float, .defaultValue(.float(1)), bounds: .above(0), "Sharpness: larger values approach relu."),
        ParameterSpec("threshold", .float, .defaultValue(.float(20)), "Where beta x exceeds it, the layer returns x itself (the two agree to float precision there)."),
    ], overview: overview), example: "{softplus: {beta: 2, threshold: 5}}") { o in
        let beta = o.number("beta"), threshold = o.number("threshold")
        var arguments: [String] = []
        if beta != 1 { arguments.append("beta=" + Python.float(beta)) }
        if threshold != 20 { arguments.append("threshold=" + Python.float(threshold)) }
        let shown = arguments.isEmpty ? "" : "(" + [beta != 1 ? "beta \(SpecValue.number(beta))" : nil,
                                                      threshold != 20 ? "threshold \(SpecValue.number(threshold))" : nil]
            .compactMap { $0 }.joined(separator: ", ") + ")"
        return Attributes(signature: "softplus" + shown, torch: TorchExport.call("nn.Softplus", arguments),
                          apply: .softplus(beta: Float(beta), threshold: Float(threshold)), monotone: nil)
    }

    static let all = [relu, leakyReLU, elu, sigmoid, tanh, gelu, silu, softplus]
}
