import Autograd

/// Accuracy, precision, recall and F1 of one classification output, accumulated batch by batch
/// over an epoch; `value(_:)` gives the epoch's figure, `reset()` starts the next epoch.
///
/// Definitions (scikit-learn's, with `zero_division=0`):
/// - Binary task: a sample is predicted positive when its score is >= the threshold (0.5 for
///   probabilities, 0 for logits; `>=` as the PyTorch reference's `out >= 0.5`). Precision,
///   recall and F1 are those of the positive class (label 1), as `average="binary"`:
///   precision = tp / (tp + fp), recall = tp / (tp + fn), f1 = 2 tp / (2 tp + fp + fn).
/// - Multiclass task: the prediction is the argmax of the row (the first maximum on ties, and a
///   NaN counts as the maximum, as `torch.argmax`). Precision, recall and F1 are macro averages,
///   as `average="macro"`: the unweighted mean of the per-class values over the classes that
///   occur in the targets or the predictions seen so far (scikit-learn's `unique_labels`);
///   classes seen in neither are left out. F1 is averaged per class, not computed from the
///   averaged precision and recall.
/// - Any ratio whose denominator is 0 counts as 0 (for a class, or for accuracy when no sample
///   has been seen).
public struct ClassificationMetrics: Sendable {
    /// How scores become predicted classes.
    public enum Task: Equatable, Sendable {
        /// One score per sample (shape [N] or [N, 1]); positive when score >= threshold.
        case binary(threshold: Float)
        /// A row of `classes` scores per sample (shape [N, classes]); the argmax wins.
        case multiclass(classes: Int)
    }

    /// The metrics a spec can name.
    public enum Metric: String, Sendable, CaseIterable {
        case accuracy, precision, recall, f1
    }

    /// How this accumulator turns scores into classes.
    public let task: Task
    /// Samples seen since the last reset.
    public private(set) var sampleCount = 0
    private var correct = 0
    /// Per class: predicted and true, predicted but not true, true but not predicted. The binary
    /// task keeps two classes, 0 (negative) and 1 (positive).
    private var truePositives: [Int]
    private var falsePositives: [Int]
    private var falseNegatives: [Int]
    /// counts[actual * classes + predicted].
    private var counts: [Int]

    /// An empty accumulator for `task`.
    public init(_ task: Task) {
        let classes: Int
        switch task {
        case .binary: classes = 2
        case .multiclass(let c):
            precondition(c >= 1, "[metrics] multiclass task needs at least one class, got \(c)")
            classes = c
        }
        self.task = task
        truePositives = Array(repeating: 0, count: classes)
        falsePositives = truePositives
        falseNegatives = truePositives
        counts = Array(repeating: 0, count: classes * classes)
    }

    /// The confusion matrix: `[actual][predicted]` sample counts (rows true, columns predicted, as
    /// scikit-learn's `confusion_matrix`); the binary task has classes 0 and 1.
    public var confusionMatrix: [[Int]] {
        (0..<classCount).map { Array(counts[($0 * classCount)..<(($0 + 1) * classCount)]) }
    }

    private var classCount: Int { truePositives.count }
    private var scoresPerSample: Int { if case .multiclass(let c) = task { c } else { 1 } }

    /// Adds a batch with class-index targets (0 or 1 for the binary task). `scores` holds
    /// `targets.count` rows of scores, row-major.
    public mutating func update(scores: UnsafeBufferPointer<Float>, targets: UnsafeBufferPointer<Int32>) {
        precondition(scores.count == targets.count * scoresPerSample,
                     "[metrics] \(scores.count) scores for \(targets.count) targets, expected \(targets.count * scoresPerSample)")
        for (n, t) in targets.enumerated() {
            precondition(t >= 0 && Int(t) < classCount, "[metrics] target \(t) of sample \(n) is not a class index in 0..<\(classCount)")
            record(predicted: predictedClass(scores, row: n), actual: Int(t))
        }
    }

    /// Adds a batch of the binary task with 0/1 float targets (a target >= 0.5 counts as 1).
    public mutating func update(scores: UnsafeBufferPointer<Float>, targets: UnsafeBufferPointer<Float>) {
        guard case .binary = task else { preconditionFailure("[metrics] float 0/1 targets need the binary task, not \(task)") }
        precondition(scores.count == targets.count, "[metrics] \(scores.count) scores for \(targets.count) targets")
        for (n, t) in targets.enumerated() { record(predicted: predictedClass(scores, row: n), actual: t >= 0.5 ? 1 : 0) }
    }

    /// Adds a batch of output scores ([N] or [N, 1] binary, [N, classes] multiclass) with
    /// class-index targets.
    public mutating func update(scores: Tensor, targets: [Int32]) {
        checkShape(scores, samples: targets.count)
        targets.withUnsafeBufferPointer { t in
            update(scores: UnsafeBufferPointer(start: scores.data, count: scores.count), targets: t)
        }
    }

    /// Adds a batch of binary output scores ([N] or [N, 1]) with 0/1 float targets of N elements.
    public mutating func update(scores: Tensor, targets: Tensor) {
        checkShape(scores, samples: targets.count)
        update(scores: UnsafeBufferPointer(start: scores.data, count: scores.count),
               targets: UnsafeBufferPointer(start: targets.data, count: targets.count))
    }

    /// The metric over every sample since the last reset. Precision, recall and f1 are of the
    /// positive class for a binary task and macro-averaged for a multiclass one, unless `macro`
    /// says otherwise (`macro: true` on a binary task averages classes 0 and 1, as scikit-learn's
    /// `average="macro"` does).
    public func value(_ metric: Metric, macro: Bool? = nil) -> Double {
        let macro = macro ?? { if case .multiclass = task { true } else { false } }()
        switch metric {
        case .accuracy: return ratio(correct, sampleCount)
        case .precision: return average(macro) { ratio(truePositives[$0], truePositives[$0] + falsePositives[$0]) }
        case .recall: return average(macro) { ratio(truePositives[$0], truePositives[$0] + falseNegatives[$0]) }
        case .f1: return average(macro) { ratio(2 * truePositives[$0], 2 * truePositives[$0] + falsePositives[$0] + falseNegatives[$0]) }
        }
    }

    /// The counts behind every metric (samples, correct predictions, then true positives, false
    /// positives and false negatives per class), as numbers: the processes of a data-parallel job
    /// each count their share of a split, sum the tallies, and set the sums back.
    public var tallies: [Double] {
        get { [Double(sampleCount), Double(correct)] + (truePositives + falsePositives + falseNegatives).map(Double.init) }
        set {
            let c = classCount
            precondition(newValue.count == 2 + 3 * c && newValue.allSatisfy { $0 >= 0 && $0 == $0.rounded() },
                         "[metrics] \(newValue.count) tallies for \(c) classes, expected \(2 + 3 * c) counts")
            let counts = newValue.map { Int($0) }
            sampleCount = counts[0]
            correct = counts[1]
            truePositives = Array(counts[2..<(2 + c)])
            falsePositives = Array(counts[(2 + c)..<(2 + 2 * c)])
            falseNegatives = Array(counts[(2 + 2 * c)...])
        }
    }

    /// Forgets every sample (the start of an epoch).
    public mutating func reset() {
        sampleCount = 0
        correct = 0
        for c in 0..<classCount { truePositives[c] = 0; falsePositives[c] = 0; falseNegatives[c] = 0 }
        for i in counts.indices { counts[i] = 0 }
    }

    private func predictedClass(_ scores: UnsafeBufferPointer<Float>, row n: Int) -> Int {
        switch task {
        case .binary(let threshold):
            return scores[n] >= threshold ? 1 : 0
        case .multiclass(let c):
            var best = 0, bestScore = scores[n * c]
            for j in 1..<max(c, 1) {
                let s = scores[n * c + j]
                if !bestScore.isNaN && (s > bestScore || s.isNaN) { best = j; bestScore = s }
            }
            return best
        }
    }

    private mutating func record(predicted: Int, actual: Int) {
        sampleCount += 1
        counts[actual * classCount + predicted] += 1
        if predicted == actual {
            correct += 1
            truePositives[actual] += 1
        } else {
            falsePositives[predicted] += 1
            falseNegatives[actual] += 1
        }
    }

    /// The positive class's value, or the mean over the classes seen (macro).
    private func average(_ macro: Bool, _ perClass: (Int) -> Double) -> Double {
        if !macro { return perClass(1) }
        let seen = (0..<classCount).filter { truePositives[$0] + falsePositives[$0] + falseNegatives[$0] > 0 }
        return seen.isEmpty ? 0 : seen.reduce(0) { $0 + perClass($1) } / Double(seen.count)
    }

    private func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }

    private func checkShape(_ scores: Tensor, samples: Int) {
        let s = scores.shape
        let ok: Bool
        switch task {
        case .binary: ok = (s.rank == 1 && s[0] == samples) || (s.rank == 2 && s[0] == samples && s[1] == 1)
        case .multiclass(let c): ok = s.rank == 2 && s[0] == samples && s[1] == c
        }
        precondition(ok, "[metrics] scores of shape \(s) do not fit \(samples) targets for the \(task) task")
    }
}
