import Diagnostics
import GraphIR
import NN
import SpecLanguage

/// `top_k_accuracy`: the share of samples whose true class is among the k highest scores
/// (scikit-learn's top_k_accuracy_score, its default k and its tie order).
struct TopKAccuracyMetric: RunnableMetric {
    let kind = KindSpec("top_k_accuracy", .metric, pytorch: nil,
                        "Share of samples whose true class is among the `k` highest scores (scikit-learn's top_k_accuracy_score: of tied scores the higher class index ranks first). Reported as `top_<k>_accuracy`.", [
        ParameterSpec("k", .int, .defaultValue(.int(2)), bounds: .atLeast(1), "How many of the highest scores count (scikit-learn's default, 2)."),
    ])
    let targets: Set<TargetKind> = [.classIndex]

    func check(_ metric: SpecComponent, _ head: inout HeadCheck) {}

    func reportedName(_ options: SpecOptions, target: TargetKind) -> String { "top_\(options.int("k") ?? 2)_accuracy" }

    func value(_ statistics: HeadStatistics, _ options: SpecOptions, target: TargetKind) -> Double {
        statistics.topK?.value(k: options.int("k") ?? 2) ?? .nan
    }
}

/// `auroc`: the area under the ROC curve of a binary head, exact over every score of the split.
struct AUROCMetric: RunnableMetric {
    let kind = KindSpec("auroc", .metric, pytorch: nil,
                        "Area under the ROC curve of a one-unit output, exact over all the split's scores, ties counting one half (scikit-learn's roc_auc_score). Undefined (NaN, an error in `eval`) when the split holds one class only.")
    let targets: Set<TargetKind> = [.probability, .logit]

    func check(_ metric: SpecComponent, _ head: inout HeadCheck) {}

    func reportedName(_ options: SpecOptions, target: TargetKind) -> String { kind.name }

    func value(_ statistics: HeadStatistics, _ options: SpecOptions, target: TargetKind) -> Double {
        statistics.roc?.value() ?? .nan
    }
}
