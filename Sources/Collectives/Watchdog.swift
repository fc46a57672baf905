import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Ends the job when a collective has waited too long for the other processes.
///
/// MPI notices a process that dies (the launcher ends the job, naming it) but not one that hangs:
/// a deadlock, a stopped process or a machine that stopped answering leaves every other process
/// waiting in its next collective for ever. A thread checks twice a second whether the current
/// collective began more than `timeout` seconds ago; if so it says where this process was
/// waiting and exits, which makes the launcher end the whole job.
final class Watchdog: Sendable {
    enum Operation: Int {
        case allreduce = 1, broadcast, barrier

        var text: String {
            switch self {
            case .allreduce: "an allreduce"
            case .broadcast: "a broadcast"
            case .barrier: "a barrier"
            }
        }
    }

    /// The exit status of a process that gave up waiting (that of `timeout(1)`).
    static let exitStatus: Int32 = 124

    let timeout: Double
    let rank: Int
    /// When the current collective began (`monotonicNanoseconds`), 0 outside collectives.
    private let entered = Atomic<Int64>(0)
    private let operation = Atomic<Int>(0)
    private let count = Atomic<Int>(0)

    init(timeout: Double, rank: Int) {
        precondition(timeout > 0, "[watchdog] timeout must be positive, got \(timeout)")
        self.timeout = timeout
        self.rank = rank
        let thread = Thread { [self] in watch() }
        thread.name = "specrun.watchdog"
        thread.start()
    }

    /// Runs `body`, a collective over `count` elements, under watch.
    func during(_ operation: Operation, count: Int, _ body: () -> Void) {
        self.operation.store(operation.rawValue, ordering: .relaxed)
        self.count.store(count, ordering: .relaxed)
        entered.store(Self.monotonicNanoseconds(), ordering: .releasing)
        body()
        entered.store(0, ordering: .releasing)
    }

    private func watch() {
        while true {
            usleep(500_000)
            let start = entered.load(ordering: .acquiring)
            guard start != 0 else { continue }
            let waited = Double(Self.monotonicNanoseconds() - start) / 1e9
            guard waited > timeout else { continue }
            let what = Operation(rawValue: operation.load(ordering: .relaxed))?.text ?? "a collective"
            let n = count.load(ordering: .relaxed)
            let message = "rank \(rank): error: waited \(Int(waited)) s for the other processes in \(what)"
                + (n > 0 ? " of \(n) value\(n == 1 ? "" : "s")" : "") + "; one of them has hung or stopped answering. Ending the job "
                + "(SPECRUN_MPI_TIMEOUT=\(Self.format(timeout)) seconds; 0 waits for ever)\n"
            FileHandle.standardError.write(Data(message.utf8))
            _exit(Self.exitStatus)
        }
    }

    static func monotonicNanoseconds() -> Int64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec)
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}
