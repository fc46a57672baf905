/// Sums over axes (the backward of broadcasting, `sum`, `mean`, a bias gradient) and argmax.
public enum Reduction {
    /// dst (=|+=) scale * x summed over the axes along which operand `a` of `layout` is broadcast;
    /// x has the layout's full shape, dst the shape of `a`. (Operand `b` is not used.)
    public static func sum(_ x: UnsafePointer<Float>, layout: BroadcastLayout, into dst: UnsafeMutablePointer<Float>,
                           scale: Float, accumulate: Bool) {
        // After merging, a reduction that keeps at most one block of axes is [outer, kept, inner].
        var kept = -1, keptBlocks = 0
        for d in 0..<layout.rank where layout.aVaries(d) { kept = d; keptBlocks += 1 }
        if keptBlocks == 0 {
            sum(x, outer: 1, kept: 1, inner: layout.count, into: dst, scale: scale, accumulate: accumulate)
            return
        }
        if keptBlocks == 1 {
            var outer = 1, inner = 1
            for d in 0..<kept { outer *= layout.size(d) }
            for d in (kept + 1)..<layout.rank { inner *= layout.size(d) }
            sum(x, outer: outer, kept: layout.size(kept), inner: inner, into: dst, scale: scale, accumulate: accumulate)
            return
        }
        sumGeneral(x, layout: layout, into: dst, scale: scale, accumulate: accumulate)
    }

    /// dst[k] (=|+=) scale * Σ_{o, i} x[o, k, i], with x viewed as [outer, kept, inner].
    /// [1, C, 1] is a scaled copy, [N, C, 1] a column sum (a bias gradient), [N, C, HW] a
    /// per-channel sum, [1, 1, n] a total.
    public static func sum(_ x: UnsafePointer<Float>, outer: Int, kept: Int, inner: Int,
                           into dst: UnsafeMutablePointer<Float>, scale: Float, accumulate: Bool) {
        if kept == 1 {
            let total = scale * sum(x, count: outer * inner)
            dst[0] = accumulate ? dst[0] + total : total
        } else if outer == 1 && inner == 1 {  // nothing to sum: a scaled copy
            if scale == 1 {
                Elementwise.copy(x, into: dst, count: kept, accumulate: accumulate)
            } else {
                Arithmetic.binary(.multiply, x, scalar: scale, dst, count: kept, accumulate: accumulate)
            }
        } else if inner == 1 {
            sumColumns(x, rows: outer, columns: kept, into: dst, scale: scale, accumulate: accumulate)
        } else {
            Parallel.forEachChunk(kept, grain: max(1, 16_384 / (outer * inner))) { range in
                for k in range {
                    var s: Float = 0
                    for o in 0..<outer { s += VectorMath.sum(x + (o * kept + k) * inner, count: inner) }
                    dst[k] = accumulate ? dst[k] + scale * s : scale * s
                }
            }
        }
    }

    /// The sum of `count` contiguous floats; large sums are split across the cores (into a fixed
    /// number of parts for a given thread count, so the result is reproducible).
    public static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        let parts = min(Parallel.threadCount, count / 65_536)
        if parts <= 1 { return VectorMath.sum(x, count: count) }
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: parts) { partial in
            let partial = partial.baseAddress!
            Parallel.forEach(parts) { t in
                let lo = count * t / parts, hi = count * (t + 1) / parts
                partial[t] = VectorMath.sum(x + lo, count: hi - lo)
            }
            var s: Float = 0
            for t in 0..<parts { s += partial[t] }
            return s
        }
    }

    /// Σ over `count` items of `term(range)`, each range summed by the caller in Double; large
    /// counts are split across the cores into a fixed number of parts. For the losses' totals.
    @inline(__always)
    public static func sum(count: Int, _ term: (Range<Int>) -> Double) -> Double {
        let parts = min(Parallel.threadCount, count / 32_768)
        if parts <= 1 { return count > 0 ? term(0..<count) : 0 }
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: parts) { partial in
            let partial = partial.baseAddress!
            Parallel.forEach(parts) { t in partial[t] = term((count * t / parts)..<(count * (t + 1) / parts)) }
            var s = 0.0
            for t in 0..<parts { s += partial[t] }
            return s
        }
    }

    /// dst[c] (=|+=) scale * Σ_r x[r, c]: rows added into a block of running column sums that
    /// stays in L1, blocks split across the cores.
    private static func sumColumns(_ x: UnsafePointer<Float>, rows: Int, columns: Int,
                                   into dst: UnsafeMutablePointer<Float>, scale: Float, accumulate: Bool) {
        let width = 512
        let blocks = (columns + width - 1) / width
        Parallel.forEachChunk(blocks, grain: max(1, 16_384 / (max(rows, 1) * width))) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: width) { buffer in
                let acc = buffer.baseAddress!
                for block in range {
                    let c0 = block * width, w = min(width, columns - c0)
                    acc.update(from: x + c0, count: w)
                    for r in 1..<max(rows, 1) {
                        let row = x + r * columns + c0
                        for j in 0..<w { acc[j] += row[j] }
                    }
                    if rows == 0 { acc.update(repeating: 0, count: w) }
                    let d = dst + c0
                    if accumulate {
                        for j in 0..<w { d[j] += scale * acc[j] }
                    } else {
                        for j in 0..<w { d[j] = scale * acc[j] }
                    }
                }
            }
        }
    }

    /// Reductions that keep two or more separate blocks of axes (rare): zero the destination,
    /// then add each row of x into it. One thread.
    private static func sumGeneral(_ x: UnsafePointer<Float>, layout: BroadcastLayout, into dst: UnsafeMutablePointer<Float>,
                                   scale: Float, accumulate: Bool) {
        var dstCount = 1
        for d in 0..<layout.rank where layout.aVaries(d) { dstCount *= layout.size(d) }
        if !accumulate { dst.update(repeating: 0, count: dstCount) }
        let n = layout.rank
        let inner = layout.size(n - 1), innerKept = layout.aVaries(n - 1)
        let strides = layout.strides(ofA: true)
        var index = SIMD8<Int>(repeating: 0)
        var offset = 0
        for r in 0..<(layout.count / inner) {
            let row = x + r * inner
            if innerKept {
                for j in 0..<inner { dst[offset + j] += scale * row[j] }
            } else {
                dst[offset] += scale * VectorMath.sum(row, count: inner)
            }
            var d = n - 2
            while d >= 0 {
                index[d] += 1
                offset += strides[d]
                if index[d] < layout.size(d) { break }
                offset -= strides[d] * index[d]
                index[d] = 0
                d -= 1
            }
        }
    }

    /// The index of the largest element along the middle axis of x viewed as [outer, n, inner],
    /// for each (outer, inner) pair; the first one on ties, NaN counting as largest (as PyTorch).
    public static func argmax(_ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int,
                              into result: UnsafeMutablePointer<Int32>) {
        precondition(n >= 1, "[argmax] empty axis")
        for o in 0..<outer {
            for i in 0..<inner {
                let base = x + o * n * inner + i
                var best = 0
                var bestValue = base[0]
                if !bestValue.isNaN {
                    for k in 1..<n {
                        let v = base[k * inner]
                        if v > bestValue || v.isNaN {
                            best = k
                            bestValue = v
                            if v.isNaN { break }
                        }
                    }
                }
                result[o * inner + i] = Int32(best)
            }
        }
    }
}
