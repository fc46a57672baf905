import Diagnostics

/// Everything fitted on the training data that later runs must reuse exactly: the class names
/// (so index 17 means the same character in `predict` as in training), each features field's
/// imputation and normalisation, each normalised target's scaling, each image field's fitted
/// per-channel normalisation and each category field's vocabulary. The runner saves it beside
/// the weights and passes it back to `Dataset` for `eval` and `predict`.
public struct DataStatistics: Codable, Sendable, Equatable {
    /// Class names of each label source (a CSV column or an image-folder level), in index order.
    /// An image-folder level's class is its path below the root, e.g.
    /// `Alphabet_of_the_Magi/character01` for the level `character`.
    public var classes: [String: [String]]
    /// The fitted preprocessing of each features field, by field name.
    public var features: [String: FeatureStatistics]
    /// The fitted scaling of each normalised float target (`column` field), by field name.
    public var targets: [String: FeatureStatistics]
    /// The fitted per-channel normalisation of each image field that asked for one, by field name.
    public var images: [String: FeatureStatistics]
    /// The vocabulary of each category field, by field name.
    public var categories: [String: CategoryVocabulary]

    public init(classes: [String: [String]] = [:], features: [String: FeatureStatistics] = [:],
                targets: [String: FeatureStatistics] = [:], images: [String: FeatureStatistics] = [:],
                categories: [String: CategoryVocabulary] = [:]) {
        self.classes = classes
        self.features = features
        self.targets = targets
        self.images = images
        self.categories = categories
    }

    /// Reads statistics saved before targets, images and categories were fitted: those are empty.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        classes = try c.decode([String: [String]].self, forKey: .classes)
        features = try c.decode([String: FeatureStatistics].self, forKey: .features)
        targets = try c.decodeIfPresent([String: FeatureStatistics].self, forKey: .targets) ?? [:]
        images = try c.decodeIfPresent([String: FeatureStatistics].self, forKey: .images) ?? [:]
        categories = try c.decodeIfPresent([String: CategoryVocabulary].self, forKey: .categories) ?? [:]
    }

    /// The scaling of a float field used as a target, `x' = (x - shift) / scale` per column: a
    /// normalised `column` target, or a normalised features field; nil when it is used as read.
    public func targetScaling(of field: String) -> FeatureStatistics? {
        guard let stats = targets[field] ?? features[field], stats.normalization != .none else { return nil }
        return stats
    }
}

/// The values of a category field's columns seen in the training split, in index order (sorted as
/// class names are: by value when all are numbers, else by code point), and how an unseen value
/// is treated.
public struct CategoryVocabulary: Codable, Sendable, Equatable {
    public var columns: [String]
    public var values: [String]
    public var unknown: UnknownCategory

    public init(columns: [String], values: [String], unknown: UnknownCategory) {
        self.columns = columns
        self.values = values
        self.unknown = unknown
    }

    /// The number of indices: the values, and index 0 for unknown values when there is one.
    public var count: Int { values.count + (unknown == .index ? 1 : 0) }

    /// The index of each value.
    func indices() -> [String: Int] {
        var map: [String: Int] = [:]
        let first = unknown == .index ? 1 : 0
        for (i, v) in values.enumerated() { map[v] = first + i }
        return map
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

extension DataStatistics {
    /// Why these statistics cannot be applied, or nil. Saved statistics come back from files a
    /// person can edit (the weights' metadata, settings.json): a scale list shorter than its
    /// columns, or a zero scale, must be refused before any value is normalised with it.
    public var inconsistency: String? {
        for (source, names) in classes.sorted(by: { $0.key < $1.key }) {
            if names.isEmpty { return "label \(excerpt(source)) has no class names" }
            if Set(names).count != names.count { return "label \(excerpt(source)) names a class twice" }
        }
        for (field, stats) in features.sorted(by: { $0.key < $1.key }) {
            if let problem = stats.inconsistency { return "features field \(excerpt(field)): \(problem)" }
        }
        for (field, stats) in targets.sorted(by: { $0.key < $1.key }) {
            if let problem = stats.inconsistency { return "target field \(excerpt(field)): \(problem)" }
        }
        for (field, stats) in images.sorted(by: { $0.key < $1.key }) {
            if let problem = stats.inconsistency { return "image field \(excerpt(field)): \(problem)" }
        }
        for (field, vocabulary) in categories.sorted(by: { $0.key < $1.key }) {
            if vocabulary.values.isEmpty && vocabulary.unknown == .error { return "category field \(excerpt(field)) has no values" }
            if Set(vocabulary.values).count != vocabulary.values.count { return "category field \(excerpt(field)) names a value twice" }
        }
        return nil
    }
}

extension FeatureStatistics {
    /// Why these statistics cannot be applied to their columns, or nil.
    var inconsistency: String? {
        let n = columns.count
        if n == 0 { return "no columns" }
        if shift.count != n || scale.count != n || (imputed.map { $0.count != n } ?? false) {
            return "\(n) columns but \(shift.count) shifts, \(scale.count) scales" + (imputed.map { " and \($0.count) imputed values" } ?? "")
        }
        for c in 0..<n {
            if !(scale[c].isFinite && scale[c] != 0) { return "column \(excerpt(columns[c])) has scale \(scale[c])" }
            if !shift[c].isFinite { return "column \(excerpt(columns[c])) has shift \(shift[c])" }
            if let imputed, !imputed[c].isFinite { return "column \(excerpt(columns[c])) has imputed value \(imputed[c])" }
        }
        return nil
    }
}
