import Diagnostics
import GraphIR
import NN
import SpecLanguage

// The optimizers of `torch.optim`, with PyTorch's argument names, defaults and update rules.

private func lr(_ d: Double) -> ParameterSpec { ParameterSpec("lr", .float, .defaultValue(.float(d)), bounds: .above(0), "Learning rate.") }
private func weightDecay(_ d: Double) -> ParameterSpec {
    ParameterSpec("weight_decay", .float, .defaultValue(.float(d)), bounds: .atLeast(0), "L2 penalty coefficient.")
}
private func eps(_ d: Double) -> ParameterSpec {
    ParameterSpec("eps", .float, .defaultValue(.float(d)), bounds: .atLeast(0), "Added to the denominator for stability.")
}
private let maximize = ParameterSpec("maximize", .bool, .defaultValue(.bool(false)), "Maximise the objective instead of minimising it.")
private let momentum = ParameterSpec("momentum", .float, .defaultValue(.float(0)), bounds: .atLeast(0), "Momentum factor.")

/// `(name, value)` keyword arguments of a `torch.optim` constructor, each option's value as Python.
private func arguments(_ o: SpecOptions, _ keys: [String]) -> [(String, String)] {
    keys.map { key in
        let text: String = switch o[key]?.value {
        case .bool(let b)?: Python.bool(b)
        case .floatPair(let a, let b)?: "(\(Python.float(a)), \(Python.float(b)))"
        default: Python.float(o.number(key))
        }
        return (key, text)
    }
}

/// `sgd`: `optim.SGD`, with optional momentum.
struct SGDOptimizer: RunnableOptimizer {
    let kind = KindSpec("sgd", .optimizer, pytorch: "optim.SGD", "Stochastic gradient descent, with optional momentum.", [
        lr(1e-3), momentum,
        ParameterSpec("dampening", .float, .defaultValue(.float(0)), bounds: .atLeast(0), "Dampening for momentum."),
        weightDecay(0),
        ParameterSpec("nesterov", .bool, .defaultValue(.bool(false)), "Nesterov momentum (needs momentum > 0 and dampening 0)."),
        maximize,
    ])
    let summaryKeys = ["lr"]

    /// PyTorch refuses Nesterov momentum without momentum or with dampening; so does specrun, at the place.
    func check(_ optimizer: SpecComponent, _ sink: inout DiagnosticSink) {
        let a = optimizer.options
        guard a.flag("nesterov"), a.number("momentum") <= 0 || a.number("dampening") != 0 else { return }
        sink.error(.conflictingOptions, "`optimizer.sgd.nesterov` needs `momentum` above 0 and `dampening` 0 (momentum "
            + "\(SpecValue.number(a.number("momentum"))), dampening \(SpecValue.number(a.number("dampening"))))", at: a.range(of: "nesterov"))
    }

    func torchOptimizer(_ o: SpecOptions) -> (name: String, arguments: [(String, String)]) {
        ("SGD", arguments(o, ["lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize"]))
    }

    func optimizer(_ o: SpecOptions, _ parameters: [NamedParameter]) throws -> any Optimizer {
        try SGD(parameters, .init(lr: o.number("lr"), momentum: o.number("momentum"), dampening: o.number("dampening"),
                                  weightDecay: o.number("weight_decay"), nesterov: o.flag("nesterov"), maximize: o.flag("maximize")))
    }
}

/// `adam` and `adamw`: `optim.Adam` and `optim.AdamW` (Adam's arguments, weight decay 0.01 by
/// default and always decoupled).
struct AdamOptimizer: RunnableOptimizer {
    let kind: KindSpec
    let decoupled: Bool
    let summaryKeys = ["lr", "betas", "eps"]

    private static let betas = ParameterSpec("betas", .floatPair, .defaultValue(.floatPair(0.9, 0.999)), bounds: .interval(0, 1, upperInclusive: false),
                                             "Decay rates of the first and second moment estimates.")
    private static let amsgrad = ParameterSpec("amsgrad", .bool, .defaultValue(.bool(false)), "Use the AMSGrad variant.")

    static let adam = AdamOptimizer(kind: KindSpec("adam", .optimizer, pytorch: "optim.Adam", "Adam.", [
        lr(1e-3), betas, eps(1e-8), weightDecay(0), amsgrad, maximize,
        ParameterSpec("decoupled_weight_decay", .bool, .defaultValue(.bool(false)), "Apply weight decay as AdamW does."),
    ]), decoupled: false)
    static let adamW = AdamOptimizer(kind: KindSpec("adamw", .optimizer, pytorch: "optim.AdamW", "Adam with decoupled weight decay.", [
        lr(1e-3), betas, eps(1e-8), weightDecay(1e-2), amsgrad, maximize,
    ]), decoupled: true)

    func check(_ optimizer: SpecComponent, _ sink: inout DiagnosticSink) {}

    func torchOptimizer(_ o: SpecOptions) -> (name: String, arguments: [(String, String)]) {
        let common = ["lr", "betas", "eps", "weight_decay", "amsgrad", "maximize"]
        return decoupled ? ("AdamW", arguments(o, common)) : ("Adam", arguments(o, common + ["decoupled_weight_decay"]))
    }

    func optimizer(_ o: SpecOptions, _ parameters: [NamedParameter]) throws -> any Optimizer {
        let (b1, b2) = o.floatPair("betas") ?? (0.9, 0.999)
        return try Adam(parameters, .init(lr: o.number("lr"), betas: (b1, b2), eps: o.number("eps"), weightDecay: o.number("weight_decay"),
                                          amsgrad: o.flag("amsgrad"), maximize: o.flag("maximize"),
                                          decoupledWeightDecay: decoupled || o.flag("decoupled_weight_decay")))
    }
}

/// `rmsprop`: `optim.RMSprop`.
struct RMSpropOptimizer: RunnableOptimizer {
    let kind = KindSpec("rmsprop", .optimizer, pytorch: "optim.RMSprop", "RMSprop.", [
        lr(1e-2),
        ParameterSpec("alpha", .float, .defaultValue(.float(0.99)), bounds: .atLeast(0), "Smoothing constant."),
        eps(1e-8), weightDecay(0), momentum,
        ParameterSpec("centered", .bool, .defaultValue(.bool(false)), "Normalise by an estimate of the gradient's variance."),
        maximize,
    ])
    let summaryKeys = ["lr", "alpha", "eps"]

    func check(_ optimizer: SpecComponent, _ sink: inout DiagnosticSink) {}

    func torchOptimizer(_ o: SpecOptions) -> (name: String, arguments: [(String, String)]) {
        ("RMSprop", arguments(o, ["lr", "alpha", "eps", "weight_decay", "momentum", "centered", "maximize"]))
    }

    func optimizer(_ o: SpecOptions, _ parameters: [NamedParameter]) throws -> any Optimizer {
        try RMSprop(parameters, .init(lr: o.number("lr"), alpha: o.number("alpha"), eps: o.number("eps"), weightDecay: o.number("weight_decay"),
                                      momentum: o.number("momentum"), centered: o.flag("centered"), maximize: o.flag("maximize")))
    }
}

/// `adagrad`: `optim.Adagrad`.
struct AdagradOptimizer: RunnableOptimizer {
    let kind = KindSpec("adagrad", .optimizer, pytorch: "optim.Adagrad", "Adagrad.", [
        lr(1e-2),
        ParameterSpec("lr_decay", .float, .defaultValue(.float(0)), bounds: .atLeast(0), "Learning-rate decay."),
        weightDecay(0),
        ParameterSpec("initial_accumulator_value", .float, .defaultValue(.float(0)), bounds: .atLeast(0),
                      "Starting value of the squared-gradient sums."),
        eps(1e-10), maximize,
    ])
    let summaryKeys = ["lr", "eps"]

    func check(_ optimizer: SpecComponent, _ sink: inout DiagnosticSink) {}

    func torchOptimizer(_ o: SpecOptions) -> (name: String, arguments: [(String, String)]) {
        ("Adagrad", arguments(o, ["lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps", "maximize"]))
    }

    func optimizer(_ o: SpecOptions, _ parameters: [NamedParameter]) throws -> any Optimizer {
        try Adagrad(parameters, .init(lr: o.number("lr"), lrDecay: o.number("lr_decay"), weightDecay: o.number("weight_decay"),
                                      initialAccumulatorValue: o.number("initial_accumulator_value"), eps: o.number("eps"),
                                      maximize: o.flag("maximize")))
    }
}
