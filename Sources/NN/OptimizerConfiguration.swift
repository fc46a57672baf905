/// Which optimizer to make, with its options: what a spec's `optimizer:` resolves to.
public enum OptimizerConfiguration: Equatable, Sendable {
    case sgd(SGD.Options)
    /// Adam, or AdamW when `decoupledWeightDecay` is set (see `Adam.Options.adamW`).
    case adam(Adam.Options)
    case rmsprop(RMSprop.Options)
    case adagrad(Adagrad.Options)

    /// The learning rate the optimizer starts with (the base of a schedule).
    public var learningRate: Double {
        switch self {
        case .sgd(let o): o.lr
        case .adam(let o): o.lr
        case .rmsprop(let o): o.lr
        case .adagrad(let o): o.lr
        }
    }

    /// A new optimizer over `parameters`; throws when an option is out of range.
    public func makeOptimizer(_ parameters: [NamedParameter]) throws(OptimizerError) -> any Optimizer {
        switch self {
        case .sgd(let o): try SGD(parameters, o)
        case .adam(let o): try Adam(parameters, o)
        case .rmsprop(let o): try RMSprop(parameters, o)
        case .adagrad(let o): try Adagrad(parameters, o)
        }
    }
}
