import Dispatch
import Foundation
import Synchronization

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

    public init(batchSize: Int, shuffle: Bool = false, seed: UInt64 = 0, dropLast: Bool = false, prefetch: Int = 2, augment: Bool = false) {
        precondition(batchSize > 0, "[batches] batch size must be positive, got \(batchSize)")
        precondition(prefetch >= 0, "[batches] prefetch must be >= 0, got \(prefetch)")
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
        self.dropLast = dropLast
        self.prefetch = prefetch
        self.augment = augment
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
        let count = order.count
        batchCount = options.dropLast ? count / batchSize : (count + batchSize - 1) / batchSize
        if options.prefetch > 0 && batchCount > 0 {
            let slices = (0..<batchCount).map { b in Array(order[(b * options.batchSize)..<min((b + 1) * options.batchSize, count)]) }
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
                return try dataset.batch(Array(order[(b * batchSize)..<min((b + 1) * batchSize, order.count)]), augmentation: augmentation)
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
