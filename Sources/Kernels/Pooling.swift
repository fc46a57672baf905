/// Where each max-pooling output's maximum came from, kept for the backward pass. Lives in pooled
/// tensor memory, so steady-state training does not allocate for it.
public final class MaxPoolIndices: @unchecked Sendable {
    private let storage: FloatBuffer
    /// 2x2 windows with stride 2: the window position (0 to 3, row-major) of each maximum, a byte
    /// per output.
    let positions: UnsafeMutablePointer<UInt8>?
    /// Any other window: the offset (h W + w) of each maximum within its input plane.
    let offsets: UnsafeMutablePointer<Int32>?

    init(count: Int, compact: Bool) {
        if compact {
            storage = FloatBuffer(uninitializedCount: (count + 3) / 4)
            positions = UnsafeMutableRawPointer(storage.base).bindMemory(to: UInt8.self, capacity: count)
            offsets = nil
        } else {
            storage = FloatBuffer(uninitializedCount: count)
            offsets = UnsafeMutableRawPointer(storage.base).bindMemory(to: Int32.self, capacity: count)
            positions = nil
        }
    }

    deinit {
        // The memory goes back to the pool as Floats.
        UnsafeMutableRawPointer(storage.base).bindMemory(to: Float.self, capacity: storage.count)
    }
}

/// The sizes of a pooling over `planes` (N C) input planes of height x width.
public struct PoolGeometry: Sendable, Hashable {
    public var planes, height, width: Int
    public var window: Window2D
    public let outHeight, outWidth: Int

    public init(planes: Int, height: Int, width: Int, window: Window2D) {
        precondition(window.dilationH == 1 && window.dilationW == 1, "[pool] dilation is not supported, got \(window)")
        self.planes = planes
        self.height = height
        self.width = width
        self.window = window
        outHeight = window.outputHeight(height)
        outWidth = window.outputWidth(width)
    }

    var inputPlane: Int { height * width }
    var outputPlane: Int { outHeight * outWidth }
    /// 2x2 windows with stride 2 and no padding: every input belongs to at most one window.
    var isHalving: Bool {
        let w = window
        return w.kernelH == 2 && w.kernelW == 2 && w.strideH == 2 && w.strideW == 2 && w.padH == 0 && w.padW == 0
    }

    /// The input rows of output row i's window, clipped to the input.
    @inline(__always)
    func rows(_ i: Int) -> Range<Int> {
        let h0 = i * window.strideH - window.padH
        return max(h0, 0)..<min(h0 + window.kernelH, height)
    }

    /// The input columns of output column j's window, clipped to the input.
    @inline(__always)
    func columns(_ j: Int) -> Range<Int> {
        let w0 = j * window.strideW - window.padW
        return max(w0, 0)..<min(w0 + window.kernelW, width)
    }

    /// Calls `body(j, 8)` for blocks of eight outputs of a row whose windows lie inside the input
    /// columns, and `body(j, 1)` for each other output (clipped by the padding, or a short tail).
    @inline(__always)
    func forEachColumnBlock(_ body: (_ j: Int, _ lanes: Int) -> Void) {
        let w = window
        let first = (w.padW + w.strideW - 1) / w.strideW  // from here j·sw - pw >= 0
        let room = width - w.kernelW + w.padW              // up to here j·sw - pw + kw <= width
        let end = room < 0 ? first : max(first, min(outWidth, room / w.strideW + 1))
        var j = 0
        while j < first { body(j, 1); j += 1 }
        while j + 8 <= end { body(j, 8); j += 8 }
        while j < outWidth { body(j, 1); j += 1 }
    }

    /// Splits the planes across the cores when there is enough work.
    func forEachPlaneChunk(_ body: (Range<Int>) -> Void) {
        Parallel.forEachChunk(planes, grain: max(1, 16_384 / max(1, inputPlane)), body)
    }
}

/// Max and average pooling over contiguous NCHW planes, with PyTorch's semantics: ceil_mode false;
/// max pooling treats the padding as -inf, takes the first maximum in row-major window order (so
/// ties send the gradient to the first), and propagates NaN; average pooling counts the padding in
/// the divisor (count_include_pad true).
public enum Pooling {
    /// y = the maximum over each window; returns where each came from.
    public static func maxForward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, geometry g: PoolGeometry) -> MaxPoolIndices {
        let indices = MaxPoolIndices(count: g.planes * g.outputPlane, compact: g.isHalving)
        if let positions = indices.positions {
            let p = UncheckedSendable(positions)
            g.forEachPlaneChunk { planes in maxHalvingForward(x, y, p.value, planes, g) }
        } else if let offsets = indices.offsets {
            let o = UncheckedSendable(offsets)
            g.forEachPlaneChunk { planes in maxGeneralForward(x, y, o.value, planes, g) }
        }
        return indices
    }

    /// dx (=|+=) dy sent to the position each output's maximum came from.
    public static func maxBackward(
        dy: UnsafePointer<Float>, indices: MaxPoolIndices, dx: UnsafeMutablePointer<Float>,
        geometry g: PoolGeometry, accumulate: Bool
    ) {
        if let positions = indices.positions {
            let p = UncheckedSendable(UnsafePointer(positions))
            g.forEachPlaneChunk { planes in maxHalvingBackward(dy, p.value, dx, planes, g, accumulate) }
        } else if let offsets = indices.offsets {
            let o = UncheckedSendable(UnsafePointer(offsets))
            g.forEachPlaneChunk { planes in
                for plane in planes {
                    let src = dy + plane * g.outputPlane, idx = o.value + plane * g.outputPlane
                    let dst = dx + plane * g.inputPlane
                    // Windows may overlap or miss inputs, so each plane is a sum that starts at zero.
                    if !accumulate { dst.update(repeating: 0, count: g.inputPlane) }
                    for i in 0..<g.outputPlane { dst[Int(idx[i])] += src[i] }
                }
            }
        }
        withExtendedLifetime(indices) {}
    }

    /// The general max pooling, as PyTorch's CPU kernel: the maximum starts at -inf with the
    /// window's first valid input as its position, and a later input replaces it when greater or
    /// NaN. Windows inside the row run eight at a time with masked selects (on real data the
    /// comparison is unpredictable, so branches would stall); the clipped ones at the edges run alone.
    static func maxGeneralForward(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ offsets: UnsafeMutablePointer<Int32>,
        _ planes: Range<Int>, _ g: PoolGeometry
    ) {
        let sw = g.window.strideW, kw = g.window.kernelW, width = g.width
        let laneOffsets = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7) &* Int32(sw)
        for plane in planes {
            let src = x + plane * g.inputPlane
            for i in 0..<g.outHeight {
                let rows = g.rows(i), out = (plane * g.outHeight + i) * g.outWidth
                g.forEachColumnBlock { j, lanes in
                    if lanes == 1 {
                        let columns = g.columns(j)
                        var best = -Float.infinity, at = rows.lowerBound * width + columns.lowerBound
                        for h in rows {
                            for w in columns {
                                let v = src[h * width + w]
                                if v > best || v.isNaN { best = v; at = h * width + w }
                            }
                        }
                        y[out + j] = best
                        offsets[out + j] = Int32(at)
                        return
                    }
                    let w0 = j * sw - g.window.padW
                    var best = SIMD8<Float>(repeating: -.infinity)
                    var at = laneOffsets &+ Int32(rows.lowerBound * width + w0)
                    for h in rows {
                        for kj in 0..<kw {
                            let offset = h * width + w0 + kj
                            let v = SIMDMath.load(src + offset, stride: sw)
                            let take = (v .> best) .| (v .!= v)
                            best.replace(with: v, where: take)
                            at.replace(with: laneOffsets &+ Int32(offset), where: take)
                        }
                    }
                    SIMDMath.store(best, y + out + j)
                    UnsafeMutableRawPointer(offsets + out + j).storeBytes(of: at, as: SIMD8<Int32>.self)
                }
            }
        }
    }

    /// 2x2 windows with stride 2: each output compares a, b (top row) and c, d (bottom row) as a
    /// small tournament whose strict comparisons keep the first maximum in row-major order (and
    /// the last NaN, as the sequential scan does), eight outputs at a time.
    static func maxHalvingForward(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ positions: UnsafeMutablePointer<UInt8>,
        _ planes: Range<Int>, _ g: PoolGeometry
    ) {
        let ow = g.outWidth, w = g.width
        if ow < 8 { return maxHalvingForwardNarrow(x, y, positions, planes, g) }
        for plane in planes {
            for i in 0..<g.outHeight {
                let top = x + plane * g.inputPlane + 2 * i * w, bottom = top + w
                let out = (plane * g.outHeight + i) * ow
                let yr = y + out, pr = positions + out
                // A row's last block ends at its last output, overlapping the one before when the
                // row is not a multiple of 8 long: those outputs are written twice, with the same
                // values, instead of one at a time (0.36 -> 0.07 ms for (64, 6, 28, 28)).
                var j = 0
                while j < ow {
                    let at = min(j, ow - 8)
                    let t = UnsafeRawPointer(top + 2 * at).loadUnaligned(as: SIMD16<Float>.self)
                    let u = UnsafeRawPointer(bottom + 2 * at).loadUnaligned(as: SIMD16<Float>.self)
                    storeMaximum(of: t.evenHalf, t.oddHalf, u.evenHalf, u.oddHalf, yr + at, pr + at)
                    j += 8
                }
            }
        }
    }

    /// `maxHalvingForward` for rows of fewer than 8 outputs (an 8x8 plane pooled to 4x4, where the
    /// one-at-a-time loop mispredicted its branches: 1.8 ms for (64, 128, 8, 8) against 0.08 ms for
    /// the same number of values in 16x16 planes). Eight consecutive outputs of a plane, across its
    /// rows, have their window inputs gathered through a table of offsets.
    static func maxHalvingForwardNarrow(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ positions: UnsafeMutablePointer<UInt8>,
        _ planes: Range<Int>, _ g: PoolGeometry
    ) {
        let ow = g.outWidth, w = g.width, count = g.outputPlane
        withUnsafeTemporaryAllocation(of: Int.self, capacity: count) { table in
            for k in 0..<count { table[k] = 2 * (k / ow) * w + 2 * (k % ow) }
            for plane in planes {
                let src = x + plane * g.inputPlane, yr = y + plane * count, pr = positions + plane * count
                // As in the wide rows, the last group ends at the plane's last output.
                var k = 0
                while k < count && count >= 8 {
                    let at = min(k, count - 8)
                    @inline(__always) func gather(_ shift: Int) -> SIMD8<Float> {
                        var v = SIMD8<Float>()
                        for l in 0..<8 { v[l] = src[table[at + l] + shift] }
                        return v
                    }
                    storeMaximum(of: gather(0), gather(1), gather(w), gather(w + 1), yr + at, pr + at)
                    k += 8
                }
                while k < count {
                    let at = src + table[k]
                    (yr[k], pr[k]) = maximum(of: at[0], at[1], at[w], at[w + 1])
                    k += 1
                }
            }
        }
    }

    /// The maxima of 8 windows whose inputs in row-major window order are a, b, c, d, and their
    /// positions (0 to 3): the first maximum, NaN winning, as PyTorch.
    @inline(__always)
    static func storeMaximum(of a: SIMD8<Float>, _ b: SIMD8<Float>, _ c: SIMD8<Float>, _ d: SIMD8<Float>,
                             _ y: UnsafeMutablePointer<Float>, _ position: UnsafeMutablePointer<UInt8>) {
        let takeB = (b .> a) .| (b .!= b), takeD = (d .> c) .| (d .!= d)
        let ab = a.replacing(with: b, where: takeB), cd = c.replacing(with: d, where: takeD)
        let takeCD = (cd .> ab) .| (cd .!= cd)
        SIMDMath.store(ab.replacing(with: cd, where: takeCD), y)
        let pab = SIMD8<Int32>(repeating: 0).replacing(with: 1, where: takeB)
        let pcd = SIMD8<Int32>(repeating: 2).replacing(with: 3, where: takeD)
        let p = SIMD8<UInt8>(truncatingIfNeeded: pab.replacing(with: pcd, where: takeCD))
        UnsafeMutableRawPointer(position).storeBytes(of: p, as: SIMD8<UInt8>.self)
    }

    /// `storeMaximum` for one window.
    @inline(__always)
    static func maximum(of a: Float, _ b: Float, _ c: Float, _ d: Float) -> (Float, UInt8) {
        let takeB = b > a || b != b, takeD = d > c || d != d
        let ab = takeB ? b : a, cd = takeD ? d : c
        let takeCD = cd > ab || cd != cd
        return (takeCD ? cd : ab, takeCD ? (takeD ? 3 : 2) : (takeB ? 1 : 0))
    }

    /// Writes every input of the planes once: the gradient where the maximum was, zero elsewhere
    /// (including an odd last row or column that no window covers), so no zero fill comes first.
    static func maxHalvingBackward(
        _ dy: UnsafePointer<Float>, _ positions: UnsafePointer<UInt8>, _ dx: UnsafeMutablePointer<Float>,
        _ planes: Range<Int>, _ g: PoolGeometry, _ accumulate: Bool
    ) {
        let ow = g.outWidth, w = g.width
        for plane in planes {
            let base = dx + plane * g.inputPlane
            for i in 0..<g.outHeight {
                let top = base + 2 * i * w, bottom = top + w
                let out = (plane * g.outHeight + i) * ow
                let gr = dy + out, pr = positions + out
                if accumulate {
                    for j in 0..<ow {
                        let v = gr[j], p = pr[j]
                        top[2 * j] += p == 0 ? v : 0
                        top[2 * j + 1] += p == 1 ? v : 0
                        bottom[2 * j] += p == 2 ? v : 0
                        bottom[2 * j + 1] += p == 3 ? v : 0
                    }
                } else {
                    for j in 0..<ow {
                        let v = gr[j], p = pr[j]
                        top[2 * j] = p == 0 ? v : 0
                        top[2 * j + 1] = p == 1 ? v : 0
                        bottom[2 * j] = p == 2 ? v : 0
                        bottom[2 * j + 1] = p == 3 ? v : 0
                    }
                    if w > 2 * ow {
                        top[w - 1] = 0
                        bottom[w - 1] = 0
                    }
                }
            }
            if !accumulate && g.height > 2 * g.outHeight {
                (base + (g.height - 1) * w).update(repeating: 0, count: w)
            }
        }
    }

    /// y = the mean over each window, the padding counted as zeros (count_include_pad).
    public static func averageForward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, geometry g: PoolGeometry) {
        let divisor = divisor(g), sw = g.window.strideW, kw = g.window.kernelW, width = g.width
        g.forEachPlaneChunk { planes in
            for plane in planes {
                let src = x + plane * g.inputPlane
                for i in 0..<g.outHeight {
                    let rows = g.rows(i), out = y + (plane * g.outHeight + i) * g.outWidth
                    g.forEachColumnBlock { j, lanes in
                        if lanes == 1 {
                            var sum: Float = 0
                            for h in rows {
                                for w in g.columns(j) { sum += src[h * width + w] }
                            }
                            out[j] = sum / divisor
                            return
                        }
                        let w0 = j * sw - g.window.padW
                        var sum = SIMD8<Float>()
                        for h in rows {
                            for kj in 0..<kw { sum += SIMDMath.load(src + h * width + w0 + kj, stride: sw) }
                        }
                        SIMDMath.store(sum / divisor, out + j)
                    }
                }
            }
        }
    }

    /// dx (=|+=) each output's gradient divided among its window.
    public static func averageBackward(dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, geometry g: PoolGeometry, accumulate: Bool) {
        let divisor = divisor(g), sw = g.window.strideW, kw = g.window.kernelW, width = g.width
        g.forEachPlaneChunk { planes in
            // Windows may overlap or miss inputs, so each plane is a sum that starts at zero.
            if !accumulate {
                (dx + planes.lowerBound * g.inputPlane).update(repeating: 0, count: planes.count * g.inputPlane)
            }
            for plane in planes {
                let dst = dx + plane * g.inputPlane
                for i in 0..<g.outHeight {
                    let rows = g.rows(i), src = dy + (plane * g.outHeight + i) * g.outWidth
                    g.forEachColumnBlock { j, lanes in
                        if lanes == 1 {
                            let share = src[j] / divisor
                            for h in rows {
                                for w in g.columns(j) { dst[h * width + w] += share }
                            }
                            return
                        }
                        let w0 = j * sw - g.window.padW
                        let share = SIMDMath.load(src + j) / divisor
                        for h in rows {
                            for kj in 0..<kw { SIMDMath.add(share, into: dst + h * width + w0 + kj, stride: sw) }
                        }
                    }
                }
            }
        }
    }

    /// PyTorch's divisor with count_include_pad is the window clipped to the padded input; with
    /// ceil_mode false no window reaches past the padding, so it is always kh kw.
    static func divisor(_ g: PoolGeometry) -> Float { Float(g.window.kernelH * g.window.kernelW) }
}
