import Kernels

/// A batch of samples: one contiguous buffer per field, batch dimension first.
public struct Batch: Sendable {
    /// The dataset indices of the samples, in batch order (`Dataset.origin(ofSample:)` names them).
    public let indices: [Int]
    /// One entry per field, in `Dataset.fields` order.
    public let fields: [BatchField]

    public var count: Int { indices.count }

    /// The field named `name`.
    public subscript(name: String) -> BatchField? { fields.first { $0.name == name } }
}

/// One field of a batch.
///
/// Float32 fields live in a `FloatBuffer`, which a tensor can adopt without copying
/// (`Tensor(shape:storage:)`). Its memory comes from and returns to the buffer pool, so after the
/// first batches the pool hands each new batch the buffers of batches already consumed: no batch
/// is ever overwritten while the model still reads it, and none costs a fresh allocation.
public struct BatchField: Sendable {
    public enum Values: Sendable {
        case float32(FloatBuffer)
        case int32([Int32])
    }

    public let name: String
    /// `[batch] + per-sample shape`.
    public let shape: [Int]
    public let values: Values

    /// The Float32 buffer, for a Float32 field.
    public var floats: FloatBuffer? { if case .float32(let b) = values { return b }; return nil }
    /// The Int32 values, for a class-index field.
    public var int32s: [Int32]? { if case .int32(let v) = values { return v }; return nil }
}

/// Which draws of the augmentation a batch gets: those of this seed and epoch.
public struct AugmentationDraw: Sendable, Equatable {
    public var seed: UInt64
    public var epoch: Int

    public init(seed: UInt64, epoch: Int) {
        self.seed = seed
        self.epoch = epoch
    }
}

extension Dataset {
    /// Assembles the samples `indices` (in that order) into a batch, decoding any image that is
    /// not cached yet; with `augmentation`, each image field's samples are transformed by the
    /// config's augmentation (spread over the cores) before they are normalised.
    public func batch(_ indices: [Int], augmentation: AugmentationDraw? = nil) throws(DataError) -> Batch {
        var fields: [BatchField] = []
        fields.reserveCapacity(stores.count)
        var imageFields = 0
        for (info, store) in zip(self.fields, stores) {
            let shape = [indices.count] + info.shape
            switch store {
            case .floats(let width, let values):
                let buffer = FloatBuffer(uninitializedCount: indices.count * width)
                values.withUnsafeBufferPointer { source in
                    for (row, i) in indices.enumerated() {
                        (buffer.base + row * width).update(from: source.baseAddress! + i * width, count: width)
                    }
                }
                fields.append(BatchField(name: info.name, shape: shape, values: .float32(buffer)))
            case .classes(let values, let classCount, let onehot):
                if onehot {
                    let buffer = FloatBuffer.zeros(indices.count * classCount)
                    for (row, i) in indices.enumerated() { buffer.base[row * classCount + Int(values[i])] = 1 }
                    fields.append(BatchField(name: info.name, shape: shape, values: .float32(buffer)))
                } else {
                    fields.append(BatchField(name: info.name, shape: shape, values: .int32(indices.map { values[$0] })))
                }
            case .images(let cache, let normalizer):
                try cache.ensureDecoded(indices)
                let n = cache.valuesPerImage, plane = cache.height * cache.width
                let buffer = FloatBuffer(uninitializedCount: indices.count * n)
                if let draw = augmentation, !config.augmentation.isEmpty {
                    let augmenter = Augmenter(transforms: config.augmentation, channels: cache.channels, height: cache.height, width: cache.width)
                    let field = imageFields
                    Parallel.forEachChunk(indices.count, grain: 1) { rows in
                        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: n)
                        defer { scratch.deallocate() }
                        for row in rows {
                            let sample = buffer.base + row * n
                            cache.copy(indices[row], to: sample)
                            var rng = Augmenter.generator(seed: draw.seed, epoch: draw.epoch, field: field, sample: indices[row])
                            augmenter.apply(sample, scratch: scratch, &rng)
                            normalizer?.apply(sample, plane: plane)
                        }
                    }
                } else {
                    for (row, i) in indices.enumerated() {
                        cache.copy(i, to: buffer.base + row * n)
                        normalizer?.apply(buffer.base + row * n, plane: plane)
                    }
                }
                imageFields += 1
                fields.append(BatchField(name: info.name, shape: shape, values: .float32(buffer)))
            }
        }
        return Batch(indices: indices, fields: fields)
    }
}
