import Diagnostics
import GraphIR
import NN
import SpecLanguage

/// `accuracy`, `precision`, `recall` and `f1` of a classification head (scikit-learn's
/// definitions, as `ClassificationMetrics` computes them).
struct ClassificationMetric: RunnableMetric {
    let kind: KindSpec
    let metric: ClassificationMetrics.Metric
    let targets: Set<TargetKind> = [.classIndex, .probability, .logit]

    private static let threshold = ParameterSpec("threshold", .float, .defaultValue(.float(0.5)),
                                                 bounds: .interval(0, 1, upperInclusive: false, lowerInclusive: false),
                                                 "For a one-unit output: predict positive when the probability is at least this (for `bce_with_logits`, the sigmoid of the output).")
    private static let average = ParameterSpec("average", .choice(["binary", "macro"]),
                                               .optional("`binary` for a one-unit output, `macro` for a multi-class one"),
                                               "`binary`: of the positive class; `macro`: the unweighted mean over classes.")

    static let all: [ClassificationMetric] = [
        ClassificationMetric(kind: KindSpec("accuracy", .metric, pytorch: nil,
                                            "Share of correct predictions: by threshold for a one-unit output, by argmax otherwise.", [threshold]),
                             metric: .accuracy),
        ClassificationMetric(kind: KindSpec("precision", .metric, pytorch: nil, "True positives over predicted positives.", [average, threshold]),
                             metric: .precision),
        ClassificationMetric(kind: KindSpec("recall", .metric, pytorch: nil, "True positives over actual positives.", [average, threshold]),
                             metric: .recall),
        ClassificationMetric(kind: KindSpec("f1", .metric, pytorch: nil, "Harmonic mean of precision and recall.", [average, threshold]),
                             metric: .f1),
    ]

    /// `binary` or `macro` as written, else the head's natural average; nil for accuracy.
    private func average(_ options: SpecOptions, _ target: TargetKind) -> String? {
        guard kind.parameter("average") != nil else { return nil }
        return options.string("average") ?? (target.isBinary ? "binary" : "macro")
    }

    /// A multi-class head is classified by argmax: no threshold, no binary average.
    func check(_ metric: SpecComponent, _ head: inout HeadCheck) {
        let o = metric.options, output = head.output.name, loss = head.output.loss.name
        guard head.targetKind == .classIndex else { return }
        if o.isGiven("threshold") {
            head.error(.metricMismatch, "output '\(output)' is multi-class (\(loss)), classified by argmax; `threshold` applies to one-unit outputs",
                       at: o.range(of: "threshold"))
        }
        if o.string("average") == "binary" {
            head.error(.metricMismatch, "output '\(output)' is multi-class (\(loss)); `average: binary` needs a one-unit output",
                       at: o.range(of: "average"), notes: [Note("use `average: macro`")])
        }
    }

    func reportedName(_ options: SpecOptions, target: TargetKind) -> String {
        guard let average = average(options, target), average != (target.isBinary ? "binary" : "macro") else { return kind.name }
        return "\(kind.name)_\(average)"
    }

    func value(_ statistics: HeadStatistics, _ options: SpecOptions, target: TargetKind) -> Double {
        statistics.classification?.value(metric, macro: average(options, target) == "macro") ?? .nan
    }
}
