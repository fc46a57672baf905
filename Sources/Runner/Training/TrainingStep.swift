import Autograd
import Kernels
import NN

/// One optimisation step, the same for `train` and `bench`: forward (model and weighted losses),
/// then, when every loss is finite, clear the gradients, backward, clip, and step the optimizer.
/// Each phase is timed (the clock reads cost nanoseconds; `bench` reports them).
public struct TrainingStep {
    public let model: GraphModel
    public let objective: Objective
    public let optimizer: any Optimizer
    /// `train.clip_grad_norm`.
    public let clipGradNorm: Double?

    public init(model: GraphModel, objective: Objective, optimizer: any Optimizer, clipGradNorm: Double?) {
        self.model = model
        self.objective = objective
        self.optimizer = optimizer
        self.clipGradNorm = clipGradNorm
    }

    public struct Result {
        public var outputs: [String: Tensor]
        /// Each head's loss, in head order.
        public var losses: [Float]
        /// The objective; NaN when the step stopped at a non-finite head loss.
        public var total: Float
        /// The first head whose loss is NaN or infinite; the parameters were then left as they were.
        public var nonFinite: Int?
        public var forwardSeconds: Double
        public var backwardSeconds: Double
        public var optimizerSeconds: Double
    }

    public func callAsFunction(_ inputs: [String: Tensor], _ targets: [LossTarget]) -> Result {
        let t0 = MonotonicClock.seconds()
        let outputs = model(inputs)
        let lossTensors = objective.losses(outputs, targets)
        let losses = lossTensors.map(\.scalar)
        if let bad = losses.firstIndex(where: { !$0.isFinite }) {
            return Result(outputs: outputs, losses: losses, total: .nan, nonFinite: bad, forwardSeconds: MonotonicClock.seconds() - t0,
                          backwardSeconds: 0, optimizerSeconds: 0)
        }
        let total = objective.total(lossTensors)
        let t1 = MonotonicClock.seconds()
        optimizer.zeroGrad()
        total.backward()
        let t2 = MonotonicClock.seconds()
        if let clipGradNorm { _ = clipGradientNorm(optimizer.parameters, maxNorm: clipGradNorm) }
        optimizer.step()
        let t3 = MonotonicClock.seconds()
        return Result(outputs: outputs, losses: losses, total: total.scalar, nonFinite: nil,
                      forwardSeconds: t1 - t0, backwardSeconds: t2 - t1, optimizerSeconds: t3 - t2)
    }
}
