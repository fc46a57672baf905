/// Top-k accuracy of a multi-class output, for any k, accumulated batch by batch: for each
/// sample, the rank of its true class among the scores, as scikit-learn's
/// `top_k_accuracy_score` ranks them (a stable sort, reversed: of tied scores the higher class
/// index ranks first).
public struct TopKAccuracy: Sendable {
    public let classes: Int
    public private(set) var sampleCount = 0
    /// How many samples had their true class at each rank (0 = the highest score).
    private var rankCounts: [Int]

    public init(classes: Int) {
        precondition(classes >= 1, "[metrics] top-k accuracy needs at least one class, got \(classes)")
        self.classes = classes
        rankCounts = Array(repeating: 0, count: classes)
    }

    /// Adds a batch: `scores` holds `targets.count` rows of `classes` scores.
    public mutating func update(scores: UnsafeBufferPointer<Float>, targets: UnsafeBufferPointer<Int32>) {
        precondition(scores.count == targets.count * classes, "[metrics] \(scores.count) scores for \(targets.count) targets of \(classes) classes")
        for (n, t) in targets.enumerated() {
            let target = Int(t), row = n * classes, own = scores[row + target]
            var rank = 0
            for j in 0..<classes where j != target {
                let s = scores[row + j]
                if s > own || (s == own && j > target) { rank += 1 }
            }
            rankCounts[rank] += 1
            sampleCount += 1
        }
    }

    /// The share of samples whose true class is among the k highest scores (1 when k >= classes,
    /// as scikit-learn); NaN before any sample.
    public func value(k: Int) -> Double {
        guard sampleCount > 0 else { return .nan }
        return Double(rankCounts.prefix(max(0, k)).reduce(0, +)) / Double(sampleCount)
    }
}

/// The area under the ROC curve of a binary output, exact over every score of a split: the
/// probability that a random positive scores above a random negative, ties counting one half,
/// which is what scikit-learn's `roc_auc_score` computes (its trapezoids over the distinct
/// thresholds). Kept as all the scores and labels, since the ranking needs the whole split.
public struct ROCAUC: Sendable {
    private var scores: [Float] = []
    private var positive: [Bool] = []

    public init() {}

    public var sampleCount: Int { scores.count }

    /// Adds a batch of scores (probabilities or logits: only their order matters) and 0/1 labels
    /// (a target >= 0.5 counts as positive).
    public mutating func update(scores batch: UnsafeBufferPointer<Float>, targets: UnsafeBufferPointer<Float>) {
        precondition(batch.count == targets.count, "[metrics] \(batch.count) scores for \(targets.count) targets")
        scores.append(contentsOf: batch)
        positive.append(contentsOf: targets.map { $0 >= 0.5 })
    }

    /// Adds a batch with class-index labels (1 positive).
    public mutating func update(scores batch: UnsafeBufferPointer<Float>, targets: UnsafeBufferPointer<Int32>) {
        precondition(batch.count == targets.count, "[metrics] \(batch.count) scores for \(targets.count) targets")
        scores.append(contentsOf: batch)
        positive.append(contentsOf: targets.map { $0 == 1 })
    }

    /// The area, from the sum of the positives' ranks (midranks for ties, the Mann-Whitney U
    /// statistic); NaN when a class is missing (scikit-learn refuses that case) or a score is NaN.
    public func value() -> Double {
        let positives = positive.filter { $0 }.count, negatives = positive.count - positives
        guard positives > 0, negatives > 0, !scores.contains(where: \.isNaN) else { return .nan }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0, start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && scores[order[end]] == scores[order[start]] { end += 1 }
            let midrank = Double(start + end + 1) / 2  // ranks start + 1 ... end, averaged
            for i in start..<end where positive[order[i]] { rankSum += midrank }
            start = end
        }
        let p = Double(positives), u = rankSum - p * (p + 1) / 2
        return u / (p * Double(negatives))
    }
}
