import CMPI
import Foundation

/// A job that an MPI launcher started: `MPI_COMM_WORLD`. MPI is called only from the thread that
/// made this communicator (`MPI_THREAD_FUNNELED`): the engine's worker threads never call it.
///
/// MPI's default error handler ends the job on any MPI error, so the calls' return codes need no
/// checking here; what MPI does not notice, a process that stops calling it, the `Watchdog` does.
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int
    public let localRank: Int
    public let localSize: Int
    public let library: String
    private let world: MPI_Comm
    private let watchdog: Watchdog?
    private var finished = false

    /// Initialises MPI. `timeout`: seconds a collective may wait for the other processes before
    /// the job is ended (nil: wait for ever).
    init(timeout: Double?) {
        var provided: Int32 = 0
        MPI_Init_thread(nil, nil, cmpi_thread_funneled(), &provided)
        world = cmpi_comm_world()
        var value: Int32 = 0
        MPI_Comm_rank(world, &value)
        let rank = Int(value)
        self.rank = rank
        MPI_Comm_size(world, &value)
        size = Int(value)
        var local: (rank: Int32, size: Int32) = (0, 0)
        cmpi_local_rank_and_size(&local.rank, &local.size)
        localRank = Int(local.rank)
        localSize = Int(local.size)
        library = Self.libraryVersion()
        watchdog = timeout.map { Watchdog(timeout: $0, rank: rank) }
    }

    public func allreduceSum(_ values: UnsafeMutableBufferPointer<Float>) {
        guard size > 1, let base = values.baseAddress else { return }
        watchdog.during(.allreduce, count: values.count) {
            for chunk in Self.chunks(values.count) {
                MPI_Allreduce(cmpi_in_place(), base + chunk.lowerBound, Int32(chunk.count), cmpi_float(), cmpi_sum(), world)
            }
        }
    }

    public func allreduceSum(_ values: UnsafeMutableBufferPointer<Double>) {
        guard size > 1, let base = values.baseAddress else { return }
        watchdog.during(.allreduce, count: values.count) {
            for chunk in Self.chunks(values.count) {
                MPI_Allreduce(cmpi_in_place(), base + chunk.lowerBound, Int32(chunk.count), cmpi_double(), cmpi_sum(), world)
            }
        }
    }

    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) {
        precondition(root >= 0 && root < size, "[collectives] broadcast from rank \(root) in a job of \(size)")
        guard size > 1, let base = bytes.baseAddress else { return }
        watchdog.during(.broadcast, count: bytes.count) {
            for chunk in Self.chunks(bytes.count) {
                MPI_Bcast(base + chunk.lowerBound, Int32(chunk.count), cmpi_byte(), Int32(root), world)
            }
        }
    }

    public func barrier() {
        watchdog.during(.barrier, count: 0) { _ = MPI_Barrier(world) }
    }

    public func abort(code: Int32) -> Never {
        MPI_Abort(world, code)
        exit(code)  // MPI_Abort does not return; this is for the compiler
    }

    public func finish() {
        guard !finished else { return }
        finished = true
        MPI_Finalize()
    }

    /// MPI counts are 32-bit: larger messages go in pieces.
    private static func chunks(_ count: Int) -> [Range<Int>] {
        let piece = 1 << 30
        return stride(from: 0, to: count, by: piece).map { $0 ..< min(count, $0 + piece) }
    }

    /// `Open MPI v4.1.4`, `MPICH Version: 4.0.2`: the library's own first words about itself.
    private static func libraryVersion() -> String {
        var text = [CChar](repeating: 0, count: Int(MPI_MAX_LIBRARY_VERSION_STRING) + 1)
        var length: Int32 = 0
        MPI_Get_library_version(&text, &length)
        let full = String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let first = full.split(whereSeparator: { $0 == "\n" || $0 == "," }).first.map(String.init) ?? full
        return first.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}

extension Optional where Wrapped == Watchdog {
    /// Runs `body` under the watchdog, if there is one.
    @inline(__always)
    func during(_ operation: Watchdog.Operation, count: Int, _ body: () -> Void) {
        if let watchdog = self { watchdog.during(operation, count: count, body) } else { body() }
    }
}
