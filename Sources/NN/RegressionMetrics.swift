/// Mean absolute error, mean squared error, its root and R² of one regression output, accumulated
/// batch by batch over a split, with scikit-learn's definitions (`multioutput="uniform_average"`):
/// each value of a sample is a column, the metric is computed per column and averaged.
///
/// - mae = mean |y - ŷ|, mse = mean (y - ŷ)², rmse = √mse (per column, then averaged, as
///   `root_mean_squared_error`);
/// - r2 = 1 - Σ (y - ŷ)² / Σ (y - ȳ)² per column; a column whose targets are all equal scores 1
///   when predicted exactly and 0 otherwise (`force_finite=True`).
///
/// Sums are kept in Double; the targets' spread is merged batch by batch (Chan's update), so a
/// large mean does not cancel it away. No sample gives NaN.
public struct RegressionMetrics: Sendable {
    public enum Metric: String, Sendable, CaseIterable {
        case mae, mse, rmse, r2
    }

    /// Values per sample.
    public let columns: Int
    public private(set) var sampleCount = 0
    private var absoluteErrors: [Double]
    private var squaredErrors: [Double]
    private var targetMean: [Double]
    /// Σ (y - ȳ)² per column.
    private var targetSpread: [Double]

    public init(columns: Int) {
        precondition(columns >= 1, "[metrics] a regression output needs at least one value per sample, got \(columns)")
        self.columns = columns
        absoluteErrors = Array(repeating: 0, count: columns)
        squaredErrors = absoluteErrors
        targetMean = absoluteErrors
        targetSpread = absoluteErrors
    }

    /// Adds a batch: `predictions` and `targets` hold the same number of samples, `columns` values each.
    public mutating func update(predictions: UnsafeBufferPointer<Float>, targets: UnsafeBufferPointer<Float>) {
        precondition(predictions.count == targets.count && targets.count % columns == 0,
                     "[metrics] \(predictions.count) predictions for \(targets.count) targets of \(columns) columns")
        let n = targets.count / columns
        guard n > 0 else { return }
        for c in 0..<columns {
            var absolute = 0.0, squared = 0.0, sum = 0.0
            for i in 0..<n {
                let y = Double(targets[i * columns + c]), e = y - Double(predictions[i * columns + c])
                absolute += abs(e)
                squared += e * e
                sum += y
            }
            let batchMean = sum / Double(n)
            var spread = 0.0
            for i in 0..<n { let d = Double(targets[i * columns + c]) - batchMean; spread += d * d }
            // Chan et al.: merge the batch's mean and spread into the running ones.
            let before = Double(sampleCount), total = before + Double(n), delta = batchMean - targetMean[c]
            targetSpread[c] += spread + delta * delta * before * Double(n) / total
            targetMean[c] += delta * Double(n) / total
            absoluteErrors[c] += absolute
            squaredErrors[c] += squared
        }
        sampleCount += n
    }

    /// The metric over every sample added.
    public func value(_ metric: Metric) -> Double {
        guard sampleCount > 0 else { return .nan }
        let n = Double(sampleCount)
        let perColumn: [Double] = (0..<columns).map { c in
            switch metric {
            case .mae: absoluteErrors[c] / n
            case .mse: squaredErrors[c] / n
            case .rmse: (squaredErrors[c] / n).squareRoot()
            case .r2: targetSpread[c] == 0 ? (squaredErrors[c] == 0 ? 1 : 0) : 1 - squaredErrors[c] / targetSpread[c]
            }
        }
        return perColumn.reduce(0, +) / Double(columns)
    }
}
