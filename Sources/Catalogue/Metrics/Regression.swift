import Diagnostics
import GraphIR
import NN
import SpecLanguage

/// `mae`, `mse`, `rmse` and `r2` of a regression head (scikit-learn's definitions, as
/// `RegressionMetrics` computes them), on the scale of the targets as the head compares them.
struct RegressionMetric: RunnableMetric {
    let kind: KindSpec
    let metric: RegressionMetrics.Metric
    let targets: Set<TargetKind> = [.value]

    static let all: [RegressionMetric] = [
        RegressionMetric(kind: KindSpec("mae", .metric, pytorch: nil,
                                        "Mean absolute error, mean |y - ŷ| (scikit-learn's mean_absolute_error; several values per sample are averaged per column, then over the columns)."),
                         metric: .mae),
        RegressionMetric(kind: KindSpec("mse", .metric, pytorch: nil, "Mean squared error, mean (y - ŷ)² (scikit-learn's mean_squared_error)."),
                         metric: .mse),
        RegressionMetric(kind: KindSpec("rmse", .metric, pytorch: nil,
                                        "Root mean squared error, √mse per column, averaged over the columns (scikit-learn's root_mean_squared_error)."),
                         metric: .rmse),
        RegressionMetric(kind: KindSpec("r2", .metric, pytorch: nil,
                                        "Coefficient of determination, 1 - Σ(y - ŷ)² / Σ(y - ȳ)² per column, averaged (scikit-learn's r2_score; a column of equal targets scores 1 if predicted exactly, else 0)."),
                         metric: .r2),
    ]

    func check(_ metric: SpecComponent, _ head: inout HeadCheck) {}

    func reportedName(_ options: SpecOptions, target: TargetKind) -> String { kind.name }

    func value(_ statistics: HeadStatistics, _ options: SpecOptions, target: TargetKind) -> Double {
        statistics.regression?.value(metric) ?? .nan
    }
}
