import Autograd
import Kernels

/// Adagrad, as `torch.optim.Adagrad` (torch 2.13, torch/optim/adagrad.py,
/// `_single_tensor_adagrad`, the CPU default; dense gradients):
///
///     step += 1;  g = grad (negated if maximize);  g += weight_decay * param
///     clr = lr / (1 + (step - 1) * lr_decay)
///     sum += g * g;  param -= clr * g / (sqrt(sum) + eps)
///
/// State keys: `sum` and a step count. Unlike the other optimizers, PyTorch creates this state
/// for every parameter when the optimizer is made (`sum` filled with initial_accumulator_value),
/// so every parameter has state from the start, and exports it.
public final class Adagrad: ParameterStateOwner {
    /// `torch.optim.Adagrad`'s arguments, with its defaults.
    public struct Options: Equatable, Sendable {
        /// `lr`, the learning rate.
        public var lr: Double
        /// `lr_decay`: the step size is lr / (1 + (step - 1) * lr_decay).
        public var lrDecay: Double
        /// `weight_decay`: L2 penalty added to the gradient.
        public var weightDecay: Double
        /// `initial_accumulator_value`: the starting value of every `sum`.
        public var initialAccumulatorValue: Double
        /// `eps`, added to the root of `sum`.
        public var eps: Double
        /// `maximize`: ascend the gradient instead.
        public var maximize: Bool

        /// PyTorch's defaults unless given.
        public init(lr: Double = 1e-2, lrDecay: Double = 0, weightDecay: Double = 0, initialAccumulatorValue: Double = 0,
                    eps: Double = 1e-10, maximize: Bool = false) {
            self.lr = lr
            self.lrDecay = lrDecay
            self.weightDecay = weightDecay
            self.initialAccumulatorValue = initialAccumulatorValue
            self.eps = eps
            self.maximize = maximize
        }

        /// PyTorch's checks, with its conditions.
        public func validate() throws(OptimizerError) {
            try requireNonNegative("adagrad", ["lr": lr, "lr_decay": lrDecay, "weight_decay": weightDecay,
                                               "initial_accumulator_value": initialAccumulatorValue, "eps": eps])
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
        self.states = ParameterStates(algorithm: "adagrad", parameters: parameters, keys: ["sum"], countsSteps: true)
        for i in parameters.indices { states.slots[i] = freshSlot(i) }
    }

    private func freshSlot(_ i: Int) -> ParameterStates.Slot {
        states.freshSlot(i, filledWith: Float(options.initialAccumulatorValue))
    }

    /// One update of every parameter that has a gradient.
    public func step() {
        let o = options
        for (i, p) in states.parameters.enumerated() {
            guard let grad = p.tensor.grad else { continue }
            var slot = states.slots[i] ?? freshSlot(i)  // imported state may leave a parameter without
            slot.step += 1
            states.slots[i] = slot
            let clr = learningRate / (1 + Double(slot.step - 1) * o.lrDecay)
            let s = OptimizerKernels.AdagradStep(maximize: o.maximize, weightDecay: Float(o.weightDecay),
                                                 eps: Float(o.eps), negativeClr: Float(-clr))
            OptimizerKernels.adagrad(s, param: p.tensor.data, grad: grad.data, sum: slot.buffers[0].data, count: p.tensor.count)
        }
    }
}
