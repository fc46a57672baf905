// Batch normalisation of [N, C] features (BatchNorm1d after a linear layer): every channel has one
// value per row, so walking a channel down the batch reads one float per C-float stride (the
// per-channel loops in Normalization.swift took 0.87 ms forward on (128, 1024) where PyTorch
// takes 0.08). These kernels walk the rows instead, 8 channels per vector, with a Double
// accumulator per channel for the sums. Each channel's values are added in the same order and
// with the same roundings as the per-channel loops, so the results are bit for bit theirs.

extension BatchNorm {
    /// `statistics` for spatial size 1.
    static func rowStatistics(
        x: UnsafePointer<Float>, rows n: Int, channels c: Int,
        mean: UnsafeMutablePointer<Double>, sumSquares: UnsafeMutablePointer<Double>
    ) {
        let m = UncheckedSendable(mean), q = UncheckedSendable(sumSquares)
        forEachChannelBand(rows: n, channels: c) { band in
            let mu = m.value + band.lowerBound, squares = q.value + band.lowerBound
            let columns = x + band.lowerBound, width = band.count
            // Σ x: each channel's values in row order, in Double.
            mu.update(repeating: 0, count: width)
            for r in 0..<n { addRow(columns + r * c, width, into: mu) }
            for j in 0..<width { mu[j] /= Double(n) }
            // Σ (x - mean)², with the mean as a Float centre plus the low-order part it dropped.
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * width) { scratch in
                let centre = scratch.baseAddress!, low = centre + width
                for j in 0..<width {
                    centre[j] = Float(mu[j])
                    low[j] = Float(mu[j] - Double(centre[j]))
                }
                squares.update(repeating: 0, count: width)
                for r in 0..<n {
                    let row = columns + r * c
                    addRow(width, into: squares,
                           vector: { j in let d = (SIMDMath.load(row + j) - SIMDMath.load(centre + j)) - SIMDMath.load(low + j); return d * d },
                           scalar: { j in let d = (row[j] - centre[j]) - low[j]; return d * d })
                }
            }
        }
    }

    /// `normalize` for spatial size 1: y = (x - mean[c]) · alpha[c] + bias[c] row by row.
    static func normalizeRows(
        x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, rows n: Int, channels c: Int,
        mean: UnsafePointer<Float>, alpha: UnsafePointer<Float>, bias: UnsafePointer<Float>?
    ) {
        withConstant(0, unless: bias, channels: c) { shift in
            forEachRow(rows: n, channels: c) { r in
                let src = x + r * c
                storeRow(y + r * c, c, accumulate: false,
                         vector: { j in (SIMDMath.load(src + j) - SIMDMath.load(mean + j)) * SIMDMath.load(alpha + j) + SIMDMath.load(shift + j) },
                         scalar: { j in (src[j] - mean[j]) * alpha[j] + shift[j] })
            }
        }
    }

    /// `gradientSums` for spatial size 1.
    static func rowGradientSums(
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>, mean: UnsafePointer<Float>, rows n: Int, channels c: Int,
        sumDy: UnsafeMutablePointer<Double>, sumDyCentered: UnsafeMutablePointer<Double>
    ) {
        let s1 = UncheckedSendable(sumDy), s2 = UncheckedSendable(sumDyCentered)
        forEachChannelBand(rows: n, channels: c) { band in
            let lo = band.lowerBound, width = band.count
            let total = s1.value + lo, centred = s2.value + lo, mu = mean + lo
            total.update(repeating: 0, count: width)
            centred.update(repeating: 0, count: width)
            for r in 0..<n {
                let g = dy + r * c + lo, src = x + r * c + lo
                addRow(g, width, into: total)
                addRow(width, into: centred,
                       vector: { j in SIMDMath.load(g + j) * (SIMDMath.load(src + j) - SIMDMath.load(mu + j)) },
                       scalar: { j in g[j] * (src[j] - mu[j]) })
            }
        }
    }

    /// `inputGradient` for spatial size 1: (dy - gradMean[c] - (x - mean[c]) · k[c]) · invstd[c] · w[c]
    /// in training, dy · invstd[c] · w[c] in evaluation, row by row.
    static func rowInputGradient(
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, rows n: Int, channels c: Int,
        mean: UnsafePointer<Float>, invstd: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
        gradMean: UnsafePointer<Float>?, k: UnsafePointer<Float>?, accumulate: Bool
    ) {
        withConstant(1, unless: weight, channels: c) { w in
            forEachRow(rows: n, channels: c) { r in
                let g = dy + r * c, src = x + r * c
                if let gradMean, let k {
                    storeRow(dx + r * c, c, accumulate: accumulate,
                             vector: { j in
                                 (SIMDMath.load(g + j) - SIMDMath.load(gradMean + j) - (SIMDMath.load(src + j) - SIMDMath.load(mean + j)) * SIMDMath.load(k + j))
                                     * SIMDMath.load(invstd + j) * SIMDMath.load(w + j)
                             },
                             scalar: { j in (g[j] - gradMean[j] - (src[j] - mean[j]) * k[j]) * invstd[j] * w[j] })
                } else {
                    storeRow(dx + r * c, c, accumulate: accumulate,
                             vector: { j in SIMDMath.load(g + j) * SIMDMath.load(invstd + j) * SIMDMath.load(w + j) },
                             scalar: { j in g[j] * invstd[j] * w[j] })
                }
            }
        }
    }

    // MARK: - Helpers

    /// Runs `body` over bands of channels, one per thread when there is enough work; band starts
    /// are multiples of 16 so that no two threads write one cache line of the per-channel sums.
    static func forEachChannelBand(rows n: Int, channels c: Int, _ body: (Range<Int>) -> Void) {
        let threads = n * c >= 32_768 ? Parallel.threadCount : 1
        let bands = Parallel.chunks(c, parts: threads, alignment: 16)
        Parallel.forEach(bands.count) { body(bands[$0]) }
    }

    /// Runs `body(row)` for every row, rows split across the cores when there is enough work.
    static func forEachRow(rows n: Int, channels c: Int, _ body: (Int) -> Void) {
        Parallel.forEachChunk(n, grain: max(1, 16_384 / max(c, 1))) { rows in
            for r in rows { body(r) }
        }
    }

    /// acc[j] += Double(row[j]) for the `width` values of a row.
    @inline(__always)
    static func addRow(_ row: UnsafePointer<Float>, _ width: Int, into acc: UnsafeMutablePointer<Double>) {
        addRow(width, into: acc, vector: { SIMDMath.load(row + $0) }, scalar: { row[$0] })
    }

    /// acc[j] += Double(term) for j in 0..<width, where `vector(j)` gives the Float terms j ..< j + 8
    /// and `scalar(j)` term j alone: each term is rounded to Float first, then added in Double.
    @inline(__always)
    static func addRow(_ width: Int, into acc: UnsafeMutablePointer<Double>,
                       vector: (Int) -> SIMD8<Float>, scalar: (Int) -> Float) {
        var j = 0
        while j + 8 <= width {
            let p = UnsafeMutableRawPointer(acc + j)
            p.storeBytes(of: p.loadUnaligned(as: SIMD8<Double>.self) + SIMD8<Double>(vector(j)), as: SIMD8<Double>.self)
            j += 8
        }
        while j < width { acc[j] += Double(scalar(j)); j += 1 }
    }

    /// dst[j] (=|+=) the terms j = 0 ..< width, `vector(j)` giving terms j ..< j + 8 and `scalar(j)` one.
    @inline(__always)
    static func storeRow(_ dst: UnsafeMutablePointer<Float>, _ width: Int, accumulate: Bool,
                         vector: (Int) -> SIMD8<Float>, scalar: (Int) -> Float) {
        var j = 0
        while j + 8 <= width {
            SIMDMath.store(accumulate ? SIMDMath.load(dst + j) + vector(j) : vector(j), dst + j)
            j += 8
        }
        while j < width { dst[j] = accumulate ? dst[j] + scalar(j) : scalar(j); j += 1 }
    }

    /// Calls `body` with `values`, or with C copies of `constant` when it is nil (an absent bias or
    /// weight), so that the row loops need no branch per element.
    static func withConstant<R>(_ constant: Float, unless values: UnsafePointer<Float>?, channels c: Int,
                                _ body: (UnsafePointer<Float>) -> R) -> R {
        if let values { return body(values) }
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: c) { filled in
            filled.initialize(repeating: constant)
            return body(filled.baseAddress!)
        }
    }
}
