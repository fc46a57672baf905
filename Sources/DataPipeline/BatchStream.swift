import Dispatch
import Foundation
import Synchronization

/// One of `count` processes that train on shares of every batch (data parallelism): process
/// `index` takes rows [n·index/count, n·(index+1)/count) of a batch of n, a contiguous share,
/// empty when n < count.
public struct Shard: Sendable, Equatable {
    public var index: Int
    public var count: Int

    /// The whole batch: one process.
    public static let whole = Shard(index: 0, count: 1)

    public init(index: Int, count: Int) {
        precondition(count > 0 && index >= 0 && index < count, "[batches] shard \(index) of \(count)")
        self.index = index
        self.count = count
    }

    /// This shard's rows of a batch of `n`.
    public func rows(of n: Int) -> Range<Int> { n * index / count ..< n * (index + 1) / count }
}

/// How one epoch's samples are cut into batches.
public struct BatchOptions: Sendable, Equatable {
    public var batchSize: Int
    /// Visit the samples in a fresh order each epoch (from seed and epoch), else in index order.
    public var shuffle: Bool
    public var seed: UInt64
    /// Leave out a last batch smaller than `batchSize` (PyTorch's DataLoader keeps it by default).
    public var dropLast: Bool
    /// How many batches a background thread assembles ahead of the consumer; 0 assembles each
    /// batch on the caller's thread when it is asked for.
    public var prefetch: Int
    /// Transform the images by the config's augmentation, with draws from `seed` and the epoch
    /// (for training batches only).
    public var augment: Bool
    /// The share of each batch this process reads; the batches are the same for every share.
    public var shard: Shard

    public init(batchSize: Int, shuffle: Bool = false, seed: UInt64 = 0, dropLast: Bool = false, prefetch: Int = 2, augment: Bool = false,
                shard: Shard = .whole) {
        precondition(batchSize > 0, "[batches] batch size must be positive, got \(batchSize)")
        precondition(prefetch >= 0, "[batches] prefetch must be >= 0, got \(prefetch)")
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
        self.dropLast = dropLast
        self.prefetch = prefetch
        self.augment = augment
        self.shard = shard
    }
}

extension Dataset {
    /// The batches of one epoch over the samples `indices` (a split).
    public func batches(_ indices: [Int], epoch: Int = 0, options: BatchOptions) -> BatchStream {
        let order = options.shuffle ? epochOrder(indices, seed: options.seed, epoch: epoch) : indices
        return BatchStream(dataset: self, order: order, options: options,
                           augmentation: options.augment ? AugmentationDraw(seed: options.seed, epoch: epoch) : nil)
    }
}

/// One epoch of batches, read with `next()` by one consumer. With prefetching, a background
/// thread assembles up to `prefetch` batches ahead (decoding images the first time), so the next
/// batch is ready when the current training step ends. `stop()` (or dropping the stream) ends the
/// thread after the batch it is assembling; no work continues behind the caller's back.
public final class BatchStream: Sendable {
    /// The samples in the order this epoch visits them.
    public let order: [Int]
    public let batchCount: Int
    private let dataset: Dataset
    private let batchSize: Int
    private let augmentation: AugmentationDraw?
    private let shard: Shard
    private let prefetcher: Prefetcher?
    private let state = Mutex(State())

    private struct State {
        var next = 0
        var stopped = false
    }

    init(dataset: Dataset, order: [Int], options: BatchOptions, augmentation: AugmentationDraw?) {
        self.dataset = dataset
        self.order = order
        self.augmentation = augmentation
        batchSize = options.batchSize
        shard = options.shard
        let count = order.count
        batchCount = options.dropLast ? count / batchSize : (count + batchSize - 1) / batchSize
        if options.prefetch > 0 && batchCount > 0 {
            let slices = (0..<batchCount).map { b in
                Array(order[Self.samples(ofBatch: b, batchSize: options.batchSize, shard: options.shard, count: count)])
            }
            let prefetcher = Prefetcher(dataset: dataset, slices: slices, depth: options.prefetch, augmentation: augmentation)
            self.prefetcher = prefetcher
            let thread = Thread { prefetcher.run() }
            thread.name = "specrun.prefetch"
            thread.start()
        } else {
            prefetcher = nil
        }
    }

    deinit { stop() }

    /// Where batch `b`'s rows (this shard's share) start in the whole batch, how many there are,
    /// and how many the whole batch has.
    public func share(ofBatch b: Int) -> (firstRow: Int, rows: Int, batchRows: Int) {
        let n = min(batchSize, order.count - b * batchSize), rows = shard.rows(of: n)
        return (rows.lowerBound, rows.count, n)
    }

    /// The positions in the order of batch `b`'s samples in `shard`.
    private static func samples(ofBatch b: Int, batchSize: Int, shard: Shard, count: Int) -> Range<Int> {
        let rows = shard.rows(of: min(batchSize, count - b * batchSize))
        return b * batchSize + rows.lowerBound ..< b * batchSize + rows.upperBound
    }

    /// The next batch, or nil after the last one. A failure (say, a corrupt image) is thrown
    /// once, after the batches before it, and ends the stream.
    public func next() throws(DataError) -> Batch? {
        let b: Int? = state.withLock { state in
            guard !state.stopped, state.next < batchCount else { return nil }
            state.next += 1
            return state.next - 1
        }
        guard let b else { return nil }
        do throws(DataError) {
            guard let prefetcher else {
                return try dataset.batch(Array(order[Self.samples(ofBatch: b, batchSize: batchSize, shard: shard, count: order.count)]),
                                         augmentation: augmentation)
            }
            return try prefetcher.take().get()
        } catch {
            stop()
            throw error
        }
    }

    /// Stops the background thread (waiting for the batch it is on) and ends the stream.
    public func stop() {
        let wasRunning = state.withLock { state in
            defer { state.stopped = true }
            return !state.stopped
        }
        if wasRunning { prefetcher?.stop() }
    }
}

/// The producer side: a thread that assembles batches in order into a queue of at most `depth`.
private final class Prefetcher: Sendable {
    let dataset: Dataset
    let slices: [[Int]]
    let augmentation: AugmentationDraw?
    // Created at 0 and then signalled: libdispatch traps when a semaphore dies below the value it
    // was created with, which an abandoned stream's would.
    private let freeSlots = DispatchSemaphore(value: 0)
    private let readyBatches = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let state = Mutex(State())

    private struct State {
        var queue: [Result<Batch, DataError>] = []
        var stopping = false
    }

    init(dataset: Dataset, slices: [[Int]], depth: Int, augmentation: AugmentationDraw?) {
        self.dataset = dataset
        self.slices = slices
        self.augmentation = augmentation
        for _ in 0..<depth { freeSlots.signal() }
    }

    func run() {
        for slice in slices {
            freeSlots.wait()
            if state.withLock({ $0.stopping }) { break }
            let result = Result { () throws(DataError) -> Batch in try dataset.batch(slice, augmentation: augmentation) }
            state.withLock { $0.queue.append(result) }
            readyBatches.signal()
            if case .failure = result { break }
        }
        finished.signal()
    }

    /// The next batch in order, waiting for it if need be.
    func take() -> Result<Batch, DataError> {
        readyBatches.wait()
        let result = state.withLock { $0.queue.removeFirst() }
        freeSlots.signal()
        return result
    }

    /// Asks the thread to end and waits until it has.
    func stop() {
        state.withLock { $0.stopping = true }
        freeSlots.signal()
        finished.wait()
    }
}
