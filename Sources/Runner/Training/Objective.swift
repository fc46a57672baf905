import Autograd
import Catalogue
import DataPipeline
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
        /// What the loss compares predictions with.
        public var target: TargetKind
        public var weight: Float
        /// Scores per sample (classes for a classifier).
        public var width: Int
        /// The decision threshold of a binary head, as a probability (its first metric's `threshold`).
        public var threshold: Double
        /// Metrics to report, each under `<output>.<name>`.
        public var metrics: [Metric]
        /// How the target was normalised for training (`x' = (x - shift) / scale` per column), or
        /// nil: metrics and `predict` see predictions and targets back on the original scale.
        public var targetScaling: (shift: [Float], scale: [Float])?

        /// Fresh statistics for one pass over a split.
        public func statistics() -> HeadStatistics { HeadStatistics(target: target, width: width, threshold: threshold) }

        /// `values` (rows of `width` columns, normalised like the target) on the target's own scale.
        public func originalScale(_ values: Tensor) -> Tensor {
            guard let (shift, scale) = targetScaling else { return values }
            let out = Tensor.zeros(values.shape)
            let n = values.count, width = shift.count
            for i in 0..<n { out.data[i] = values.data[i] * scale[i % width] + shift[i % width] }
            return out
        }
    }

    /// A metric of a head: its reported name and how to read it from the head's statistics.
    public struct Metric {
        public var name: String
        let definition: any RunnableMetric
        let options: SpecOptions

        public func value(_ statistics: HeadStatistics, target: TargetKind) -> Double {
            definition.value(statistics, options, target: target)
        }
    }

    public var heads: [Head]

    /// The heads of a bound graph's outputs, each loss and metric made by its definition; with the
    /// data's fitted `statistics`, each head whose target was normalised knows how to undo it.
    public init(graph: Graph, statistics: DataStatistics? = nil, catalogue: Catalogue = .standard) {
        heads = graph.outputs.map { output in
            let scaling = statistics?.targetScaling(of: output.target.name).map { s in (shift: s.shift.map(Float.init), scale: s.scale.map(Float.init)) }
            return Head(name: output.name, targetField: output.target.name,
                 loss: catalogue.loss(output.loss.name).function(output.loss.options), lossName: output.loss.name,
                 target: output.targetKind, weight: Float(output.weight), width: output.shape.dims.last?.constant ?? 1,
                 threshold: output.metrics.first?.options.double("threshold") ?? 0.5,
                 metrics: output.metrics.map { m in
                     let definition = catalogue.metric(m.name)
                     return Metric(name: definition.reportedName(m.options, target: output.targetKind), definition: definition, options: m.options)
                 }, targetScaling: scaling)
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

    static func number(_ x: Float) -> String { x == x.rounded() ? String(format: "%.1f", x) : "\(x)" }
}
