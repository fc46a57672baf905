import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The threads `Parallel.forEachChunk` hands its chunks to: `threadCount - 1` workers that stay
/// alive for the whole process, the calling thread taking chunk 0 itself.
///
/// Why not `DispatchQueue.concurrentPerform`: a training step starts 50 to 200 parallel loops, many
/// of them 20-400 us long, and libdispatch puts its workers to sleep between them; waking one is a
/// futex call and a trip through the scheduler each time. Here a worker that has finished a chunk
/// spins on the job counter for a short while (`spinNanoseconds`) before it sleeps, as OpenMP's
/// runtimes (which PyTorch uses) do, so the next loop of the same step starts at once.
/// Measured in docs/performance.md ("A worker pool that spins").
public final class WorkerPool: @unchecked Sendable {
    /// How long an idle worker polls for the next job before it sleeps: longer than the gaps
    /// between a step's loops (a few to a few hundred microseconds), short enough that a process
    /// that stops computing (evaluating on the main thread, reading data, waiting for MPI) leaves
    /// the cores alone within a millisecond.
    static let spinNanoseconds: UInt64 = 500_000

    public let workers: Int
    /// Bumped once per job; a worker runs a job when it sees a value it has not run.
    private let generation = Atomic<Int>(0)
    /// Workers still running the current job.
    private let running = Atomic<Int>(0)
    /// Workers asleep (or about to sleep) on `wake`.
    private let sleepers = Atomic<Int>(0)
    /// Taken by the thread that is submitting a job; a second thread that finds it taken runs its
    /// loop through libdispatch instead of waiting.
    private let submitting = Atomic<Bool>(false)
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// The current job: chunk `t` of `parts`. Written before `generation` is bumped, read after.
    private var job: ((Int) -> Void)?
    private var parts = 0

    public init(workers: Int) {
        self.workers = workers
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
        for index in stride(from: 1, through: workers, by: 1) {
            var thread = pthread_t()
            let context = Unmanaged.passRetained(WorkerContext(pool: self, index: index)).toOpaque()
            let created = pthread_create(&thread, nil, { raw in
                let context = Unmanaged<WorkerContext>.fromOpaque(raw!).takeRetainedValue()
                context.pool.work(index: context.index)
            }, context)
            precondition(created == 0, "[parallel] cannot start worker thread \(index): error \(created)")
            pthread_detach(thread)
        }
    }

    /// Runs `body(t)` for every t in 0..<parts (parts <= workers + 1), chunk 0 on the calling
    /// thread; returns when all have finished. Returns false, having run nothing, when another
    /// thread is using the pool.
    public func run(parts: Int, _ body: (Int) -> Void) -> Bool {
        guard submitting.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        defer { submitting.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { body in
            job = body
            self.parts = parts
            running.store(workers, ordering: .relaxed)
            generation.add(1, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(mutex)
                pthread_cond_broadcast(wake)
                pthread_mutex_unlock(mutex)
            }
            body(0)
            var polls = 0
            while running.load(ordering: .acquiring) > 0 {
                polls += 1
                if polls & 63 == 0 { sched_yield() }  // a worker may be waiting for this core
            }
            job = nil
        }
        return true
    }

    private func work(index: Int) -> Never {
        var seen = 0
        while true {
            seen = waitForJob(after: seen)
            if index < parts, let job { job(index) }
            running.subtract(1, ordering: .releasing)
        }
    }

    /// Spins, then sleeps, until `generation` moves past `seen`; returns its new value.
    private func waitForJob(after seen: Int) -> Int {
        var next = generation.load(ordering: .acquiring)
        if next != seen { return next }
        let deadline = DispatchTime.now().uptimeNanoseconds + Self.spinNanoseconds
        var polls = 0
        while true {
            next = generation.load(ordering: .acquiring)
            if next != seen { return next }
            polls += 1
            if polls & 63 == 0 {
                // More threads than cores (SPECRUN_THREADS above the budget, other processes):
                // let whoever has work run. Without this, 4 threads on 2 cores ran mlp_bn 7x slower.
                sched_yield()
                if DispatchTime.now().uptimeNanoseconds > deadline { break }
            }
        }
        pthread_mutex_lock(mutex)
        sleepers.add(1, ordering: .sequentiallyConsistent)
        while true {
            next = generation.load(ordering: .sequentiallyConsistent)
            if next != seen { break }
            pthread_cond_wait(wake, mutex)
        }
        sleepers.subtract(1, ordering: .sequentiallyConsistent)
        pthread_mutex_unlock(mutex)
        return next
    }
}

private final class WorkerContext {
    let pool: WorkerPool
    let index: Int
    init(pool: WorkerPool, index: Int) { self.pool = pool; self.index = index }
}
