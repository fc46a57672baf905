import Dispatch
import Foundation
import Kernels
import Testing

@Suite struct ParallelTests {
    /// Every chunk of every job runs exactly once, on any number of parts up to the pool's size,
    /// including after the workers have gone to sleep between jobs.
    @Test func poolRunsEachChunkOnce() {
        let pool = WorkerPool(workers: 3)
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: 4 * 16)  // a cache line per chunk
        counts.initialize(repeating: 0, count: 4 * 16)
        defer { counts.deallocate() }
        for job in 0..<3_000 {
            let parts = job % 4 + 1
            #expect(pool.run(parts: parts) { t in counts[t * 16] += 1 })
            if job % 1_000 == 999 { usleep(3_000) }  // past the spin: the workers sleep and are woken
        }
        // parts 1, 2, 3, 4 in turn: chunk t runs in the jobs with parts > t.
        #expect((0..<4).map { counts[$0 * 16] } == [3_000, 2_250, 1_500, 750])
    }

    /// A loop started while the pool is busy is refused (the caller then runs it elsewhere)
    /// rather than waiting for, or interleaving with, the one running.
    @Test func busyPoolRefusesAndParallelFallsBack() {
        let pool = WorkerPool(workers: 1)
        var inner: Bool?
        #expect(pool.run(parts: 2) { t in if t == 0 { inner = pool.run(parts: 2) { _ in } } })
        #expect(inner == false)
    }

    /// `Parallel.forEachChunk` called from many threads at once (as tests and data loaders do):
    /// one gets the pool, the others libdispatch, and every sum is right.
    @Test func concurrentLoopsAllComplete() {
        nonisolated(unsafe) let sums = UnsafeMutablePointer<Double>.allocate(capacity: 8)
        defer { sums.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 8) { caller in
            let values = UnsafeMutablePointer<Double>.allocate(capacity: 100_000)
            defer { values.deallocate() }
            for round in 0..<20 {
                Parallel.forEachChunk(100_000, grain: 1_000) { range in
                    for i in range { values[i] = Double(i + round + caller) }
                }
            }
            sums[caller] = (0..<100_000).reduce(0) { $0 + values[$1] }
        }
        for caller in 0..<8 {
            #expect(sums[caller] == Double(99_999 * 100_000 / 2 + 100_000 * (19 + caller)))
        }
    }
}
