import Autograd
import Foundation
import GraphIR
import NN
import SpecLanguage

/// What a run optimises and reports: one head per spec output with its loss, weight and metrics;
/// the total loss is the weighted sum of the heads' losses.
public struct Objective {
    public struct Head {
        /// The output's name, as the spec and the logs name it.
        public var name: String
        /// The data field its targets come from.
        public var targetField: String
        public var loss: LossFunction
        /// The loss as the spec names it (`cross_entropy`).
        public var lossName: String
        public var weight: Float
        /// The classification task its metrics count, or nil when it has none.
        public var task: ClassificationMetrics.Task?
        /// Metrics to report, each under `<output>.<name>`, macro-averaged or not.
        public var metrics: [(name: String, metric: ClassificationMetrics.Metric, macro: Bool)]
    }

    public var heads: [Head]

    /// The heads of a bound graph's outputs.
    public init(graph: Graph) {
        heads = graph.outputs.map { output in
            let width = output.shape.dims.last?.constant ?? 1
            let task: ClassificationMetrics.Task?
            if output.loss.wantsClassIndex {
                task = .multiclass(classes: width)
            } else if output.loss.isBinary {
                // The spec's threshold is a probability; a logits head compares logits with logit(t).
                let t = output.metrics.first?.threshold ?? 0.5
                task = .binary(threshold: Float(output.loss == .bce ? t : log(t / (1 - t))))
            } else {
                task = nil
            }
            return Head(
                name: output.name, targetField: output.target.name, loss: Self.loss(output.loss), lossName: output.loss.name,
                weight: Float(output.weight),
                task: task,
                metrics: output.metrics.map { m in
                    (name: m.kind == .accuracy || m.average == nil || m.average == (output.loss.isBinary ? .binary : .macro)
                        ? m.kind.rawValue : "\(m.kind.rawValue)_\(m.average!.rawValue)",
                     metric: ClassificationMetrics.Metric(rawValue: m.kind.rawValue)!,
                     macro: m.average == .macro)
                })
        }
    }

    /// Each head's loss (a scalar tensor) for a batch's outputs and targets, in head order.
    public func losses(_ outputs: [String: Tensor], _ targets: [LossTarget]) -> [Tensor] {
        zip(heads, targets).map { head, target in head.loss(outputs[head.name]!, target) }
    }

    /// The objective: the heads' losses weighted and summed (a weight of 1 adds no op).
    public func total(_ losses: [Tensor]) -> Tensor {
        var total: Tensor?
        for (head, loss) in zip(heads, losses) {
            let weighted = head.weight == 1 ? loss : loss * head.weight
            total = total.map { $0 + weighted } ?? weighted
        }
        return total!
    }

    /// `loss = 1.0 * cross_entropy(alphabet) + 1.0 * cross_entropy(character)`
    public var description: String {
        "loss = " + heads.map { "\(Self.number($0.weight)) * \($0.lossName)(\($0.name))" }.joined(separator: " + ")
    }

    static func loss(_ spec: LossSpec) -> LossFunction {
        switch spec {
        case .crossEntropy(let smoothing, let w): .crossEntropy(classWeights: w?.map(Float.init), labelSmoothing: Float(smoothing))
        case .nll(let w): .nll(classWeights: w?.map(Float.init))
        case .bce: .bce
        case .bceWithLogits(let pw): .bceWithLogits(posWeight: pw.map { [Float($0)] })
        case .mse: .mse
        case .l1: .l1
        }
    }

    static func number(_ x: Float) -> String { x == x.rounded() ? String(format: "%.1f", x) : "\(x)" }
}

extension OptimizerConfiguration {
    /// The NN optimizer configuration a spec's optimizer names, every argument as resolved.
    public init(_ spec: OptimizerSpec) {
        switch spec {
        case .sgd(let o):
            self = .sgd(.init(lr: o.lr, momentum: o.momentum, dampening: o.dampening, weightDecay: o.weightDecay,
                              nesterov: o.nesterov, maximize: o.maximize))
        case .adam(let o), .adamw(let o):
            self = .adam(.init(lr: o.lr, betas: (o.beta1, o.beta2), eps: o.eps, weightDecay: o.weightDecay,
                               amsgrad: o.amsgrad, maximize: o.maximize, decoupledWeightDecay: o.decoupledWeightDecay))
        case .rmsprop(let o):
            self = .rmsprop(.init(lr: o.lr, alpha: o.alpha, eps: o.eps, weightDecay: o.weightDecay, momentum: o.momentum,
                                  centered: o.centered, maximize: o.maximize))
        case .adagrad(let o):
            self = .adagrad(.init(lr: o.lr, lrDecay: o.lrDecay, weightDecay: o.weightDecay,
                                  initialAccumulatorValue: o.initialAccumulatorValue, eps: o.eps, maximize: o.maximize))
        }
    }
}

extension LearningRateSchedule {
    /// The schedule a spec names (constant when it names none).
    public init(_ spec: ScheduleSpec?) {
        switch spec {
        case nil: self = .constant
        case .step(let stepSize, let gamma)?: self = .step(stepSize: stepSize, gamma: gamma)
        case .cosine(let tMax, let etaMin)?: self = .cosine(tMax: tMax, etaMin: etaMin)
        }
    }
}
