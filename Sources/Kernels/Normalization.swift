/// A contiguous [N, C, S] tensor seen per channel: S = H W for images, 1 for [N, C] features.
/// Channel c's elements are N strips of S consecutive values.
public struct ChannelLayout: Sendable, Hashable {
    public var batch, channels, spatial: Int

    public init(batch: Int, channels: Int, spatial: Int) {
        self.batch = batch
        self.channels = channels
        self.spatial = spatial
    }

    /// Values per channel: N S.
    public var perChannel: Int { batch * spatial }

    /// Runs `body` over ranges of channels, split across the cores when there is enough work.
    func forEachChannelChunk(_ body: (Range<Int>) -> Void) {
        Parallel.forEachChunk(channels, grain: max(1, 32_768 / max(1, perChannel)), body)
    }
}

/// Batch normalisation kernels with PyTorch's CPU arithmetic: statistics summed in Double,
/// two-pass variance, and the training gradient (dy - mean(dy) - (x - mean) · k) · invstd · w with
/// k = Σ dy (x - mean) · invstd² / (N S). The output is (x - mean) · alpha + b with
/// alpha = invstd · w: PyTorch writes x · alpha + (b - mean · alpha), which its compiler fuses
/// into one rounding; unfused, that form loses digits when the mean is large against the spread
/// (data at 100 ± 0.1 was off by 2e-4), while x - mean is exact there. [N, C] features (spatial
/// size 1) go row by row instead of channel by channel (Normalization+Rows.swift), with the same
/// arithmetic.
public enum BatchNorm {
    /// mean[c] and sumSquares[c] = Σ (x - mean[c])² over the batch and positions of channel c.
    public static func statistics(
        x: UnsafePointer<Float>, layout l: ChannelLayout,
        mean: UnsafeMutablePointer<Double>, sumSquares: UnsafeMutablePointer<Double>
    ) {
        if l.spatial == 1 { return rowStatistics(x: x, rows: l.batch, channels: l.channels, mean: mean, sumSquares: sumSquares) }
        let m = UncheckedSendable(mean), q = UncheckedSendable(sumSquares)
        l.forEachChannelChunk { channels in
            for c in channels {
                var sum = 0.0
                for n in 0..<l.batch { sum += stripSum(x + (n * l.channels + c) * l.spatial, count: l.spatial) }
                let mu = sum / Double(l.perChannel), centre = Float(mu)
                var squares = 0.0
                for n in 0..<l.batch {
                    squares += stripSquares(x + (n * l.channels + c) * l.spatial, centre: centre, lowOrder: Float(mu - Double(centre)), count: l.spatial)
                }
                m.value[c] = mu
                q.value[c] = squares
            }
        }
    }

    /// y = (x - mean[c]) · alpha[c] + bias[c].
    public static func normalize(
        x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, layout l: ChannelLayout,
        mean: UnsafePointer<Float>, alpha: UnsafePointer<Float>, bias: UnsafePointer<Float>?
    ) {
        if l.spatial == 1 { return normalizeRows(x: x, y: y, rows: l.batch, channels: l.channels, mean: mean, alpha: alpha, bias: bias) }
        l.forEachChannelChunk { channels in
            for n in 0..<l.batch {
                for c in channels {
                    let mu = mean[c], a = alpha[c], b = bias?[c] ?? 0, offset = (n * l.channels + c) * l.spatial
                    let src = x + offset, dst = y + offset
                    for s in 0..<l.spatial { dst[s] = (src[s] - mu) * a + b }
                }
            }
        }
    }

    /// sumDy[c] = Σ dy and sumDyCentered[c] = Σ dy (x - mean[c]) over the batch and positions.
    public static func gradientSums(
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>, mean: UnsafePointer<Float>, layout l: ChannelLayout,
        sumDy: UnsafeMutablePointer<Double>, sumDyCentered: UnsafeMutablePointer<Double>
    ) {
        if l.spatial == 1 {
            return rowGradientSums(dy: dy, x: x, mean: mean, rows: l.batch, channels: l.channels, sumDy: sumDy, sumDyCentered: sumDyCentered)
        }
        let s1 = UncheckedSendable(sumDy), s2 = UncheckedSendable(sumDyCentered)
        l.forEachChannelChunk { channels in
            for c in channels {
                var total = 0.0, centred = 0.0
                for n in 0..<l.batch {
                    let offset = (n * l.channels + c) * l.spatial
                    total += stripSum(dy + offset, count: l.spatial)
                    centred += stripDot(dy + offset, x + offset, centre: mean[c], count: l.spatial)
                }
                s1.value[c] = total
                s2.value[c] = centred
            }
        }
    }

    /// dx (=|+=) the input gradient. In training mode (`gradMean` and `k` given, from
    /// `gradientSums`) dx = (dy - gradMean[c] - (x - mean[c]) · k[c]) · invstd[c] · w[c]; in
    /// evaluation mode the statistics are constants and dx = dy · invstd[c] · w[c].
    public static func inputGradient(
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, layout l: ChannelLayout,
        mean: UnsafePointer<Float>, invstd: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
        gradMean: UnsafePointer<Float>?, k: UnsafePointer<Float>?, accumulate: Bool
    ) {
        if l.spatial == 1 {
            return rowInputGradient(dy: dy, x: x, dx: dx, rows: l.batch, channels: l.channels, mean: mean, invstd: invstd,
                                    weight: weight, gradMean: gradMean, k: k, accumulate: accumulate)
        }
        l.forEachChannelChunk { channels in
            for n in 0..<l.batch {
                for c in channels {
                    let offset = (n * l.channels + c) * l.spatial
                    let g = dy + offset, src = x + offset, dst = dx + offset
                    let w = weight?[c] ?? 1, istd = invstd[c]
                    if let gradMean, let k {
                        let mu = mean[c], gm = gradMean[c], kc = k[c]
                        if accumulate {
                            for s in 0..<l.spatial { dst[s] += (g[s] - gm - (src[s] - mu) * kc) * istd * w }
                        } else {
                            for s in 0..<l.spatial { dst[s] = (g[s] - gm - (src[s] - mu) * kc) * istd * w }
                        }
                    } else {
                        if accumulate {
                            for s in 0..<l.spatial { dst[s] += g[s] * istd * w }
                        } else {
                            for s in 0..<l.spatial { dst[s] = g[s] * istd * w }
                        }
                    }
                }
            }
        }
    }

    // Strips are summed in blocks of 128 with 8 Float lanes (16 additions per lane), the blocks
    // in Double: Float's reassociated sums stay exact to a few ulps, Double carries the total.

    static func stripSum(_ p: UnsafePointer<Float>, count: Int) -> Double {
        var total = 0.0, i = 0
        while i < count {
            let end = min(count, i + 128)
            var acc = SIMD8<Float>()
            while i + 8 <= end { acc += SIMDMath.load(p + i); i += 8 }
            var s = Double(acc.sum())
            while i < end { s += Double(p[i]); i += 1 }
            total += s
        }
        return total
    }

    /// Σ (p - mean)², with the mean given as a Float centre plus the low-order part it dropped.
    static func stripSquares(_ p: UnsafePointer<Float>, centre: Float, lowOrder: Float, count: Int) -> Double {
        var total = 0.0, i = 0
        while i < count {
            let end = min(count, i + 128)
            var acc = SIMD8<Float>()
            while i + 8 <= end {
                let d = (SIMDMath.load(p + i) - centre) - lowOrder
                acc += d * d
                i += 8
            }
            var s = Double(acc.sum())
            while i < end { let d = (p[i] - centre) - lowOrder; s += Double(d * d); i += 1 }
            total += s
        }
        return total
    }

    /// Σ dy (x - centre).
    static func stripDot(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, centre: Float, count: Int) -> Double {
        var total = 0.0, i = 0
        while i < count {
            let end = min(count, i + 128)
            var acc = SIMD8<Float>()
            while i + 8 <= end { acc += SIMDMath.load(dy + i) * (SIMDMath.load(x + i) - centre); i += 8 }
            var s = Double(acc.sum())
            while i < end { s += Double(dy[i] * (x[i] - centre)); i += 1 }
            total += s
        }
        return total
    }
}
