import Autograd
import Foundation
import GraphIR
import NN
import SpecLanguage

/// What one output head accumulates over a split for its metrics: confusion counts and the rank
/// of each sample's true class for a multi-class head; confusion counts and every score for a
/// binary head (the ROC curve needs them all); error sums for a regression head. The training
/// loop adds every batch; each metric's definition reads its value from it.
public struct HeadStatistics {
    /// Nil for a regression head.
    public private(set) var classification: ClassificationMetrics?
    /// Multi-class heads.
    public private(set) var topK: TopKAccuracy?
    /// Binary heads.
    public private(set) var roc: ROCAUC?
    /// Regression heads.
    public private(set) var regression: RegressionMetrics?

    /// The statistics a head of this target kind and width (scores or values per sample) needs;
    /// `threshold` is the binary heads' decision threshold as a probability.
    public init(target: TargetKind, width: Int, threshold: Double) {
        switch target {
        case .classIndex:
            classification = ClassificationMetrics(.multiclass(classes: width))
            topK = TopKAccuracy(classes: width)
        case .probability:
            classification = ClassificationMetrics(.binary(threshold: Float(threshold)))
            roc = ROCAUC()
        // The spec's threshold is a probability; a logits head compares logits with logit(t).
        case .logit:
            classification = ClassificationMetrics(.binary(threshold: Float(log(threshold / (1 - threshold)))))
            roc = ROCAUC()
        case .value: regression = RegressionMetrics(columns: width)
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
        let scores = UnsafeBufferPointer(start: prediction.data, count: prediction.count)
        switch target {
        case .classes(let t):
            classification?.update(scores: prediction, targets: t)
            t.withUnsafeBufferPointer { t in
                topK?.update(scores: scores, targets: t)
                roc?.update(scores: scores, targets: t)
            }
        case .values(let t):
            let targets = UnsafeBufferPointer(start: t.data, count: t.count)
            if classification != nil { classification!.update(scores: prediction, targets: t) }
            roc?.update(scores: scores, targets: targets)
            regression?.update(predictions: scores, targets: targets)
        }
    }
}
