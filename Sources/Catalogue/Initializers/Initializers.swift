import Diagnostics
import GraphIR
import NN
import SpecLanguage

/// The initializers of `torch.nn.init`, each a value of `InitializerKind`: its keys, whether it
/// needs fans, its own checks, and the NN initializer and PyTorch call it is.
struct InitializerKind: RunnableInitializer {
    let kind: KindSpec
    let usesFans: Bool
    /// The NN initializer for the options.
    let make: @Sendable (SpecOptions) -> Initializer
    /// The `nn.init` keyword arguments after the tensor, as PyTorch's names and values.
    let arguments: @Sendable (SpecOptions) -> [String]
    var checks: @Sendable (SpecComponent, inout DiagnosticSink) -> Void = { _, _ in }

    func check(_ initializer: SpecComponent, _ sink: inout DiagnosticSink) { checks(initializer, &sink) }

    func torchCall(_ options: SpecOptions, tensor: String) -> String {
        TorchExport.call(kind.pytorch ?? "nn.init.\(kind.name)_", [tensor] + arguments(options))
    }

    func initializer(_ options: SpecOptions) -> Initializer { make(options) }

    private static let nonlinearities = Initializer.Nonlinearity.allCases.map(\.rawValue)

    private static func kaiming(_ name: String, _ doc: String, normal: Bool) -> InitializerKind {
        InitializerKind(kind: KindSpec(name, .initializer, pytorch: "nn.init.\(name)_", doc, [
            ParameterSpec("a", .float, .defaultValue(.float(0)), "Negative slope of the rectifier that follows (leaky_relu only)."),
            ParameterSpec("mode", .choice(Initializer.FanMode.allCases.map(\.rawValue)), .defaultValue(.string("fan_in")),
                          "Preserve the variance in the forward (`fan_in`) or backward (`fan_out`) pass."),
            ParameterSpec("nonlinearity", .choice(nonlinearities), .defaultValue(.string("leaky_relu")),
                          "The nonlinearity that follows, which sets the gain."),
        ]), usesFans: true, make: { o in
            let a = o.number("a")
            let mode = Initializer.FanMode(rawValue: o.string("mode") ?? "") ?? .fanIn
            let nonlinearity = Initializer.Nonlinearity(rawValue: o.string("nonlinearity") ?? "") ?? .leakyReLU
            return normal ? .kaimingNormal(a: a, mode: mode, nonlinearity: nonlinearity)
                          : .kaimingUniform(a: a, mode: mode, nonlinearity: nonlinearity)
        }, arguments: { o in
            ["a=" + Python.float(o.number("a")), "mode=" + Python.string(o.string("mode") ?? ""),
             "nonlinearity=" + Python.string(o.string("nonlinearity") ?? "")]
        })
    }

    private static let gain = ParameterSpec("gain", .float, .defaultValue(.float(1.0)), bounds: .above(0), "Scale factor.")

    static let all: [InitializerKind] = [
        kaiming("kaiming_uniform", "He initialisation, uniform.", normal: false),
        kaiming("kaiming_normal", "He initialisation, normal.", normal: true),
        InitializerKind(kind: KindSpec("xavier_uniform", .initializer, pytorch: "nn.init.xavier_uniform_", "Glorot initialisation, uniform.", [gain]),
                        usesFans: true, make: { .xavierUniform(gain: $0.number("gain")) },
                        arguments: { ["gain=" + Python.float($0.number("gain"))] }),
        InitializerKind(kind: KindSpec("xavier_normal", .initializer, pytorch: "nn.init.xavier_normal_", "Glorot initialisation, normal.", [gain]),
                        usesFans: true, make: { .xavierNormal(gain: $0.number("gain")) },
                        arguments: { ["gain=" + Python.float($0.number("gain"))] }),
        InitializerKind(kind: KindSpec("uniform", .initializer, pytorch: "nn.init.uniform_", "Uniform on [a, b].", [
            ParameterSpec("a", .float, .defaultValue(.float(0)), "Lower bound."),
            ParameterSpec("b", .float, .defaultValue(.float(1)), "Upper bound."),
        ]), usesFans: false, make: { .uniform(a: $0.number("a"), b: $0.number("b")) },
        arguments: { ["a=" + Python.float($0.number("a")), "b=" + Python.float($0.number("b"))] },
        checks: { c, sink in
            let a = c.options.number("a"), b = c.options.number("b")
            if a >= b && !c.options.hasErrors {
                sink.error(.conflictingOptions, "uniform initializer needs `a` below `b`, found a = \(SpecValue.number(a)), b = \(SpecValue.number(b))",
                           at: c.nameRange)
            }
        }),
        InitializerKind(kind: KindSpec("normal", .initializer, pytorch: "nn.init.normal_", "Normal with the given mean and standard deviation.", [
            ParameterSpec("mean", .float, .defaultValue(.float(0)), "Mean."),
            ParameterSpec("std", .float, .defaultValue(.float(1)), bounds: .atLeast(0), "Standard deviation."),
        ]), usesFans: false, make: { .normal(mean: $0.number("mean"), std: $0.number("std")) },
        arguments: { ["mean=" + Python.float($0.number("mean")), "std=" + Python.float($0.number("std"))] }),
        InitializerKind(kind: KindSpec("constant", .initializer, pytorch: "nn.init.constant_", shorthand: "val", "Every element set to `val`.", [
            ParameterSpec("val", .float, .required, "The value."),
        ]), usesFans: false, make: { .constant(val: $0.number("val")) }, arguments: { ["val=" + Python.float($0.number("val"))] }),
        InitializerKind(kind: KindSpec("zeros", .initializer, pytorch: "nn.init.zeros_", "Every element 0."),
                        usesFans: false, make: { _ in .zeros }, arguments: { _ in [] }),
        InitializerKind(kind: KindSpec("ones", .initializer, pytorch: "nn.init.ones_", "Every element 1."),
                        usesFans: false, make: { _ in .ones }, arguments: { _ in [] }),
    ]
}
