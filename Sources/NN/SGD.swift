import Autograd
import Kernels

/// Stochastic gradient descent with momentum, as `torch.optim.SGD` (torch 2.13,
/// torch/optim/sgd.py, `_single_tensor_sgd`, the CPU default):
///
///     g = grad (negated if maximize);  g += weight_decay * param
///     buf = g on the first step, else buf = momentum * buf + (1 - dampening) * g
///     g = g + momentum * buf if nesterov, else buf
///     param -= lr * g
///
/// State keys: `momentum_buffer` (only when momentum != 0); no step count.
public final class SGD: ParameterStateOwner {
    /// `torch.optim.SGD`'s arguments, with its defaults.
    public struct Options: Equatable, Sendable {
        /// `lr`
        public var lr: Double
        /// `momentum`; 0 keeps no momentum buffer.
        public var momentum: Double
        /// `dampening` of the gradient added to the momentum buffer.
        public var dampening: Double
        /// `weight_decay`: L2 penalty added to the gradient.
        public var weightDecay: Double
        /// `nesterov`: Nesterov momentum (needs momentum > 0 and dampening 0).
        public var nesterov: Bool
        /// `maximize`: ascend the gradient instead.
        public var maximize: Bool

        /// PyTorch's defaults unless given.
        public init(lr: Double = 1e-3, momentum: Double = 0, dampening: Double = 0, weightDecay: Double = 0,
                    nesterov: Bool = false, maximize: Bool = false) {
            self.lr = lr
            self.momentum = momentum
            self.dampening = dampening
            self.weightDecay = weightDecay
            self.nesterov = nesterov
            self.maximize = maximize
        }

        /// PyTorch's checks, with its conditions.
        public func validate() throws(OptimizerError) {
            try requireNonNegative("sgd", ["lr": lr, "momentum": momentum, "weight_decay": weightDecay])
            try require(!nesterov || (momentum > 0 && dampening == 0), "sgd",
                        "nesterov momentum requires momentum > 0 and dampening = 0, got momentum \(momentum), dampening \(dampening)")
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
        self.states = ParameterStates(algorithm: "sgd", parameters: parameters,
                                      keys: options.momentum != 0 ? ["momentum_buffer"] : [], countsSteps: false)
    }

    /// One update of every parameter that has a gradient.
    public func step() {
        let o = options
        let s = OptimizerKernels.SGDStep(
            maximize: o.maximize, weightDecay: Float(o.weightDecay), momentum: Float(o.momentum),
            dampeningComplement: Float(1 - o.dampening), nesterov: o.nesterov, negativeLR: Float(-learningRate))
        for (i, p) in states.parameters.enumerated() {
            guard let grad = p.tensor.grad else { continue }
            let start = states.slots[i] == nil
            if start { states.slots[i] = states.freshSlot(i) }
            OptimizerKernels.sgd(s, param: p.tensor.data, grad: grad.data, buffer: states.slots[i]!.buffers.first?.data,
                                 startBuffer: start, count: p.tensor.count)
        }
    }
}
