import Autograd
import Foundation
import Kernels
import Testing

/// Sums across threads that stand for the processes of a data-parallel job: each calls `sum`
/// at the same point, and every one gets the total of all of them.
final class ThreadReplicas: ReplicaSum, @unchecked Sendable {
    let count: Int
    private let condition = NSCondition()
    private var total: [Double] = []
    private var arrived = 0
    private var generation = 0
    private var departed = 0

    init(count: Int) { self.count = count }

    func sum(_ values: UnsafeMutableBufferPointer<Double>) {
        condition.lock()
        defer { condition.unlock() }
        while departed > 0 { condition.wait() }  // the previous sum is still being read
        if arrived == 0 { total = Array(repeating: 0, count: values.count) }
        for i in values.indices { total[i] += values[i] }
        arrived += 1
        let mine = generation
        if arrived == count {
            generation += 1
            departed = count
            arrived = 0
            condition.broadcast()
        } else {
            while generation == mine { condition.wait() }
        }
        for i in values.indices { values[i] = total[i] }
        departed -= 1
        if departed == 0 { condition.broadcast() }
    }

    /// Runs `body(shard)` for every shard on its own thread, and waits for all of them.
    func run(_ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for shard in 0..<count {
            group.enter()
            Thread {
                body(shard)
                group.leave()
            }.start()
        }
        group.wait()
    }
}

/// Results one thread computed for its shard, handed back to the test.
final class ShardResults: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int: [String: [Float]]] = [:]
    func set(_ shard: Int, _ name: String, _ v: [Float]) { lock.withLock { values[shard, default: [:]][name] = v } }
    func get(_ shard: Int, _ name: String) -> [Float] { lock.withLock { values[shard]![name]! } }
}

/// The ops that take statistics of a batch, or draw per row, give a batch split across the
/// processes of a data-parallel job what they give the whole batch in one process.
@Suite struct ShardedBatchTests {
    /// Rows of a batch of 7 for three processes, one of them holding none.
    static let shards = [0..<2, 2..<2, 2..<7]

    @Test(arguments: [[7, 3], [7, 2, 3, 3]]) func batchNormOverSharesIsBatchNormOverTheBatch(_ dims: [Int]) {
        var rng = RandomGenerator(seed: 21)
        let shape = Shape(dims), perRow = shape.elementCount / dims[0], c = dims[1]
        let x = (0..<shape.elementCount).map { _ in rng.uniform(-1, 1) * 3 + 5 }
        let upstream = (0..<shape.elementCount).map { _ in rng.uniform(-1, 1) }
        let gamma = (0..<c).map { _ in rng.uniform(0.5, 1.5) }, beta = (0..<c).map { _ in rng.uniform(-1, 1) }

        @Sendable func pass(_ rows: Range<Int>, replicas: (any ReplicaSum)?) -> [String: [Float]] {
            let input = Tensor(shape: Shape([rows.count] + dims.dropFirst()), values: Array(x[(rows.lowerBound * perRow)..<(rows.upperBound * perRow)]),
                               requiresGrad: true)
            let weight = Tensor(shape: [c], values: gamma, requiresGrad: true), bias = Tensor(shape: [c], values: beta, requiresGrad: true)
            let runningMean = Tensor.zeros([c]), runningVar = Tensor.filled([c], with: 1)
            let y = input.batchNorm(runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias, training: true,
                                    momentum: 0.1, eps: 1e-5, replicas: replicas)
            y.backward(gradient: Tensor(shape: y.shape, values: Array(upstream[(rows.lowerBound * perRow)..<(rows.upperBound * perRow)])))
            return ["y": y.values, "dx": input.grad!.values, "dw": weight.grad!.values, "db": bias.grad!.values,
                    "mean": runningMean.values, "var": runningVar.values]
        }

        let whole = pass(0..<dims[0], replicas: nil)
        let replicas = ThreadReplicas(count: Self.shards.count), results = ShardResults()
        replicas.run { shard in
            for (name, values) in pass(Self.shards[shard], replicas: replicas) { results.set(shard, name, values) }
        }
        let joined = { (name: String) in (0..<Self.shards.count).flatMap { results.get($0, name) } }
        expectClose(joined("y"), whole["y"]!)
        expectClose(joined("dx"), whole["dx"]!)
        for shard in 0..<Self.shards.count {
            expectClose(results.get(shard, "mean"), whole["mean"]!)  // every process keeps the same running statistics
            expectClose(results.get(shard, "var"), whole["var"]!)
        }
        // Each process's weight and bias gradients are its share; the job sums them.
        for name in ["dw", "db"] {
            let summed = (0..<c).map { i in (0..<Self.shards.count).reduce(Float(0)) { $0 + results.get($1, name)[i] } }
            expectClose(summed, whole[name]!)
        }
    }

    /// A process whose share of a batch is empty still runs the step (it takes part in every
    /// sum): a linear layer over no rows gives no rows and zero weight gradients.
    @Test func anEmptyShareRunsForwardAndBackward() {
        let x = Tensor(shape: [0, 4], values: [])
        let w = Tensor.filled([3, 4], with: 0.5), b = Tensor.filled([3], with: 1)
        w.requiresGrad = true
        b.requiresGrad = true
        let y = x.linear(w, b)
        #expect(y.shape == [0, 3])
        y.backward(gradient: Tensor(shape: [0, 3], values: []))
        #expect(w.grad?.values == [Float](repeating: 0, count: 12) && b.grad?.values == [0, 0, 0])
    }

    /// Dropout draws each row's mask from its place in the whole batch: shares given their first
    /// row drop what the whole batch drops.
    @Test func dropoutOverSharesIsDropoutOverTheBatch() {
        let x = Tensor.filled([7, 5], with: 1)
        var rng = RandomGenerator(seed: 5)
        let whole = x.dropout(p: 0.5, training: true, rng: &rng).values
        var joined: [Float] = []
        for rows in Self.shards {
            var same = RandomGenerator(seed: 5)
            let share = Tensor.filled([rows.count, 5], with: 1)
            joined += share.dropout(p: 0.5, training: true, rng: &same, firstRow: rows.lowerBound).values
            #expect(same.state == rng.state, "every share advances the generator as the whole batch does")
        }
        #expect(joined == whole)
        #expect(Set(whole) == [0, 2])
    }

    /// Channel dropout likewise: a share drops the channels the whole batch drops in its rows.
    @Test func channelDropoutOverSharesIsChannelDropoutOverTheBatch() {
        let x = Tensor.filled([7, 6, 2, 2], with: 1)
        var rng = RandomGenerator(seed: 6)
        let whole = x.dropout2d(p: 0.5, training: true, rng: &rng).values
        var joined: [Float] = []
        for rows in Self.shards {
            var same = RandomGenerator(seed: 6)
            let share = Tensor.filled([rows.count, 6, 2, 2], with: 1)
            joined += share.dropout2d(p: 0.5, training: true, rng: &same, firstRow: rows.lowerBound).values
            #expect(same.state == rng.state)
        }
        #expect(joined == whole)
        #expect(Set(whole) == [0, 2])
    }
}
