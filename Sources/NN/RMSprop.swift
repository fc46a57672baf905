import Autograd
import Kernels

/// RMSprop, as `torch.optim.RMSprop` (torch 2.13, torch/optim/rmsprop.py,
/// `_single_tensor_rmsprop`, the CPU default):
///
///     step += 1;  g = grad (negated if maximize);  g += weight_decay * param
///     square_avg = alpha * square_avg + (1 - alpha) * g * g
///     centered: grad_avg.lerp_(g, 1 - alpha);  avg = sqrt(square_avg - grad_avg^2) + eps
///     else:     avg = sqrt(square_avg) + eps
///     momentum > 0: buf = momentum * buf + g / avg;  param -= lr * buf
///     else:         param -= lr * g / avg
///
/// State keys: `square_avg`, `momentum_buffer` (momentum > 0), `grad_avg` (centered), and a
/// step count (which PyTorch keeps but the update does not use).
public final class RMSprop: ParameterStateOwner {
    /// `torch.optim.RMSprop`'s arguments, with its defaults.
    public struct Options: Equatable, Sendable {
        /// `lr`, the learning rate.
        public var lr: Double
        /// `alpha`: the smoothing constant of the squared-gradient average.
        public var alpha: Double
        /// `eps`, added to the root of the average.
        public var eps: Double
        /// `weight_decay`: L2 penalty added to the gradient.
        public var weightDecay: Double
        /// `momentum`; 0 keeps no momentum buffer.
        public var momentum: Double
        /// Normalise by an estimate of the gradient's variance instead of its second moment.
        public var centered: Bool
        /// `maximize`: ascend the gradient instead.
        public var maximize: Bool

        /// PyTorch's defaults unless given.
        public init(lr: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8, weightDecay: Double = 0,
                    momentum: Double = 0, centered: Bool = false, maximize: Bool = false) {
            self.lr = lr
            self.alpha = alpha
            self.eps = eps
            self.weightDecay = weightDecay
            self.momentum = momentum
            self.centered = centered
            self.maximize = maximize
        }

        /// PyTorch's checks, with its conditions.
        public func validate() throws(OptimizerError) {
            try requireNonNegative("rmsprop", ["lr": lr, "eps": eps, "momentum": momentum, "weight_decay": weightDecay, "alpha": alpha])
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
        self.states = ParameterStates(
            algorithm: "rmsprop", parameters: parameters,
            keys: ["square_avg"] + (options.momentum > 0 ? ["momentum_buffer"] : []) + (options.centered ? ["grad_avg"] : []),
            countsSteps: true)
    }

    /// One update of every parameter that has a gradient.
    public func step() {
        let o = options
        let s = OptimizerKernels.RMSpropStep(
            maximize: o.maximize, weightDecay: Float(o.weightDecay), alpha: Float(o.alpha),
            oneMinusAlpha: Float(1 - o.alpha), eps: Float(o.eps), momentum: Float(o.momentum),
            negativeLR: Float(-learningRate))
        for (i, p) in states.parameters.enumerated() {
            guard let grad = p.tensor.grad else { continue }
            var slot = states.slots[i] ?? states.freshSlot(i)
            slot.step += 1
            states.slots[i] = slot
            let buffer = o.momentum > 0 ? slot.buffers[1].data : nil
            let gradAvg = o.centered ? slot.buffers.last!.data : nil
            OptimizerKernels.rmsprop(s, param: p.tensor.data, grad: grad.data, squareAvg: slot.buffers[0].data,
                                     gradAvg: gradAvg, buffer: buffer, count: p.tensor.count)
        }
    }
}
