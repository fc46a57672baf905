import Autograd
import Kernels
import NN

/// One optimisation step, the same for `train` and `bench`: forward (model and weighted losses),
/// then, when every loss is finite, clear the gradients, backward, clip, and step the optimizer.
/// Each phase is timed (the clock reads cost nanoseconds; `bench` reports them).
///
/// In a data-parallel run (`replicas`) each process runs the step on its rows of the batch.
/// Backward starts from rows / batch rows, so each process's gradient is its share of the whole
/// batch's mean-loss gradient (also for uneven shares). The gradients are views into one flat
/// buffer, which also carries each head's loss summed over this process's rows and the Ctrl-C
/// flag: one collective sums all of it, and then every process decides alike whether to step
/// (every summed loss finite) and whether to stop after the step.
public struct TrainingStep {
    public let model: GraphModel
    public let objective: Objective
    public let optimizer: any Optimizer
    /// `train.clip_grad_norm`.
    public let clipGradNorm: Double?
    public let replicas: Replicas?
    /// The gradients, the heads' loss sums and the stop flag as one buffer (data-parallel runs).
    private let gradients: GradientBuffer?

    public init(model: GraphModel, objective: Objective, optimizer: any Optimizer, clipGradNorm: Double?, replicas: Replicas? = nil) {
        self.model = model
        self.objective = objective
        self.optimizer = optimizer
        self.clipGradNorm = clipGradNorm
        self.replicas = replicas
        gradients = replicas.map { _ in GradientBuffer(optimizer.parameters, extra: objective.heads.count + 1) }
    }

    /// Floats summed across the processes per step.
    public var gradientCount: Int { gradients?.storage.count ?? 0 }

    public struct Result {
        public var outputs: [String: Tensor]
        /// Each head's loss over the whole batch, in head order.
        public var losses: [Float]
        /// The objective; NaN when the step stopped at a non-finite head loss.
        public var total: Float
        /// The first head whose loss is NaN or infinite; the parameters were then left as they were.
        public var nonFinite: Int?
        /// Ctrl-C (on any process of a data-parallel run): the loop stops after this step.
        public var stop: Bool
        public var forwardSeconds: Double
        public var backwardSeconds: Double
        public var optimizerSeconds: Double
        /// Summing the gradients over the processes (data-parallel runs).
        public var exchangeSeconds: Double = 0
    }

    /// The step on a batch, of which this process holds `rows` of `batchRows` (all of them in one
    /// process).
    public func callAsFunction(_ inputs: [String: Tensor], _ targets: [LossTarget], rows: Int = 0, batchRows: Int = 0) -> Result {
        let t0 = MonotonicClock.seconds()
        let outputs = model(inputs)
        let lossTensors = objective.losses(outputs, targets)
        var losses = lossTensors.map(\.scalar)
        if replicas == nil, let bad = losses.firstIndex(where: { !$0.isFinite }) {
            return Result(outputs: outputs, losses: losses, total: .nan, nonFinite: bad, stop: Interrupt.isRequested,
                          forwardSeconds: MonotonicClock.seconds() - t0, backwardSeconds: 0, optimizerSeconds: 0)
        }
        let total = objective.total(lossTensors)
        let t1 = MonotonicClock.seconds()
        var exchangeSeconds = 0.0, stop = Interrupt.isRequested
        if let replicas, let gradients {
            gradients.zero()
            total.backward(gradient: Tensor(scalar: Float(rows) / Float(batchRows)))
            let t = MonotonicClock.seconds()
            let extra = gradients.extra
            for (i, loss) in losses.enumerated() { extra[i] = rows > 0 ? loss * Float(rows) : 0 }  // 0/0 for an empty share
            extra[losses.count] = stop ? 1 : 0
            replicas.sumGradients(gradients)
            losses = losses.indices.map { extra[$0] / Float(batchRows) }
            stop = extra[losses.count] > 0
            exchangeSeconds = MonotonicClock.seconds() - t
            if let bad = losses.firstIndex(where: { !$0.isFinite }) {
                return Result(outputs: outputs, losses: losses, total: .nan, nonFinite: bad, stop: stop, forwardSeconds: t1 - t0,
                              backwardSeconds: MonotonicClock.seconds() - t1 - exchangeSeconds, optimizerSeconds: 0,
                              exchangeSeconds: exchangeSeconds)
            }
        } else {
            optimizer.zeroGrad()
            total.backward()
        }
        let t2 = MonotonicClock.seconds()
        if let clipGradNorm { _ = clipGradientNorm(optimizer.parameters, maxNorm: clipGradNorm) }
        optimizer.step()
        let t3 = MonotonicClock.seconds()
        let objectiveValue = replicas == nil ? total.scalar : zip(objective.heads, losses).reduce(0) { $0 + $1.0.weight * $1.1 }
        return Result(outputs: outputs, losses: losses, total: objectiveValue, nonFinite: nil, stop: stop,
                      forwardSeconds: t1 - t0, backwardSeconds: t2 - t1 - exchangeSeconds, optimizerSeconds: t3 - t2,
                      exchangeSeconds: exchangeSeconds)
    }
}
