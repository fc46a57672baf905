import Foundation

/// The processes of one data-parallel job as the trainer sees them: which one this is, and the
/// collective operations the job needs.
///
/// Every process calls each collective at the same point of its program, in the same order and
/// with the same count; a process that does not leaves the others waiting (`Watchdog` ends such
/// a job). `SingleProcess` is the job of one, and needs no MPI; `MPICommunicator` is a job that
/// an MPI launcher (`mpirun`, `srun`) started.
public protocol Communicator: AnyObject {
    /// This process's number, 0..<size; rank 0 writes the run folder and prints.
    var rank: Int { get }
    /// Processes in the job.
    var size: Int { get }
    /// This process's number among those on the same machine.
    var localRank: Int { get }
    /// Processes of the job on this machine (they share its cores).
    var localSize: Int { get }
    /// What carries the messages, for the setup line (`Open MPI v4.1.4`).
    var library: String { get }

    /// Replaces `values`, on every process, by their element-wise sum over all processes.
    func allreduceSum(_ values: UnsafeMutableBufferPointer<Float>)
    /// Replaces `values`, on every process, by their element-wise sum over all processes.
    func allreduceSum(_ values: UnsafeMutableBufferPointer<Double>)
    /// Copies process `root`'s `bytes` into `bytes` on every other process.
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int)
    /// Returns when every process has called it.
    func barrier()
    /// Ends the whole job at once with `code`: for a failure one process met alone while the
    /// others wait for it in a collective.
    func abort(code: Int32) -> Never
    /// Ends this process's part in the job; call once, before exiting normally.
    func finish()
}

extension Communicator {
    /// `allreduceSum` over an array.
    public func allreduceSum(_ values: inout [Double]) {
        values.withUnsafeMutableBufferPointer { allreduceSum($0) }
    }

    /// Process `root`'s `data` on every process (the other processes' argument is ignored): its
    /// length first, then its bytes.
    public func broadcast(_ data: Data, from root: Int) -> Data {
        guard size > 1 else { return data }
        var length = [Double(data.count)]
        length.withUnsafeMutableBytes { broadcast($0, from: root) }
        var bytes = rank == root ? data : Data(count: Int(length[0]))
        bytes.withUnsafeMutableBytes { broadcast($0, from: root) }
        return bytes
    }

    /// Which processes had `failed`, the same list on every process (one collective).
    public func failedRanks(_ failed: Bool) -> [Int] {
        guard size > 1 else { return failed ? [0] : [] }
        var flags = [Double](repeating: 0, count: size)
        flags[rank] = failed ? 1 : 0
        allreduceSum(&flags)
        return flags.indices.filter { flags[$0] > 0 }
    }
}

/// A job of one process: every collective is the identity, and nothing needs MPI.
public final class SingleProcess: Communicator {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public var localRank: Int { 0 }
    public var localSize: Int { 1 }
    public var library: String { "none" }
    public func allreduceSum(_ values: UnsafeMutableBufferPointer<Float>) {}
    public func allreduceSum(_ values: UnsafeMutableBufferPointer<Double>) {}
    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) {
        precondition(root == 0, "[collectives] broadcast from rank \(root) in a job of one process")
    }
    public func barrier() {}
    public func abort(code: Int32) -> Never { exit(code) }
    public func finish() {}
}
