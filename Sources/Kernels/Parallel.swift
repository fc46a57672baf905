import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// Splits loops across the cores. Every multi-threaded loop in specrun goes through here, so the
/// thread count is decided in one place (`SPECRUN_THREADS`, else the CPUs this process may use:
/// its affinity mask and cgroup CPU quota, see `CPUBudget`).
public enum Parallel {
    /// The number of threads loops are split across.
    public static let threadCount: Int = {
        if let text = getenv("SPECRUN_THREADS").map({ String(cString: $0) }), let n = Int(text), n > 0 {
            return n
        }
        return CPUBudget.current()
    }()

    /// Runs `body` over consecutive chunks that together cover `0..<count`, one chunk per thread
    /// when there are at least `grain` items per thread, otherwise in one call on this thread.
    /// `body` must only write to disjoint places for disjoint ranges.
    ///
    /// A loop started inside another parallel loop runs on its own thread only: the cores are
    /// already busy, and splitting again would only add hand-offs.
    @inline(__always)
    public static func forEachChunk(_ count: Int, grain: Int = 16_384, _ body: (Range<Int>) -> Void) {
        let threads = min(threadCount, count / max(grain, 1))
        if threads <= 1 || isInsideParallelLoop {
            if count > 0 { body(0..<count) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendable(body)
            let chunk = { @Sendable (t: Int) in
                let lo = count * t / threads, hi = count * (t + 1) / threads
                let outer = pthread_getspecific(insideKey)
                pthread_setspecific(insideKey, UnsafeRawPointer(bitPattern: 1))
                box.value(lo..<hi)
                pthread_setspecific(insideKey, outer)
            }
            // Another thread's loop holds the pool (tests run many at once): libdispatch's threads.
            if pool?.run(parts: threads, chunk) != true {
                DispatchQueue.concurrentPerform(iterations: threads, execute: chunk)
            }
        }
    }

    /// The worker threads, started at the first parallel loop.
    static let pool: WorkerPool? = threadCount > 1 ? WorkerPool(workers: threadCount - 1) : nil

    /// Whether the calling thread is running a chunk of a `forEachChunk` loop.
    static var isInsideParallelLoop: Bool { pthread_getspecific(insideKey) != nil }

    /// `count` split into `parts` consecutive ranges whose starts (but the first) are multiples
    /// of `alignment`; fewer ranges when there is not enough to go round.
    public static func chunks(_ count: Int, parts: Int, alignment: Int) -> [Range<Int>] {
        let units = (count + alignment - 1) / alignment
        let n = max(1, min(parts, units))
        return (0..<n).map { t in
            let lo = min(count, units * t / n * alignment), hi = t == n - 1 ? count : min(count, units * (t + 1) / n * alignment)
            return lo..<hi
        }
    }

    /// Runs `body(i)` for every `i` in `0..<count`, spread over the threads; use when each item is
    /// itself a sizeable piece of work (an image, a row of a batch).
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        forEachChunk(count, grain: 1) { range in
            for i in range { body(i) }
        }
    }
}

/// Carries a value the compiler cannot prove thread-safe across a thread boundary. Used only where
/// the caller guarantees disjoint access (see `Parallel.forEachChunk`).
struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    @inline(__always) public init(_ value: Value) { self.value = value }
}

private let insideKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()
