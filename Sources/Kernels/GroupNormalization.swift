/// A contiguous [N, C, S] tensor normalised per sample over groups of channels: channels
/// g Cg ..< (g + 1) Cg of sample n, with all their S positions, are one row of Cg S consecutive
/// values. Layer normalisation is the case of one group whose "channels" are the normalised
/// elements (Cg = their count, S = 1), so both share these kernels.
public struct GroupLayout: Sendable, Hashable {
    public var batch, groups, channelsPerGroup, spatial: Int

    public init(batch: Int, groups: Int, channelsPerGroup: Int, spatial: Int) {
        self.batch = batch
        self.groups = groups
        self.channelsPerGroup = channelsPerGroup
        self.spatial = spatial
    }

    /// The rows normalised separately: N G.
    public var rows: Int { batch * groups }
    /// Values per row: Cg S.
    var rowLength: Int { channelsPerGroup * spatial }
    public var channels: Int { groups * channelsPerGroup }

    func forEachRowChunk(_ body: (Range<Int>) -> Void) {
        Parallel.forEachChunk(rows, grain: max(1, 16_384 / max(1, rowLength)), body)
    }
}

/// Group and layer normalisation with PyTorch's definitions: each row's mean and biased variance
/// (summed in Double, two passes), y = (x - mean) rstd w[c] + b[c] with rstd = 1/sqrt(var + eps),
/// and the weight and bias per channel (per normalised element for layer norm). The backward is
/// dx = rstd (w dy - mean(w dy) - x̂ mean(w dy x̂)) over the row, with x̂ = (x - mean) rstd.
///
/// Rows are short (a layer's features), so the mean is computed with care: a first estimate, then
/// the mean of the differences from it (exact subtractions, summed in Double), kept as two floats,
/// its rounding and what the rounding lost, with x - mean taken as (x - high) - low. For data far
/// from zero against its spread (100 ± 0.1 over 8 values) a float sum of the row moved x̂ by 1e-4,
/// which the gradients showed (1.5e-4 off the float64 result; PyTorch's float kernels are 2e-4 off).
public enum GroupNorm {
    /// The mean of `count` floats to about Double precision.
    static func mean(_ x: UnsafePointer<Float>, count: Int) -> Double {
        let estimate = Float(BatchNorm.stripSum(x, count: count) / Double(count))
        var correction = 0.0
        for i in 0..<count { correction += Double(x[i] - estimate) }
        return Double(estimate) + correction / Double(count)
    }

    /// y, and each row's mean (high and low parts) and rstd for the backward.
    public static func forward(
        x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, layout l: GroupLayout, eps: Float,
        weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
        mean: UnsafeMutablePointer<Float>, meanLow: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>
    ) {
        let m = UncheckedSendable(mean), lo = UncheckedSendable(meanLow), r = UncheckedSendable(rstd)
        let n = l.rowLength
        l.forEachRowChunk { rows in
            for row in rows {
                let src = x + row * n, dst = y + row * n
                let mu = Self.mean(src, count: n), centre = Float(mu), low = Float(mu - Double(centre))
                let squares = BatchNorm.stripSquares(src, centre: centre, lowOrder: low, count: n)
                let inv = Float(1 / (squares / Double(n) + Double(eps)).squareRoot())
                m.value[row] = centre
                lo.value[row] = low
                r.value[row] = inv
                let firstChannel = (row % l.groups) * l.channelsPerGroup
                for k in 0..<l.channelsPerGroup {
                    let c = firstChannel + k, a = inv * (weight?[c] ?? 1), b = bias?[c] ?? 0
                    let s = src + k * l.spatial, d = dst + k * l.spatial
                    for p in 0..<l.spatial { d[p] = ((s[p] - centre) - low) * a + b }
                }
            }
        }
    }

    /// dx (=|+=) the gradient through the row statistics.
    public static func inputGradient(
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, layout l: GroupLayout,
        mean: UnsafePointer<Float>, meanLow: UnsafePointer<Float>, rstd: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
        accumulate: Bool
    ) {
        let n = l.rowLength
        l.forEachRowChunk { rows in
            for row in rows {
                let g = dy + row * n, v = x + row * n, d = dx + row * n
                let mu = mean[row], low = meanLow[row], inv = rstd[row]
                let firstChannel = (row % l.groups) * l.channelsPerGroup
                // Σ w dy and Σ w dy (x - mean) over the row.
                var sumDy = 0.0, sumDyCentred = 0.0
                for k in 0..<l.channelsPerGroup {
                    let w = Double(weight?[firstChannel + k] ?? 1), offset = k * l.spatial
                    let dySum = BatchNorm.stripSum(g + offset, count: l.spatial)
                    sumDy += w * dySum
                    sumDyCentred += w * (BatchNorm.stripDot(g + offset, v + offset, centre: mu, count: l.spatial) - Double(low) * dySum)
                }
                let meanDy = Float(sumDy / Double(n))
                // x̂ mean(w dy x̂) = (x - mean) rstd² mean(w dy (x - mean)).
                let k2 = Float(sumDyCentred / Double(n)) * inv * inv
                for k in 0..<l.channelsPerGroup {
                    let w = weight?[firstChannel + k] ?? 1, offset = k * l.spatial
                    for p in offset..<(offset + l.spatial) {
                        let value = inv * (w * g[p] - meanDy - ((v[p] - mu) - low) * k2)
                        if accumulate { d[p] += value } else { d[p] = value }
                    }
                }
            }
        }
    }

    /// dWeight[c] (=|+=) Σ dy x̂ and dBias[c] (=|+=) Σ dy over the samples and positions of channel c.
    public static func parameterGradients(
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>, layout l: GroupLayout, mean: UnsafePointer<Float>,
        meanLow: UnsafePointer<Float>, rstd: UnsafePointer<Float>, dWeight: UnsafeMutablePointer<Float>?,
        dBias: UnsafeMutablePointer<Float>?, accumulate: Bool
    ) {
        let w = UncheckedSendable(dWeight), b = UncheckedSendable(dBias)
        Parallel.forEachChunk(l.channels, grain: max(1, 16_384 / max(1, l.batch * l.spatial))) { channels in
            for c in channels {
                let group = c / l.channelsPerGroup
                var sumDy = 0.0, sumDyHat = 0.0
                for sample in 0..<l.batch {
                    let row = sample * l.groups + group, offset = (sample * l.channels + c) * l.spatial
                    let dySum = BatchNorm.stripSum(dy + offset, count: l.spatial)
                    sumDy += dySum
                    let centred = BatchNorm.stripDot(dy + offset, x + offset, centre: mean[row], count: l.spatial) - Double(meanLow[row]) * dySum
                    sumDyHat += centred * Double(rstd[row])
                }
                if let dw = w.value { dw[c] = accumulate ? dw[c] + Float(sumDyHat) : Float(sumDyHat) }
                if let db = b.value { db[c] = accumulate ? db[c] + Float(sumDy) : Float(sumDy) }
            }
        }
    }
}
