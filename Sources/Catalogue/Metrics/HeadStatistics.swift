import Autograd
import Foundation
import GraphIR
import NN
import SpecLanguage

/// What one output head accumulates over a split for its metrics: today a confusion count for
/// classification heads. The training loop adds every batch; each metric's definition reads its
/// value from it.
public struct HeadStatistics {
    /// Nil for a regression head.
    public private(set) var classification: ClassificationMetrics?

    /// The statistics a head of this target kind and width needs; `threshold` is the binary
    /// heads' decision threshold as a probability.
    public init(target: TargetKind, width: Int, threshold: Double) {
        switch target {
        case .classIndex: classification = ClassificationMetrics(.multiclass(classes: width))
        case .probability: classification = ClassificationMetrics(.binary(threshold: Float(threshold)))
        // The spec's threshold is a probability; a logits head compares logits with logit(t).
        case .logit: classification = ClassificationMetrics(.binary(threshold: Float(log(threshold / (1 - threshold)))))
        case .value: classification = nil
        }
    }

    /// The counts the metrics are read from (`ClassificationMetrics.tallies`; none for a
    /// regression head), for summing over the processes of a data-parallel job.
    public var tallies: [Double] {
        get { classification?.tallies ?? [] }
        set { if classification != nil { classification!.tallies = newValue } }
    }

    /// Adds a batch's predictions and targets.
    public mutating func add(_ prediction: Tensor, _ target: LossTarget) {
        guard classification != nil else { return }
        switch target {
        case .classes(let t): classification!.update(scores: prediction, targets: t)
        case .values(let t): classification!.update(scores: prediction, targets: t)
        }
    }
}
