import Autograd
import Foundation
import Kernels
import NN
import Testing

/// Classification metrics against hand-computed values and against tools/goldens/metrics.py
/// (scikit-learn's definitions with zero_division=0, written out in numpy). Compared to 1e-12:
/// both sides divide the same integer counts in Double.
@Suite struct MetricTests {
    struct Case: Decodable, CustomTestStringConvertible {
        var name: String
        var task: String
        var threshold: Float
        var classes: Int
        var batches: [Int]
        var scores: [Float]
        var targets: [Int32]
        var expected: [String: Double]
        var testDescription: String { name }
    }

    static let cases: [Case] = {
        struct File: Decodable { var cases: [Case] }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Goldens/metrics.json")
        do { return try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases }
        catch { fatalError("cannot read golden file \(url.path): \(error)") }
    }()

    @Test(arguments: cases)
    func streamingMatchesTheScript(_ c: Case) {
        var m = ClassificationMetrics(c.task == "binary" ? .binary(threshold: c.threshold) : .multiclass(classes: c.classes))
        let width = c.task == "binary" ? 1 : c.classes
        var start = 0
        for size in c.batches {
            let rows = c.scores[(start * width)..<((start + size) * width)]
            let scores = Tensor(shape: width == 1 ? [size] : [size, width], values: Array(rows))
            m.update(scores: scores, targets: Array(c.targets[start..<(start + size)]))
            start += size
        }
        #expect(m.sampleCount == c.targets.count)
        for metric in ClassificationMetrics.Metric.allCases {
            let expected = c.expected[metric.rawValue]!
            #expect(abs(m.value(metric) - expected) <= 1e-12, "\(metric): \(m.value(metric)) vs \(expected)")
        }
        // Float 0/1 targets give the same figures as integer ones.
        if c.task == "binary" {
            var f = ClassificationMetrics(.binary(threshold: c.threshold))
            f.update(scores: Tensor(shape: [c.targets.count, 1], values: c.scores),
                     targets: Tensor(shape: [c.targets.count], values: c.targets.map(Float.init)))
            #expect(ClassificationMetrics.Metric.allCases.allSatisfy { f.value($0) == m.value($0) })
        }
    }

    /// Scores 0.9 0.2 0.5 0.7 0.1 0.6, threshold 0.5 -> predicted 1 0 1 1 0 1; targets 1 0 0 1 1 0:
    /// tp 2 (samples 0, 3), fp 2 (2, 5), fn 1 (4), tn 1 (1).
    @Test func binaryByHand() {
        var m = ClassificationMetrics(.binary(threshold: 0.5))
        m.update(scores: Tensor(shape: [6], values: [0.9, 0.2, 0.5, 0.7, 0.1, 0.6]), targets: [1, 0, 0, 1, 1, 0])
        #expect(m.value(.accuracy) == 3.0 / 6)
        #expect(m.value(.precision) == 2.0 / 4)
        #expect(m.value(.recall) == 2.0 / 3)
        #expect(m.value(.f1) == 4.0 / 7)  // 2 tp / (2 tp + fp + fn)
    }

    /// Scores 0.9 0.2 0.7 0.4 at threshold 0.5 predict 1 0 1 0 for targets 1 0 0 0.
    /// class 1: tp 1 fp 1 fn 0 -> p 1/2 r 1;  class 0: tp 2 fp 0 fn 1 -> p 1 r 2/3.
    @Test func binaryMacroAveragesBothClasses() {
        var m = ClassificationMetrics(.binary(threshold: 0.5))
        m.update(scores: Tensor(shape: [4, 1], values: [0.9, 0.2, 0.7, 0.4]), targets: Tensor(shape: [4, 1], values: [1, 0, 0, 0]))
        #expect(m.value(.precision) == 0.5)
        #expect(m.value(.precision, macro: true) == 0.75)
        #expect(abs(m.value(.recall, macro: true) - (1 + 2.0 / 3) / 2) < 1e-15)
    }

    /// Targets 0 0 1 1 3, predictions (argmax) 0 1 1 1 0; class 2 appears in neither and is left out.
    /// class 0: tp 1 fp 1 fn 1 -> p 1/2 r 1/2 f1 1/2;  class 1: tp 2 fp 1 fn 0 -> p 2/3 r 1 f1 4/5;
    /// class 3: tp 0 fp 0 fn 1 -> p 0 (zero division) r 0 f1 0.
    @Test func macroByHand() {
        var m = ClassificationMetrics(.multiclass(classes: 4))
        let scores: [Float] = [
            5, 1, 0, 0,
            0, 2, 1, 1,
            0, 3, 0, 0,
            1, 1.5, 0, 0,
            2, 2, 0, 2,  // a tie: the first maximum, class 0
        ]
        m.update(scores: Tensor(shape: [5, 4], values: scores), targets: [0, 0, 1, 1, 3])
        #expect(m.value(.accuracy) == 3.0 / 5)
        #expect(abs(m.value(.precision) - (0.5 + 2.0 / 3 + 0) / 3) < 1e-15)
        #expect(abs(m.value(.recall) - (0.5 + 1 + 0) / 3) < 1e-15)
        #expect(abs(m.value(.f1) - (0.5 + 0.8 + 0) / 3) < 1e-15)
    }

    @Test func nanIsTheMaximumAndResetForgets() {
        var m = ClassificationMetrics(.multiclass(classes: 3))
        m.update(scores: Tensor(shape: [1, 3], values: [1, .nan, 2]), targets: [1])
        #expect(m.value(.accuracy) == 1)
        m.reset()
        #expect(m.sampleCount == 0)
        #expect(ClassificationMetrics.Metric.allCases.allSatisfy { m.value($0) == 0 })
    }

    @Test func noPositivesAtAllGivesZeroNotNaN() {
        var m = ClassificationMetrics(.binary(threshold: 0))
        m.update(scores: Tensor(shape: [3], values: [-1, -2, -3]), targets: [0, 0, 0])
        #expect(m.value(.accuracy) == 1)
        #expect(m.value(.precision) == 0 && m.value(.recall) == 0 && m.value(.f1) == 0)
    }
}

/// The processes of a data-parallel job count their shares and add the tallies: every metric is
/// then the whole split's.
@Suite struct MetricTalliesTests {
    @Test func summedTalliesGiveTheWholeSplitsMetrics() {
        var rng = RandomGenerator(seed: 4)
        let scores = (0..<40).map { _ in rng.uniform(0, 1) }, targets = (0..<10).map { _ in Int32(rng.nextInt(below: 4)) }
        var whole = ClassificationMetrics(.multiclass(classes: 4)), first = whole, second = whole
        whole.update(scores: Tensor(shape: [10, 4], values: scores), targets: targets)
        first.update(scores: Tensor(shape: [3, 4], values: Array(scores[0..<12])), targets: Array(targets[0..<3]))
        second.update(scores: Tensor(shape: [7, 4], values: Array(scores[12...])), targets: Array(targets[3...]))
        var summed = first
        summed.tallies = zip(first.tallies, second.tallies).map(+)
        for metric in ClassificationMetrics.Metric.allCases { #expect(summed.value(metric) == whole.value(metric), "\(metric)") }
        #expect(summed.tallies == whole.tallies && summed.sampleCount == 10)
    }
}
