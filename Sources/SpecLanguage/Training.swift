import Diagnostics

/// An optimizer with every PyTorch argument resolved (PyTorch's defaults where the spec is silent).
/// LocatedValue names follow PyTorch's (`weight_decay` is `weightDecay`).
public enum OptimizerSpec: Sendable, Hashable {
    case sgd(SGD)
    case adam(Adam)
    /// AdamW: Adam's arguments with `weight_decay` 0.01 by default and decay always decoupled.
    case adamw(Adam)
    case rmsprop(RMSprop)
    case adagrad(Adagrad)

    /// `optim.SGD`.
    public struct SGD: Sendable, Hashable {
        public var lr, momentum, dampening, weightDecay: Double
        public var nesterov, maximize: Bool

        public init(lr: Double, momentum: Double, dampening: Double, weightDecay: Double, nesterov: Bool, maximize: Bool) {
            self.lr = lr
            self.momentum = momentum
            self.dampening = dampening
            self.weightDecay = weightDecay
            self.nesterov = nesterov
            self.maximize = maximize
        }
    }

    /// `optim.Adam` and `optim.AdamW`; `betas` is `(beta1, beta2)`.
    public struct Adam: Sendable, Hashable {
        public var lr, beta1, beta2, eps, weightDecay: Double
        public var amsgrad, maximize: Bool
        /// Always true for `adamw`.
        public var decoupledWeightDecay: Bool

        public init(lr: Double, beta1: Double, beta2: Double, eps: Double, weightDecay: Double, amsgrad: Bool, maximize: Bool, decoupledWeightDecay: Bool) {
            self.lr = lr
            self.beta1 = beta1
            self.beta2 = beta2
            self.eps = eps
            self.weightDecay = weightDecay
            self.amsgrad = amsgrad
            self.maximize = maximize
            self.decoupledWeightDecay = decoupledWeightDecay
        }
    }

    /// `optim.RMSprop`.
    public struct RMSprop: Sendable, Hashable {
        public var lr, alpha, eps, weightDecay, momentum: Double
        public var centered, maximize: Bool

        public init(lr: Double, alpha: Double, eps: Double, weightDecay: Double, momentum: Double, centered: Bool, maximize: Bool) {
            self.lr = lr
            self.alpha = alpha
            self.eps = eps
            self.weightDecay = weightDecay
            self.momentum = momentum
            self.centered = centered
            self.maximize = maximize
        }
    }

    /// `optim.Adagrad`.
    public struct Adagrad: Sendable, Hashable {
        public var lr, lrDecay, weightDecay, initialAccumulatorValue, eps: Double
        public var maximize: Bool

        public init(lr: Double, lrDecay: Double, weightDecay: Double, initialAccumulatorValue: Double, eps: Double, maximize: Bool) {
            self.lr = lr
            self.lrDecay = lrDecay
            self.weightDecay = weightDecay
            self.initialAccumulatorValue = initialAccumulatorValue
            self.eps = eps
            self.maximize = maximize
        }
    }

    /// The registry name: `sgd`, `adam`, ...
    public var name: String {
        switch self {
        case .sgd: "sgd"
        case .adam: "adam"
        case .adamw: "adamw"
        case .rmsprop: "rmsprop"
        case .adagrad: "adagrad"
        }
    }

    /// The initial learning rate.
    public var lr: Double {
        switch self {
        case .sgd(let o): o.lr
        case .adam(let o), .adamw(let o): o.lr
        case .rmsprop(let o): o.lr
        case .adagrad(let o): o.lr
        }
    }
}

/// A learning-rate schedule, stepped once per epoch.
public enum ScheduleSpec: Sendable, Hashable {
    /// `StepLR`: multiply by `gamma` every `stepSize` epochs.
    case step(stepSize: Int, gamma: Double)
    /// `CosineAnnealingLR` over `tMax` epochs (the spec's `train.epochs` when not given) down to `etaMin`.
    case cosine(tMax: Int, etaMin: Double)
}

/// A loss with its options.
public enum LossSpec: Sendable, Hashable {
    /// On logits against class indices; `classWeights` has one entry per class.
    case crossEntropy(labelSmoothing: Double, classWeights: [Double]?)
    /// On log-probabilities against class indices.
    case nll(classWeights: [Double]?)
    /// On probabilities against 0/1 floats.
    case bce
    /// On logits against 0/1 floats.
    case bceWithLogits(posWeight: Double?)
    case mse
    case l1

    /// The registry name: `cross_entropy`, `bce`, ...
    public var name: String {
        switch self {
        case .crossEntropy: "cross_entropy"
        case .nll: "nll"
        case .bce: "bce"
        case .bceWithLogits: "bce_with_logits"
        case .mse: "mse"
        case .l1: "l1"
        }
    }

    /// Whether the target is a class index (else floats of the output's shape).
    public var wantsClassIndex: Bool {
        switch self {
        case .crossEntropy, .nll: true
        default: false
        }
    }

    /// Whether the loss compares one probability or logit per sample with a 0/1 target.
    public var isBinary: Bool {
        switch self {
        case .bce, .bceWithLogits: true
        default: false
        }
    }

    public var classWeights: [Double]? {
        switch self {
        case .crossEntropy(_, let w), .nll(let w): w
        default: nil
        }
    }
}

/// A metric of an output, resolved for the output's kind.
public struct MetricSpec: Sendable, Hashable {
    /// Which metric.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case accuracy, precision, recall, f1
    }

    /// How precision, recall and f1 combine classes.
    public enum Average: String, Sendable, Hashable {
        /// Of the positive class (one-unit outputs).
        case binary
        /// Unweighted mean over classes.
        case macro
    }

    public var kind: Kind
    /// Nil for accuracy; for the others resolved from the output when not given.
    public var average: Average?
    /// For one-unit outputs: positive when the probability is at least this.
    public var threshold: Double
    public var range: SourceRange

    /// The name metrics are reported and monitored under: `accuracy`, `f1`.
    public var name: String { kind.rawValue }
}

/// A weight or bias initializer with PyTorch's argument names and defaults.
public enum InitializerSpec: Sendable, Hashable {
    /// Which fan the variance is preserved for (PyTorch's `mode`).
    public enum FanMode: String, Sendable, Hashable { case fanIn = "fan_in", fanOut = "fan_out" }

    case kaimingUniform(a: Double, mode: FanMode, nonlinearity: String)
    case kaimingNormal(a: Double, mode: FanMode, nonlinearity: String)
    case xavierUniform(gain: Double)
    case xavierNormal(gain: Double)
    case uniform(a: Double, b: Double)
    case normal(mean: Double, std: Double)
    case constant(Double)
    case zeros
    case ones
}
