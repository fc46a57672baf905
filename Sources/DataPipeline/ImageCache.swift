import Kernels
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The decoded pixels of one image field, kept in memory so that only the first epoch decodes.
///
/// Each sample has a fixed slot in one block: bytes (channel-major) when the image is not resized,
/// else the resized Float32 values. Normalisation (and augmentation) come later, as a batch is
/// assembled, so that what is cached is the image itself: augmentation must see it before it is
/// normalised, and normalisation fitted on the training split must see it first.
/// Decoding is lazy (the batches that need an image decode it, spread over the cores) or up
/// front with `decodeAll`; either way each file is decoded once.
final class ImageCache: @unchecked Sendable {
    let files: [String]
    let field: ImageField
    let limits: ImageLimits
    /// The per-sample output shape.
    let channels: Int, height: Int, width: Int
    /// Whether slots hold bytes rather than Float32s.
    let storesBytes: Bool
    var valuesPerImage: Int { channels * height * width }
    var bytesPerImage: Int { valuesPerImage * (storesBytes ? 1 : 4) }

    // Slots are written by one decoding pass at a time (`decoding`), each slot by one thread, and
    // marked ready under `state`; readers consult `state` before touching a slot, which orders
    // the writes before the reads.
    private let slab: UnsafeMutableRawPointer
    private let state: Mutex<[Bool]>
    private let decoding = Mutex(())

    /// `nativeSize` is the first file's size, used when the field gives none. Throws, naming
    /// `path` (the folder), when the decoded images would not fit in this machine's memory.
    init(files: [String], field: ImageField, limits: ImageLimits, nativeSize: (height: Int, width: Int), path: String) throws(DataError) {
        self.files = files
        self.field = field
        self.limits = limits
        channels = field.channels
        height = field.size?[0] ?? nativeSize.height
        width = field.size?[1] ?? nativeSize.width
        storesBytes = field.size == nil
        // The block is reserved, not touched: pages become resident as images are decoded. All of
        // it becomes resident by the end of the first epoch, so it must fit in memory.
        let factors = [files.count, channels, height, width, storesBytes ? 1 : 4]
        var bytes = 1
        for f in factors {
            let (p, overflow) = bytes.multipliedReportingOverflow(by: f)
            bytes = overflow ? .max : p
        }
        let memory = PhysicalMemory.bytes
        guard bytes <= memory else {
            throw DataError("\(files.count) images of \(channels)x\(height)x\(width) need \(bytes == .max ? "more than \(Int.max)" : "\(bytes)") bytes "
                            + "decoded, more than this machine's \(memory) bytes of memory; give the image field a smaller size", path: path)
        }
        slab = UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 1), alignment: 64)
        state = Mutex([Bool](repeating: false, count: files.count))
    }

    deinit { slab.deallocate() }

    /// Bytes of decoded images held.
    var residentBytes: Int { state.withLock { $0.lazy.filter { $0 }.count } * bytesPerImage }

    /// Decodes the samples among `indices` that are not cached yet, in parallel. On failure the
    /// error of the first failing sample (in `indices` order) is thrown; the others stay cached.
    func ensureDecoded(_ indices: some Collection<Int>) throws(DataError) {
        let missing = state.withLock { ready in indices.filter { !ready[$0] } }
        guard !missing.isEmpty else { return }
        try decoding.withLock { (_) throws(DataError) in
            let todo = state.withLock { ready in Array(Set(missing.filter { !ready[$0] })).sorted() }
            var errors = [DataError?](repeating: nil, count: todo.count)
            errors.withUnsafeMutableBufferPointer { errors in
                Parallel.forEach(todo.count) { k in
                    do throws(DataError) {
                        try decode(todo[k])
                    } catch {
                        errors[k] = error
                    }
                }
            }
            state.withLock { ready in
                for (k, i) in todo.enumerated() where errors[k] == nil { ready[i] = true }
            }
            if let failed = todo.indices.first(where: { errors[$0] != nil }) { throw errors[failed]! }
        }
    }

    /// Copies sample `index` (already decoded) as Float32s in [0, 1] to `target`.
    func copy(_ index: Int, to target: UnsafeMutablePointer<Float>) {
        let n = valuesPerImage
        if storesBytes {
            let source = (slab + index * n).assumingMemoryBound(to: UInt8.self)
            byteToUnit.withUnsafeBufferPointer { table in
                for i in 0..<n { target[i] = table[Int(source[i])] }
            }
        } else {
            target.update(from: (slab + index * n * 4).assumingMemoryBound(to: Float.self), count: n)
        }
    }

    /// Decodes, converts and resizes one file into its slot.
    private func decode(_ index: Int) throws(DataError) {
        let path = files[index]
        let image = try ImageFile.read(path, channels: channels, limits: limits)
        if field.size == nil && (image.height != height || image.width != width) {
            throw DataError("image is \(image.width)x\(image.height) but the first image is \(width)x\(height); "
                            + "give the image field a size to resize them all", path: path)
        }
        let plane = image.height * image.width
        if storesBytes {
            let slot = (slab + index * valuesPerImage).assumingMemoryBound(to: UInt8.self)
            image.pixels.withUnsafeBufferPointer { toChannelMajor($0.baseAddress!, plane: plane, into: slot) }
            return
        }
        let slot = (slab + index * valuesPerImage * 4).assumingMemoryBound(to: Float.self)
        var unit = [Float](repeating: 0, count: channels * plane)
        image.pixels.withUnsafeBufferPointer { bytes in
            unit.withUnsafeMutableBufferPointer { out in
                toChannelMajor(bytes.baseAddress!, plane: plane, into: out.baseAddress!)
            }
        }
        unit.withUnsafeBufferPointer {
            Resize.bilinearAntialiased($0.baseAddress!, channels: channels, height: image.height, width: image.width,
                                       into: slot, outHeight: height, outWidth: width)
        }
    }

    /// Interleaved (HWC) bytes to channel-major (CHW) bytes.
    private func toChannelMajor(_ source: UnsafePointer<UInt8>, plane: Int, into target: UnsafeMutablePointer<UInt8>) {
        for c in 0..<channels {
            for i in 0..<plane { target[c * plane + i] = source[i * channels + c] }
        }
    }

    /// Interleaved (HWC) bytes to channel-major Float32s in [0, 1].
    private func toChannelMajor(_ source: UnsafePointer<UInt8>, plane: Int, into target: UnsafeMutablePointer<Float>) {
        byteToUnit.withUnsafeBufferPointer { table in
            for c in 0..<channels {
                for i in 0..<plane { target[c * plane + i] = table[Int(source[i * channels + c])] }
            }
        }
    }
}

/// Float(b) / 255 for every byte, rounded as numpy's float32 division in the reference rounds it.
private let byteToUnit: [Float] = (0..<256).map { Float($0) / 255 }

/// The machine's physical memory, for checks that a reservation can ever be filled.
enum PhysicalMemory {
    static let bytes: Int = {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, size > 0 else { return .max }
        let (total, overflow) = pages.multipliedReportingOverflow(by: size)
        return overflow ? .max : total
    }()
}
