import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A contiguous, 64-byte aligned block of Floats: the storage behind every tensor.
///
/// Blocks are recycled: when a buffer dies its memory goes back to `BufferPool.shared`, and the
/// next request for the same number of elements gets it back without calling malloc. A training
/// step makes the same tensors in the same sizes every time, so after the first step it allocates
/// no tensor memory at all (see `BufferPool.Statistics`).
public final class FloatBuffer: @unchecked Sendable {
    /// The first element. Valid for `count` elements while this object is alive.
    public let base: UnsafeMutablePointer<Float>
    public let count: Int
    /// The buffer this one is a view into, kept alive by it; nil when this one owns its memory.
    private let owner: FloatBuffer?

    /// A buffer of `count` elements whose contents are unspecified (recycled memory).
    public init(uninitializedCount count: Int) {
        precondition(count >= 0, "[buffer] negative element count \(count)")
        self.count = count
        self.base = BufferPool.shared.take(count)
        owner = nil
    }

    /// A view of `count` elements of `buffer` from `offset`: writes go to `buffer`'s memory. For
    /// tensors that must live side by side in one block (gradients summed across processes in one
    /// call); a view starts on a 64-byte boundary only when `offset` is a multiple of 16.
    public init(viewing buffer: FloatBuffer, offset: Int, count: Int) {
        precondition(offset >= 0 && count >= 0 && offset + count <= buffer.count,
                     "[buffer] view of \(count) elements at \(offset) does not fit in \(buffer.count)")
        self.count = count
        self.base = buffer.base + offset
        owner = buffer
    }

    /// A buffer of `count` zeros.
    public static func zeros(_ count: Int) -> FloatBuffer {
        let buffer = FloatBuffer(uninitializedCount: count)
        buffer.base.initialize(repeating: 0, count: count)
        return buffer
    }

    /// A buffer holding a copy of `values`.
    public convenience init(_ values: [Float]) {
        self.init(uninitializedCount: values.count)
        values.withUnsafeBufferPointer { base.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit { if owner == nil { BufferPool.shared.recycle(base, count: count) } }

    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: base, count: count) }
    public var array: [Float] { Array(buffer) }
}

/// Recycles tensor memory by exact element count. Process-wide like malloc's own caches: it holds
/// memory, not program state, and nothing computed depends on which block is handed out.
public final class BufferPool: Sendable {
    public static let shared = BufferPool(maxCachedBytes: 2 << 30)

    /// Counters for checking that steady-state training does not allocate.
    public struct Statistics: Sendable, Equatable {
        /// Blocks obtained from malloc.
        var freshAllocations = 0
        /// Blocks handed out again from the pool.
        public var reuses = 0
        /// Bytes currently parked in the pool.
        var cachedBytes = 0
    }

    /// Element counts below this have their free list in an array indexed by count: a training
    /// step at a small batch takes and returns a dozen such buffers, and a hashed lookup each time
    /// was a measurable part of its cost.
    static let directCounts = 4_096

    private struct State: ~Copyable {
        var small = [[UInt]](repeating: [], count: BufferPool.directCounts)  // addresses by count
        var free: [Int: [UInt]] = [:]  // larger counts; addresses, so the state stays Sendable
        var stats = Statistics()

        mutating func pop(_ count: Int) -> UInt? {
            count < BufferPool.directCounts ? small[count].popLast() : free[count]?.popLast()
        }

        mutating func push(_ address: UInt, _ count: Int) {
            if count < BufferPool.directCounts { small[count].append(address) } else { free[count, default: []].append(address) }
        }
    }

    private let state = Mutex(State())
    private let maxCachedBytes: Int

    public init(maxCachedBytes: Int) { self.maxCachedBytes = maxCachedBytes }

    public var statistics: Statistics { state.withLock { $0.stats } }

    /// Fresh allocations made by the calling thread, from any pool: lets a test or a benchmark
    /// check its own steady state while other threads allocate.
    public static var freshAllocationsOnThisThread: Int {
        Int(bitPattern: pthread_getspecific(threadAllocationsKey))
    }

    private static func countFreshAllocationOnThisThread() {
        pthread_setspecific(threadAllocationsKey, UnsafeRawPointer(bitPattern: freshAllocationsOnThisThread + 1))
    }

    /// Drops every cached block (returns the memory to the system).
    public func trim() {
        state.withLock { state in
            for blocks in state.small { blocks.forEach { free(UnsafeMutableRawPointer(bitPattern: $0)) } }
            for (_, blocks) in state.free { blocks.forEach { free(UnsafeMutableRawPointer(bitPattern: $0)) } }
            state.small = [[UInt]](repeating: [], count: BufferPool.directCounts)
            state.free = [:]
            state.stats.cachedBytes = 0
        }
    }

    func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        let reused: UInt? = state.withLock { state in
            guard let block = state.pop(count) else { return nil }
            state.stats.reuses += 1
            state.stats.cachedBytes -= count * 4
            return block
        }
        if let reused { return UnsafeMutablePointer(bitPattern: reused)! }
        state.withLock { $0.stats.freshAllocations += 1 }
        BufferPool.countFreshAllocationOnThisThread()
        var raw: UnsafeMutableRawPointer?
        let status = posix_memalign(&raw, 64, max(count, 1) * MemoryLayout<Float>.stride)
        precondition(status == 0 && raw != nil, "[buffer] out of memory allocating \(count) floats")
        return raw!.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    func recycle(_ block: UnsafeMutablePointer<Float>, count: Int) {
        let address = UInt(bitPattern: block)
        let kept = state.withLock { state -> Bool in
            guard state.stats.cachedBytes + count * 4 <= maxCachedBytes else { return false }
            state.push(address, count)
            state.stats.cachedBytes += count * 4
            return true
        }
        if !kept { free(block) }
    }
}

private let threadAllocationsKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()
