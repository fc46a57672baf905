import Autograd
import Foundation
import NN
import Testing

/// Regression metrics, top-k accuracy, AUROC and the confusion matrix against scikit-learn itself
/// (tools/goldens/sklearn_metrics.py), each fed batch by batch. Compared to 1e-9 relative: both
/// sides sum the same float32 values in Double, in different orders.
@Suite struct SklearnMetricTests {
    struct Case: Decodable, CustomTestStringConvertible {
        var name: String
        var kind: String
        var columns: Int
        var batches: [Int]
        var targets: [Float]
        var scores: [Float]
        var expected: [String: Double]
        var matrix: [[Int]]?
        var testDescription: String { name }

        /// The samples of each batch: (scores, targets) as buffers, `columns` scores per sample.
        func forEachBatch(_ body: (UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>) -> Void) {
            let targetsPerSample = kind == "regression" ? columns : 1
            var start = 0
            for size in batches {
                let s = Array(scores[(start * columns)..<((start + size) * columns)])
                let t = Array(targets[(start * targetsPerSample)..<((start + size) * targetsPerSample)])
                s.withUnsafeBufferPointer { s in t.withUnsafeBufferPointer { t in body(s, t) } }
                start += size
            }
        }
    }

    static let cases: [Case] = {
        struct File: Decodable { var cases: [Case] }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Goldens/sklearn_metrics.json")
        do { return try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases }
        catch { fatalError("cannot read golden file \(url.path): \(error)") }
    }()

    static func expectClose(_ value: Double, _ expected: Double, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(abs(value - expected) <= 1e-9 * max(1, abs(expected)), "\(what): \(value), scikit-learn \(expected)", sourceLocation: sourceLocation)
    }

    @Test(arguments: cases)
    func matchesScikitLearn(_ c: Case) {
        switch c.kind {
        case "regression":
            var m = RegressionMetrics(columns: c.columns)
            c.forEachBatch { m.update(predictions: $0, targets: $1) }
            for metric in RegressionMetrics.Metric.allCases { Self.expectClose(m.value(metric), c.expected[metric.rawValue]!, metric.rawValue) }
        case "top_k":
            var m = TopKAccuracy(classes: c.columns)
            c.forEachBatch { s, t in t.map(Int32.init).withUnsafeBufferPointer { m.update(scores: s, targets: $0) } }
            for (k, expected) in c.expected { Self.expectClose(m.value(k: Int(k)!), expected, "top \(k)") }
        case "auroc":
            var m = ROCAUC()
            c.forEachBatch { m.update(scores: $0, targets: $1) }
            Self.expectClose(m.value(), c.expected["auroc"]!, "auroc")
            var integers = ROCAUC()
            c.forEachBatch { s, t in t.map(Int32.init).withUnsafeBufferPointer { integers.update(scores: s, targets: $0) } }
            #expect(integers.value() == m.value())
        case "confusion":
            var m = ClassificationMetrics(.multiclass(classes: c.columns))
            c.forEachBatch { s, t in t.map(Int32.init).withUnsafeBufferPointer { m.update(scores: s, targets: $0) } }
            #expect(m.confusionMatrix == c.matrix!)
        default:
            Issue.record("\(c.name): unknown kind \(c.kind)")
        }
    }

    /// Undefined figures are NaN, never a number that looks meaningful.
    @Test func undefinedCasesAreNaN() {
        #expect(RegressionMetrics(columns: 2).value(.r2).isNaN)
        #expect(TopKAccuracy(classes: 3).value(k: 1).isNaN)
        var oneClass = ROCAUC()
        [Float(0.2), 0.7].withUnsafeBufferPointer { s in [Float(1), 1].withUnsafeBufferPointer { oneClass.update(scores: s, targets: $0) } }
        #expect(oneClass.value().isNaN)
    }

    /// The binary task's matrix is 2x2: [[tn, fp], [fn, tp]], as scikit-learn's.
    @Test func binaryConfusionMatrix() {
        var m = ClassificationMetrics(.binary(threshold: 0.5))
        m.update(scores: Tensor(shape: [6], values: [0.9, 0.2, 0.5, 0.7, 0.1, 0.6]), targets: [1, 0, 0, 1, 1, 0])
        #expect(m.confusionMatrix == [[1, 2], [1, 2]])
        m.reset()
        #expect(m.confusionMatrix == [[0, 0], [0, 0]])
    }
}
