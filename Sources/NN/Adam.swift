#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Autograd
import Kernels

/// Adam and AdamW, as `torch.optim.Adam` and `torch.optim.AdamW` (torch 2.13,
/// torch/optim/adam.py, `_single_tensor_adam`, the CPU default; AdamW is Adam with
/// `decoupled_weight_decay=True`):
///
///     step += 1;  g = grad (negated if maximize)
///     AdamW: param *= 1 - lr * weight_decay      Adam: g += weight_decay * param
///     exp_avg.lerp_(g, 1 - beta1);  exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * g * g
///     amsgrad: max_exp_avg_sq = max(max_exp_avg_sq, exp_avg_sq), used below instead
///     denom = sqrt(exp_avg_sq) / sqrt(1 - beta2 ** step) + eps
///     param += (-lr / (1 - beta1 ** step)) * exp_avg / denom
///
/// State keys: `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq` (amsgrad only), and a step count.
/// Each step is one pass over each parameter's memory (`OptimizerKernels.adam`).
public final class Adam: ParameterStateOwner {
    /// `torch.optim.Adam`'s arguments, with its defaults; `adamW(...)` gives AdamW's.
    public struct Options: Equatable, Sendable {
        /// `lr`, the learning rate.
        public var lr: Double
        /// `betas`: the decay rates of the first and second moment averages.
        public var betas: (Double, Double)
        /// `eps`, added to the denominator.
        public var eps: Double
        /// `weight_decay`: an L2 penalty added to the gradient (Adam), or the decoupled decay
        /// rate (AdamW).
        public var weightDecay: Double
        /// `amsgrad`: normalise by the largest second moment seen so far.
        public var amsgrad: Bool
        /// `maximize`: ascend the gradient instead.
        public var maximize: Bool
        /// `decoupled_weight_decay`: true makes this AdamW.
        public var decoupledWeightDecay: Bool

        /// `torch.optim.Adam`'s defaults unless given.
        public init(lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8, weightDecay: Double = 0,
                    amsgrad: Bool = false, maximize: Bool = false, decoupledWeightDecay: Bool = false) {
            self.lr = lr
            self.betas = betas
            self.eps = eps
            self.weightDecay = weightDecay
            self.amsgrad = amsgrad
            self.maximize = maximize
            self.decoupledWeightDecay = decoupledWeightDecay
        }

        /// `torch.optim.AdamW`'s arguments, with its defaults (weight_decay 1e-2).
        public static func adamW(lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                                 weightDecay: Double = 1e-2, amsgrad: Bool = false, maximize: Bool = false) -> Options {
            Options(lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, amsgrad: amsgrad, maximize: maximize,
                    decoupledWeightDecay: true)
        }

        /// `adam` or `adamw`.
        public var algorithm: String { decoupledWeightDecay ? "adamw" : "adam" }

        /// PyTorch's checks, with its conditions.
        public func validate() throws(OptimizerError) {
            let name = algorithm
            try requireNonNegative(name, ["lr": lr, "eps": eps, "weight_decay": weightDecay])
            try require(betas.0 >= 0 && betas.0 < 1, name, "betas[0] must be in [0, 1), got \(betas.0)")
            try require(betas.1 >= 0 && betas.1 < 1, name, "betas[1] must be in [0, 1), got \(betas.1)")
        }

        /// Equal when every option is (tuples are not `Equatable`, so this is written out).
        public static func == (a: Options, b: Options) -> Bool {
            a.lr == b.lr && a.betas == b.betas && a.eps == b.eps && a.weightDecay == b.weightDecay
                && a.amsgrad == b.amsgrad && a.maximize == b.maximize && a.decoupledWeightDecay == b.decoupledWeightDecay
        }
    }

    /// The options this optimizer was made with (the learning rate may since have changed).
    public let options: Options
    /// `param_groups[0]["lr"]`: starts at `options.lr`; a schedule sets it per epoch.
    public var learningRate: Double
    var states: ParameterStates

    /// An optimizer over `parameters`; throws when an option is out of range (PyTorch's checks).
    public init(_ parameters: [NamedParameter], _ options: Options = Options()) throws(OptimizerError) {
        try options.validate()
        self.options = options
        self.learningRate = options.lr
        self.states = ParameterStates(algorithm: options.algorithm, parameters: parameters,
                                      keys: ["exp_avg", "exp_avg_sq"] + (options.amsgrad ? ["max_exp_avg_sq"] : []),
                                      countsSteps: true)
    }

    /// One update of every parameter that has a gradient.
    public func step() {
        let o = options, lr = learningRate
        let (beta1, beta2) = o.betas
        for (i, p) in states.parameters.enumerated() {
            guard let grad = p.tensor.grad else { continue }
            var slot = states.slots[i] ?? states.freshSlot(i)
            slot.step += 1
            states.slots[i] = slot
            // The scalar arithmetic happens in Double, as in Python; each result reaches the
            // kernel as a Float, as ATen casts it.
            let t = Double(slot.step)
            let biasCorrection1 = 1 - pow(beta1, t)
            let biasCorrection2 = 1 - pow(beta2, t)
            let decoupled = o.decoupledWeightDecay && o.weightDecay != 0
            let s = OptimizerKernels.AdamStep(
                maximize: o.maximize,
                l2WeightDecay: o.decoupledWeightDecay ? 0 : Float(o.weightDecay),
                decayFactor: decoupled ? Float(1 - lr * o.weightDecay) : 1,
                oneMinusBeta1: Float(1 - beta1), beta2: Float(beta2), oneMinusBeta2: Float(1 - beta2),
                biasCorrection2Sqrt: Float(pow(biasCorrection2, 0.5)), eps: Float(o.eps),
                negativeStepSize: Float(-(lr / biasCorrection1)))
            OptimizerKernels.adam(s, param: p.tensor.data, grad: grad.data, expAvg: slot.buffers[0].data,
                                  expAvgSq: slot.buffers[1].data, maxExpAvgSq: o.amsgrad ? slot.buffers[2].data : nil,
                                  count: p.tensor.count)
        }
    }
}
