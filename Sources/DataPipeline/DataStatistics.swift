/// Everything fitted on the training data that later runs must reuse exactly: the class names
/// (so index 17 means the same character in `predict` as in training) and each features field's
/// imputation and normalisation. The runner saves it beside the weights and passes it back to
/// `Dataset` for `eval` and `predict`.
public struct DataStatistics: Codable, Sendable, Equatable {
    /// Class names of each label source (a CSV column or an image-folder level), in index order.
    /// An image-folder level's class is its path below the root, e.g.
    /// `Alphabet_of_the_Magi/character01` for the level `character`.
    public var classes: [String: [String]]
    /// The fitted preprocessing of each features field, by field name.
    public var features: [String: FeatureStatistics]

    public init(classes: [String: [String]] = [:], features: [String: FeatureStatistics] = [:]) {
        self.classes = classes
        self.features = features
    }
}

/// The preprocessing of one features field: `x' = (x - shift) / scale` per column, after a missing
/// value has been replaced by `imputed` (for `missing: mean`).
public struct FeatureStatistics: Codable, Sendable, Equatable {
    public var columns: [String]
    public var normalization: Normalization
    /// The training-split mean of each column, used for missing values; nil unless `missing: mean`.
    public var imputed: [Double]?
    public var shift: [Double]
    public var scale: [Double]

    public init(columns: [String], normalization: Normalization, imputed: [Double]?, shift: [Double], scale: [Double]) {
        self.columns = columns
        self.normalization = normalization
        self.imputed = imputed
        self.shift = shift
        self.scale = scale
    }

    /// Fits `normalization` to `values` (`rows x columns`, row-major, no missing values left).
    static func fit(columns: [String], normalization: Normalization, imputed: [Double]?,
                    values: [Double], rows: Int) -> FeatureStatistics {
        let width = columns.count
        var shift = [Double](repeating: 0, count: width), scale = [Double](repeating: 1, count: width)
        if rows > 0 {
            for c in 0..<width {
                switch normalization {
                case .none:
                    break
                case .minmax:
                    var lo = Double.infinity, hi = -Double.infinity
                    for r in 0..<rows { lo = min(lo, values[r * width + c]); hi = max(hi, values[r * width + c]) }
                    shift[c] = lo
                    scale[c] = hi > lo ? hi - lo : 1
                case .zscore:
                    var sum = 0.0
                    for r in 0..<rows { sum += values[r * width + c] }
                    let mean = sum / Double(rows)
                    var squares = 0.0
                    for r in 0..<rows { let d = values[r * width + c] - mean; squares += d * d }
                    let std = (squares / Double(rows)).squareRoot()
                    shift[c] = mean
                    scale[c] = std > 0 ? std : 1
                }
            }
        }
        return FeatureStatistics(columns: columns, normalization: normalization, imputed: imputed, shift: shift, scale: scale)
    }
}
