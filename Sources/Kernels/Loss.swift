#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loss functions with mean reduction, forward and backward, following PyTorch's formulas
/// (aten/src/ATen/native/Loss.cpp and LossNLL.cpp). Totals are accumulated in Double.
public enum Loss {
    // MARK: - Cross-entropy and NLL over [rows, classes] with class-index targets

    /// Σ_i w[y_i] (or the row count without weights): the denominator of PyTorch's weighted mean.
    static func targetWeightSum(targets: UnsafePointer<Int32>, rows: Int, weights: UnsafePointer<Float>?) -> Float {
        guard let weights else { return Float(rows) }
        var s: Float = 0
        for i in 0..<rows { s += weights[Int(targets[i])] }
        return s
    }

    /// PyTorch's cross_entropy(logits, targets, weight, label_smoothing) with mean reduction:
    ///   (1 - ε) Σ_i w[y_i] (-logp[i, y_i]) / W  +  (ε / C) Σ_i Σ_c w[c] (-logp[i, c]) / W,
    /// logp = log_softmax(logits), W = Σ_i w[y_i], w = 1 without weights; the smoothing term is
    /// divided by W too, as in cross_entropy_loss_label_smoothing (LossNLL.cpp).
    /// Writes each row's max and log Σ e^(x - max) into `rowStats` (2 per row) for the backward.
    public static func crossEntropy(_ logits: UnsafePointer<Float>, rows: Int, classes: Int, targets: UnsafePointer<Int32>,
                                    weights: UnsafePointer<Float>?, labelSmoothing: Float,
                                    rowStats: UnsafeMutablePointer<Float>) -> Float {
        let c = classes
        let parts = Reduction.sum(count: rows) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: c) { scratch in
                let e = scratch.baseAddress!
                var total = 0.0
                for i in range {
                    let x = logits + i * c
                    let m = VectorMath.max(x, count: c)
                    for j in 0..<c { e[j] = VectorMath.exp(x[j] - m) }
                    let logSum = logf(VectorMath.sum(e, count: c))
                    rowStats[2 * i] = m
                    rowStats[2 * i + 1] = logSum
                    let y = Int(targets[i])
                    let wy = weights?[y] ?? 1
                    total += Double(1 - labelSmoothing) * Double(wy) * Double(-((x[y] - m) - logSum))
                    if labelSmoothing != 0 {
                        var smooth = 0.0
                        for j in 0..<c { smooth += Double(weights?[j] ?? 1) * Double(-((x[j] - m) - logSum)) }
                        total += Double(labelSmoothing) / Double(c) * smooth
                    }
                }
                return total
            }
        }
        return Float(parts / Double(targetWeightSum(targets: targets, rows: rows, weights: weights)))
    }

    /// d loss / d logits times the upstream `gradient`:
    ///   (1 - ε) w[y_i] / W (p - onehot) + ε / (C W) (Σ_c w[c] p - w), p = softmax(logits),
    /// recomputed from the saved row statistics.
    public static func crossEntropyBackward(_ logits: UnsafePointer<Float>, rows: Int, classes: Int, targets: UnsafePointer<Int32>,
                                            weights: UnsafePointer<Float>?, labelSmoothing: Float,
                                            rowStats: UnsafePointer<Float>, gradient: Float,
                                            into dx: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let c = classes
        let weightSum = targetWeightSum(targets: targets, rows: rows, weights: weights)
        var classWeightSum = Float(c)
        if let weights { classWeightSum = VectorMath.sum(weights, count: c) }
        let smooth = gradient * labelSmoothing / (Float(c) * weightSum)
        Parallel.forEachChunk(rows, grain: max(1, 8_192 / c)) { range in
            for i in range {
                let x = logits + i * c, d = dx + i * c
                let (m, logSum) = (rowStats[2 * i], rowStats[2 * i + 1])
                let y = Int(targets[i])
                let hard = gradient * (1 - labelSmoothing) * (weights?[y] ?? 1) / weightSum
                let coefficient = hard + smooth * classWeightSum
                if let weights {
                    storeEach(0..<c, into: d, accumulate: accumulate) { j in
                        coefficient * VectorMath.exp((x[j] - m) - logSum) - smooth * weights[j]
                    }
                } else {
                    storeEach(0..<c, into: d, accumulate: accumulate) { j in
                        coefficient * VectorMath.exp((x[j] - m) - logSum) - smooth
                    }
                }
                d[y] -= hard
            }
        }
    }

    /// PyTorch's nll_loss(logp, targets, weight) with mean reduction: Σ_i w[y_i] (-logp[i, y_i]) / W.
    public static func nll(_ logp: UnsafePointer<Float>, rows: Int, classes: Int, targets: UnsafePointer<Int32>,
                           weights: UnsafePointer<Float>?) -> Float {
        var total = 0.0
        for i in 0..<rows {
            let y = Int(targets[i])
            total += Double(weights?[y] ?? 1) * Double(-logp[i * classes + y])
        }
        return Float(total / Double(targetWeightSum(targets: targets, rows: rows, weights: weights)))
    }

    /// dx[i, y_i] (=|+=) -gradient w[y_i] / W, every other element 0 (or unchanged when accumulating).
    public static func nllBackward(rows: Int, classes: Int, targets: UnsafePointer<Int32>, weights: UnsafePointer<Float>?,
                                   gradient: Float, into dx: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let weightSum = targetWeightSum(targets: targets, rows: rows, weights: weights)
        if !accumulate { dx.update(repeating: 0, count: rows * classes) }
        for i in 0..<rows {
            let y = Int(targets[i])
            dx[i * classes + y] += -gradient * (weights?[y] ?? 1) / weightSum
        }
    }

    // MARK: - Elementwise losses over `count` elements

    /// PyTorch's binary_cross_entropy(p, y, weight), mean reduction: each log clamped at -100 so
    /// p = 0 or 1 gives a finite loss (binary_cross_entropy_out_cpu).
    public static func binaryCrossEntropy(_ p: UnsafePointer<Float>, _ y: UnsafePointer<Float>, weights: UnsafePointer<Float>?,
                                          count: Int) -> Float {
        let total = Reduction.sum(count: count) { range in
            var s = 0.0
            for i in range {
                let l = (y[i] - 1) * Swift.max(logf(1 - p[i]), -100) - y[i] * Swift.max(logf(p[i]), -100)
                s += Double(weights.map { l * $0[i] } ?? l)
            }
            return s
        }
        return Float(total / Double(count))
    }

    /// dx (=|+=) gradient (p - y) / max((1 - p) p, 1e-12) w / count, as binary_cross_entropy_backward
    /// (the 1e-12 floor keeps p = 0 or 1 finite).
    public static func binaryCrossEntropyBackward(_ p: UnsafePointer<Float>, _ y: UnsafePointer<Float>, weights: UnsafePointer<Float>?,
                                                  count: Int, gradient: Float, into dx: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let n = Float(count)
        Parallel.forEachChunk(count) { r in
            if let weights {
                storeEach(r, into: dx, accumulate: accumulate) { i in
                    gradient * (p[i] - y[i]) / Swift.max((1 - p[i]) * p[i], 1e-12) * weights[i] / n
                }
            } else {
                storeEach(r, into: dx, accumulate: accumulate) { i in
                    gradient * (p[i] - y[i]) / Swift.max((1 - p[i]) * p[i], 1e-12) / n
                }
            }
        }
    }

    /// PyTorch's binary_cross_entropy_with_logits(x, y, weight, pos_weight), mean reduction, in
    /// the stable form (1 - y) x - (1 + (pw - 1) y) log σ(x), log σ(x) = min(x, 0) - log1p(e^-|x|).
    /// pos_weight[i % posWeightCount] applies to element i (it broadcasts over the last axis).
    public static func binaryCrossEntropyWithLogits(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                                                    weights: UnsafePointer<Float>?, posWeight: UnsafePointer<Float>?,
                                                    posWeightCount: Int, count: Int) -> Float {
        let total = Reduction.sum(count: count) { range in
            var s = 0.0
            for i in range {
                let logSigmoid = Swift.min(x[i], 0) - log1pf(VectorMath.exp(-abs(x[i])))
                let logWeight = posWeight.map { 1 + ($0[i % posWeightCount] - 1) * y[i] } ?? 1
                let l = (1 - y[i]) * x[i] - logWeight * logSigmoid
                s += Double(weights.map { l * $0[i] } ?? l)
            }
            return s
        }
        return Float(total / Double(count))
    }

    /// dx (=|+=) gradient ((pw y + 1 - y) σ(x) - pw y) w / count (pw = 1: σ(x) - y).
    public static func binaryCrossEntropyWithLogitsBackward(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                                                            weights: UnsafePointer<Float>?, posWeight: UnsafePointer<Float>?,
                                                            posWeightCount: Int, count: Int, gradient: Float,
                                                            into dx: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let n = Float(count)
        // Element i's gradient before the optional weight; the weight is a second factor.
        @inline(__always) func unweighted(_ i: Int) -> Float {
            let s = VectorMath.sigmoid(x[i])
            guard let posWeight else { return (s - y[i]) * gradient }
            let t = posWeight[i % posWeightCount] * y[i]
            return ((t + 1 - y[i]) * s - t) * gradient
        }
        Parallel.forEachChunk(count) { r in
            if let weights {
                storeEach(r, into: dx, accumulate: accumulate) { i in unweighted(i) * weights[i] / n }
            } else {
                storeEach(r, into: dx, accumulate: accumulate) { i in unweighted(i) / n }
            }
        }
    }

    /// Σ (x - y)² / count.
    public static func meanSquaredError(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
        let total = Reduction.sum(count: count) { range in
            var s = 0.0
            for i in range { let d = Double(x[i] - y[i]); s += d * d }
            return s
        }
        return Float(total / Double(count))
    }

    /// Σ |x - y| / count.
    public static func meanAbsoluteError(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
        let total = Reduction.sum(count: count) { range in
            var s = 0.0
            for i in range { s += Double(abs(x[i] - y[i])) }
            return s
        }
        return Float(total / Double(count))
    }

    /// dx (=|+=) sign * 2 / count (x - y) gradient (mse_loss_backward; sign -1 gives the target's).
    public static func meanSquaredErrorBackward(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int, gradient: Float,
                                                sign: Float, into dx: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let norm = sign * 2 / Float(count)
        Parallel.forEachChunk(count) { r in
            storeEach(r, into: dx, accumulate: accumulate) { i in norm * (x[i] - y[i]) * gradient }
        }
    }

    /// dx (=|+=) sign * sgn(x - y) gradient / count, sgn(0) = 0 (the backward of |x - y| averaged).
    public static func meanAbsoluteErrorBackward(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int, gradient: Float,
                                                 sign: Float, into dx: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let g = sign * gradient / Float(count)
        Parallel.forEachChunk(count) { r in
            storeEach(r, into: dx, accumulate: accumulate) { i in
                let d = x[i] - y[i]
                return d > 0 ? g : (d < 0 ? -g : 0)
            }
        }
    }
}

/// dst[i] = value(i) (or += when accumulating) over `range`, with the choice made once: a
/// conditional load of dst inside the loop keeps it from vectorising. `value` is inlined into
/// each loop, so no closure is called per element.
@inline(__always)
func storeEach(_ range: Range<Int>, into dst: UnsafeMutablePointer<Float>, accumulate: Bool, _ value: (Int) -> Float) {
    if accumulate {
        for i in range { dst[i] += value(i) }
    } else {
        for i in range { dst[i] = value(i) }
    }
}
