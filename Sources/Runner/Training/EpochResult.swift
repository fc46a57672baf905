import Autograd
import Catalogue
import Foundation
import NN

/// One pass over one split: mean losses per head and in total, and each head's metrics.
public struct EpochResult: Sendable {
    public struct Head: Sendable {
        public var name: String
        public var loss: Double
        /// `(metric name, value)` in the spec's order.
        public var metrics: [(name: String, value: Double)]
        /// A classification head's confusion matrix, `[true][predicted]`, when the pass kept one (`eval`).
        public var confusion: [[Int]]?

        public init(name: String, loss: Double, metrics: [(name: String, value: Double)], confusion: [[Int]]? = nil) {
            self.name = name
            self.loss = loss
            self.metrics = metrics
            self.confusion = confusion
        }
    }

    public var epoch: Int
    public var split: String
    /// The objective: the weighted sum of the heads' mean losses.
    public var loss: Double
    public var heads: [Head]
    public var samples: Int
    public var seconds: Double
    public var learningRate: Double

    public init(epoch: Int, split: String, loss: Double, heads: [Head], samples: Int, seconds: Double, learningRate: Double) {
        self.epoch = epoch
        self.split = split
        self.loss = loss
        self.heads = heads
        self.samples = samples
        self.seconds = seconds
        self.learningRate = learningRate
    }

    public var samplesPerSecond: Double { seconds > 0 ? Double(samples) / seconds : 0 }

    /// A value by the names early stopping uses: `loss`, `<output>.loss`, `<output>.<metric>`.
    public func value(of name: String) -> Double? {
        if name == "loss" { return loss }
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, let head = heads.first(where: { $0.name == parts[0] }) else { return nil }
        if parts[1] == "loss" { return head.loss }
        return head.metrics.first { $0.name == parts[1] }?.value
    }

    /// The metrics.jsonl record (also what `specrun eval --format json` prints).
    public func record(elapsed: Double) -> Data {
        var outputs: [String: [String: Double]] = [:]
        for h in heads {
            var o = ["loss": h.loss]
            for m in h.metrics { o[m.name] = m.value }
            outputs[h.name] = o
        }
        struct Row: Encodable {
            var epoch: Int, split: String, loss: Double, outputs: [String: [String: Double]]
            var lr: Double, samples: Int, samples_per_s: Double, seconds: Double, elapsed_s: Double
        }
        return JSON.encode(Row(epoch: epoch, split: split, loss: loss, outputs: outputs, lr: learningRate, samples: samples,
                               samples_per_s: (samplesPerSecond * 10).rounded() / 10, seconds: round6(seconds), elapsed_s: round6(elapsed)),
                           pretty: false)
    }

    private func round6(_ x: Double) -> Double { (x * 1e6).rounded() / 1e6 }
}

/// Sums a split's losses and metrics batch by batch.
struct EpochAccumulator {
    let objective: Objective
    /// Whether classification heads keep their confusion matrix, with or without metrics.
    let keepsConfusion: Bool
    private var lossSums: [Double]
    private var statistics: [HeadStatistics]
    private(set) var samples = 0

    init(_ objective: Objective, keepsConfusion: Bool = false) {
        self.objective = objective
        self.keepsConfusion = keepsConfusion
        lossSums = Array(repeating: 0, count: objective.heads.count)
        statistics = objective.heads.map { $0.statistics() }
    }

    /// Adds one batch: each head's mean loss over the batch, its predictions and targets (in a
    /// data-parallel run, this process's rows of them).
    mutating func add(batchSize: Int, losses: [Float], predictions: [Tensor], targets: [LossTarget]) {
        samples += batchSize
        for i in lossSums.indices {
            lossSums[i] += Double(losses[i]) * Double(batchSize)
            let head = objective.heads[i]
            guard !head.metrics.isEmpty || keepsConfusion else { continue }
            if head.targetScaling != nil, case .values(let t) = targets[i] {
                statistics[i].add(head.originalScale(predictions[i]), .values(head.originalScale(t)))
            } else {
                statistics[i].add(predictions[i], targets[i])
            }
        }
    }

    /// Makes every process's metric counts those of the whole split, in one collective: in a
    /// data-parallel run each process counted its rows (the losses were summed batch by batch).
    mutating func sumStatistics(over replicas: Replicas?) {
        guard let replicas else { return }
        var tallies = statistics.flatMap(\.tallies)
        replicas.communicator.allreduceSum(&tallies)
        var start = 0
        for i in statistics.indices {
            let n = statistics[i].tallies.count
            statistics[i].tallies = Array(tallies[start..<(start + n)])
            start += n
        }
    }

    func result(epoch: Int, split: String, seconds: Double, learningRate: Double) -> EpochResult {
        let n = Double(max(samples, 1))
        var heads: [EpochResult.Head] = []
        var total = 0.0
        for (i, head) in objective.heads.enumerated() {
            let loss = lossSums[i] / n
            total += Double(head.weight) * loss
            heads.append(.init(name: head.name, loss: loss,
                               metrics: head.metrics.map { (name: $0.name, value: $0.value(statistics[i], target: head.target)) },
                               confusion: keepsConfusion ? statistics[i].classification?.confusionMatrix : nil))
        }
        return EpochResult(epoch: epoch, split: split, loss: total, heads: heads, samples: samples, seconds: seconds,
                           learningRate: learningRate)
    }
}
