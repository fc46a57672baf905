import Autograd
import Collectives
import DataPipeline
import Foundation
import Kernels
import NN

/// The processes of a data-parallel run as the training loop uses them. Each holds a replica of
/// the model and takes a contiguous share of every batch; whatever decides the run (losses,
/// metrics, gradients, batch statistics, a stop) is summed over them, so every process decides
/// the same at the same batch and the run is the one-process run up to Float summation order.
public final class Replicas: ReplicaSum {
    public let communicator: any Communicator

    /// Nil for a job of one process: the loop then runs exactly as it always has.
    public init?(_ communicator: any Communicator) {
        guard communicator.size > 1 else { return nil }
        self.communicator = communicator
    }

    public var rank: Int { communicator.rank }
    public var count: Int { communicator.size }
    /// The process that writes the run folder and prints.
    public var isLeader: Bool { rank == 0 }
    /// This process's share of every batch.
    var shard: Shard { Shard(index: rank, count: count) }

    /// See `ReplicaSum`: batch normalisation's per-channel sums.
    public func sum(_ values: UnsafeMutableBufferPointer<Double>) { communicator.allreduceSum(values) }

    /// The whole batch's mean loss per head, from each process's mean over its `rows` of
    /// `batchRows`, and whether any process was asked to stop (Ctrl-C): one collective per batch
    /// of an evaluation, so that a NaN on one process or a Ctrl-C on another stops all of them at
    /// the same batch (a training step sends the same with its gradients).
    func batchLosses(_ losses: [Float], rows: Int, of batchRows: Int) -> (losses: [Float], stop: Bool) {
        // An empty share's mean is 0/0; it adds nothing.
        var sums = losses.map { rows > 0 ? Double($0) * Double(rows) : 0 } + [Interrupt.isRequested ? 1 : 0]
        communicator.allreduceSum(&sums)
        return (sums.dropLast().map { Float($0 / Double(batchRows)) }, sums.last! > 0)
    }

    /// Sums every process's gradients, each its share of the whole batch's mean-loss gradient.
    func sumGradients(_ gradients: GradientBuffer) {
        communicator.allreduceSum(gradients.storage.buffer)
    }

    /// Median milliseconds of summing `count` floats across the processes when all of them start
    /// together (a barrier first): the exchange alone, without the wait for a slower process that
    /// a training step's sum includes.
    func medianSumMilliseconds(count: Int, repetitions: Int) -> Double {
        let buffer = FloatBuffer.zeros(count)
        var times: [Double] = []
        for _ in 0..<repetitions {
            communicator.barrier()
            let t0 = MonotonicClock.seconds()
            communicator.allreduceSum(buffer.buffer)
            times.append((MonotonicClock.seconds() - t0) * 1000)
        }
        return times.sorted()[times.count / 2]
    }

    /// An error every process stopped with at the same batch (a divergence or a stop they
    /// decided together), marked so: the job ends normally and only rank 0 reports it.
    func shared(_ error: RunError) -> RunError {
        guard error.kind == .divergence || error.kind == .interrupted else { return error }
        var shared = error
        shared.isShared = true
        shared.isSilent = !isLeader
        return shared
    }

    /// Runs `body` on every process and agrees on the outcome: when any process failed, every one
    /// throws. Rank 0 reports its own error; when it had none, each process that failed reports
    /// its own, naming its rank (its data differs, say); the others stay silent.
    func agree<T>(_ body: () throws(RunError) -> T) throws(RunError) -> T {
        var outcome: Result<T, RunError>
        do throws(RunError) { outcome = .success(try body()) } catch { outcome = .failure(error) }
        let failed = communicator.failedRanks({ if case .failure = outcome { true } else { false } }())
        if failed.isEmpty, case .success(let value) = outcome { return value }
        var error: RunError
        if case .failure(let own) = outcome {
            error = own
            error.isSilent = !isLeader && failed.contains(0)
            if !isLeader { error.message = "rank \(rank): " + error.message }
        } else {
            let who = failed.prefix(4).map(String.init).joined(separator: ", ") + (failed.count > 4 ? ", ..." : "")
            error = RunError(.data, "rank\(failed.count == 1 ? "" : "s") \(who) could not start; see \(failed.count == 1 ? "its" : "their") message")
            error.isSilent = true
        }
        error.isShared = true
        throw error
    }

    /// Every process's `values`, by rank (one collective; every process passes as many).
    func gather(_ values: [Double]) -> [[Double]] {
        var all = [Double](repeating: 0, count: values.count * count)
        all.replaceSubrange((rank * values.count)..<((rank + 1) * values.count), with: values)
        communicator.allreduceSum(&all)
        return (0..<count).map { Array(all[($0 * values.count)..<(($0 + 1) * values.count)]) }
    }

    /// Stops every process, rank 0 saying why, unless all of them loaded the same data: the
    /// same samples in each split, and the same class counts (each machine reads its own copy
    /// under its data root, and shares of different data would train nothing in particular).
    func requireSameData(_ data: DataBinding) throws(RunError) {
        let splits = data.dataset.splits
        let classes = data.classCounts.keys.sorted().map { Double(data.classCounts[$0]!) }
        let mine = [Double(data.dataset.count), Double(splits.train.count), Double(splits.validation.count), Double(splits.test.count)] + classes
        // The spec is the same everywhere, so every process has as many values.
        let all = gather(mine)
        guard let other = all.indices.first(where: { all[$0] != all[0] }) else { return }
        func describe(_ v: [Double]) -> String {
            "\(Int(v[0])) samples (train \(Int(v[1])), validation \(Int(v[2])), test \(Int(v[3])))"
                + (v.count > 4 ? ", classes " + v[4...].map { String(Int($0)) }.joined(separator: "/") : "")
        }
        var error = RunError(.data, "\(data.file.path): rank \(other) loaded other data than rank 0: \(describe(all[other])) against "
                             + "\(describe(all[0])); every process must read the same data (under its machine's data root)")
        error.isShared = true
        error.isSilent = !isLeader
        throw error
    }

    /// Sets each process's thread count to its share of the machine's cores (the processes of
    /// the job on one machine share them; see `CPUBudget.share`), unless `SPECRUN_THREADS` gives one. Call before
    /// anything computes: the engine reads its thread count once.
    public static func shareCores(_ communicator: any Communicator) {
        guard communicator.localSize > 1, getenv("SPECRUN_THREADS") == nil else { return }
        let threads = CPUBudget.share(processes: communicator.localSize)
        setenv("SPECRUN_THREADS", String(threads), 1)
    }
}

/// A job of several processes needs `Replicas`; these read it or fall back to the one process.
extension Optional where Wrapped == Replicas {
    /// The share of each batch this process reads.
    var shard: Shard { self?.shard ?? .whole }
}
