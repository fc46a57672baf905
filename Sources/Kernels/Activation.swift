/// Activation functions and their derivatives, forward and backward side by side.
public enum Activation {
    /// y = max(x, 0)
    public static func relu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.forEachChunk(count) { r in
            for i in r { y[i] = max(x[i], 0) }
        }
    }

    /// dx (=|+=) dy * (x > 0): PyTorch's convention, gradient 0 at exactly 0.
    public static func reluBackward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count: Int, accumulate: Bool) {
        Parallel.forEachChunk(count) { r in
            // dy is loaded before the comparison: a load inside the conditional cannot be
            // speculated, and the loop then branches per element (measured 10x slower).
            if accumulate {
                for i in r { let g = dy[i]; dx[i] += x[i] > 0 ? g : 0 }
            } else {
                for i in r { let g = dy[i]; dx[i] = x[i] > 0 ? g : 0 }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Activation {
    /// y = x > 0 ? x : slope * x
    public static func leakyRelu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, slope: Float) {
        Parallel.forEachChunk(count) { r in
            for i in r { y[i] = x[i] > 0 ? x[i] : x[i] * slope }
        }
    }

    /// dx (=|+=) x > 0 ? dy : slope * dy (PyTorch's leaky_relu_backward).
    public static func leakyReluBackward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                                         count: Int, slope: Float, accumulate: Bool) {
        Parallel.forEachChunk(count) { r in
            if accumulate {
                for i in r { dx[i] += x[i] > 0 ? dy[i] : dy[i] * slope }
            } else {
                for i in r { dx[i] = x[i] > 0 ? dy[i] : dy[i] * slope }
            }
        }
    }

    /// y = x > 0 ? x : alpha * (e^x - 1), with expm1 as PyTorch's vectorised kernel.
    ///
    /// Sixteen inputs none of which is negative are copied: there the formula gives x itself
    /// (expm1(0) alpha is 0, NaN stays NaN), and the exponential is most of the cost. After max
    /// pooling most inputs are positive (the fused `ConvPool` applies this to pooled maxima).
    public static func elu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, alpha: Float) {
        Parallel.forEachChunk(count, grain: 8_192) { r in
            var i = r.lowerBound
            while i + 16 <= r.upperBound {
                let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
                if any(v .< 0) {
                    for k in i..<(i + 16) { y[k] = x[k] > 0 ? x[k] : VectorMath.expm1(x[k]) * alpha }
                } else {
                    UnsafeMutableRawPointer(y + i).storeBytes(of: v, as: SIMD16<Float>.self)
                }
                i += 16
            }
            for k in i..<r.upperBound { y[k] = x[k] > 0 ? x[k] : VectorMath.expm1(x[k]) * alpha }
        }
    }

    /// dx (=|+=) x > 0 ? dy : dy * alpha * e^x, from the input as PyTorch does (from the result,
    /// y + alpha, would lose the relative precision of e^x for very negative x).
    public static func eluBackward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                                   count: Int, alpha: Float, accumulate: Bool) {
        Parallel.forEachChunk(count, grain: 8_192) { r in
            if accumulate {
                for i in r { dx[i] += x[i] > 0 ? dy[i] : dy[i] * alpha * VectorMath.exp(x[i]) }
            } else {
                for i in r { dx[i] = x[i] > 0 ? dy[i] : dy[i] * alpha * VectorMath.exp(x[i]) }
            }
        }
    }

    /// y = 1 / (1 + e^-x)
    public static func sigmoid(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.forEachChunk(count, grain: 8_192) { r in
            for i in r { y[i] = VectorMath.sigmoid(x[i]) }
        }
    }

    /// dx (=|+=) dy * (1 - y) * y, from the result (PyTorch's sigmoid_backward, same order).
    public static func sigmoidBackward(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                                       count: Int, accumulate: Bool) {
        Parallel.forEachChunk(count) { r in
            if accumulate {
                for i in r { dx[i] += dy[i] * (1 - y[i]) * y[i] }
            } else {
                for i in r { dx[i] = dy[i] * (1 - y[i]) * y[i] }
            }
        }
    }

    /// y = tanh(x), through libm (not a hot activation in specrun's workloads).
    public static func tanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.forEachChunk(count, grain: 4_096) { r in
            for i in r { y[i] = tanhf(x[i]) }
        }
    }

    /// dx (=|+=) dy * (1 - y²), from the result.
    public static func tanhBackward(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                                    count: Int, accumulate: Bool) {
        Parallel.forEachChunk(count) { r in
            if accumulate {
                for i in r { dx[i] += dy[i] * (1 - y[i] * y[i]) }
            } else {
                for i in r { dx[i] = dy[i] * (1 - y[i] * y[i]) }
            }
        }
    }
}

// MARK: - GELU

extension Activation {
    /// y = x Φ(x) = 0.5 x (1 + erf(x / √2)), or with `tanh` PyTorch's approximation
    /// 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))); the constants and order are PyTorch's
    /// (aten/src/ATen/native/cpu/Activation.cpp, GeluKernelImpl). erf and tanh come from libm.
    public static func gelu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, tanh: Bool) {
        Parallel.forEachChunk(count, grain: 4_096) { r in
            if tanh {
                for i in r {
                    let v = x[i], inner = geluBeta * (v + geluKappa * v * v * v)
                    y[i] = 0.5 * v * (1 + tanhf(inner))
                }
            } else {
                for i in r { y[i] = x[i] * 0.5 * (1 + erff(x[i] * geluAlpha)) }
            }
        }
    }

    /// dx (=|+=) dy · d/dx GELU(x), from the input (PyTorch's GeluBackwardKernelImpl).
    public static func geluBackward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                                    count: Int, tanh: Bool, accumulate: Bool) {
        Parallel.forEachChunk(count, grain: 4_096) { r in
            for i in r {
                let v = x[i]
                let derivative: Float
                if tanh {
                    let square = v * v, inner = geluBeta * (v + geluKappa * square * v), t = tanhf(inner)
                    let left = 0.5 * v, right = 1 + t
                    derivative = 0.5 * right + left * (1 - t * t) * geluBeta * (1 + 3 * geluKappa * square)
                } else {
                    let cdf = 0.5 * (1 + erff(v * geluAlpha)), pdf = geluPDFScale * expf(v * v * -0.5)
                    derivative = cdf + v * pdf
                }
                if accumulate { dx[i] += dy[i] * derivative } else { dx[i] = dy[i] * derivative }
            }
        }
    }

    /// 1/√2.
    private static let geluAlpha: Float = 0.707_106_781_186_547_524_40
    /// 1/√(2π), the standard normal density's scale.
    private static let geluPDFScale: Float = 0.398_942_280_401_432_677_94
    /// √(2/π).
    private static let geluBeta: Float = 0.797_884_560_802_865_355_88
    private static let geluKappa: Float = 0.044_715
}

// MARK: - Softmax and log-softmax along the middle axis of [outer, n, inner]

extension Activation {
    /// softmax along the middle axis: y = e^(x - max) / Σ e^(x - max).
    public static func softmax(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, outer: Int, n: Int, inner: Int) {
        forEachLane(outer: outer, n: n, inner: inner, inputs: (x, x), output: y) { x, _, y in
            let m = VectorMath.max(x, count: n)
            for j in 0..<n { y[j] = VectorMath.exp(x[j] - m) }
            let r = 1 / VectorMath.sum(y, count: n)
            for j in 0..<n { y[j] *= r }
        }
    }

    /// log_softmax along the middle axis: y = x - max - log Σ e^(x - max) (PyTorch's order).
    public static func logSoftmax(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, outer: Int, n: Int, inner: Int) {
        forEachLane(outer: outer, n: n, inner: inner, inputs: (x, x), output: y) { x, _, y in
            let m = VectorMath.max(x, count: n)
            for j in 0..<n { y[j] = VectorMath.exp(x[j] - m) }
            let logSum = logf(VectorMath.sum(y, count: n))
            for j in 0..<n { y[j] = x[j] - m - logSum }
        }
    }

    /// dx (=|+=) y (dy - Σ dy y), from the softmax result y.
    public static func softmaxBackward(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                                       outer: Int, n: Int, inner: Int, accumulate: Bool) {
        forEachLane(outer: outer, n: n, inner: inner, inputs: (y, dy), output: dx, accumulate: accumulate) { y, dy, dx in
            let d = VectorMath.dot(dy, y, count: n)
            if accumulate {
                for j in 0..<n { dx[j] += y[j] * (dy[j] - d) }
            } else {
                for j in 0..<n { dx[j] = y[j] * (dy[j] - d) }
            }
        }
    }

    /// dx (=|+=) dy - e^y Σ dy, from the log-softmax result y.
    public static func logSoftmaxBackward(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                                          outer: Int, n: Int, inner: Int, accumulate: Bool) {
        forEachLane(outer: outer, n: n, inner: inner, inputs: (y, dy), output: dx, accumulate: accumulate) { y, dy, dx in
            let s = VectorMath.sum(dy, count: n)
            if accumulate {
                for j in 0..<n { dx[j] += dy[j] - VectorMath.exp(y[j]) * s }
            } else {
                for j in 0..<n { dx[j] = dy[j] - VectorMath.exp(y[j]) * s }
            }
        }
    }

    /// Runs `body` on each lane along the middle axis with contiguous pointers: directly when
    /// inner == 1 (the last axis), otherwise on lanes gathered into scratch rows and scattered
    /// back (a softmax over channels). Lanes are split across the cores.
    @inline(__always)
    private static func forEachLane(
        outer: Int, n: Int, inner: Int,
        inputs: (UnsafePointer<Float>, UnsafePointer<Float>), output: UnsafeMutablePointer<Float>, accumulate: Bool = false,
        _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void
    ) {
        if n == 0 { return }
        if inner == 1 {
            Parallel.forEachChunk(outer, grain: max(1, 8_192 / n)) { range in
                for o in range { body(inputs.0 + o * n, inputs.1 + o * n, output + o * n) }
            }
            return
        }
        Parallel.forEachChunk(outer * inner, grain: max(1, 8_192 / n)) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 3 * n) { scratch in
                let a = scratch.baseAddress!, b = a + n, y = b + n
                for lane in range {
                    let (o, i) = lane.quotientAndRemainder(dividingBy: inner)
                    let start = o * n * inner + i
                    for j in 0..<n { a[j] = inputs.0[start + j * inner]; b[j] = inputs.1[start + j * inner] }
                    if accumulate { for j in 0..<n { y[j] = output[start + j * inner] } }
                    body(a, b, y)
                    for j in 0..<n { output[start + j * inner] = y[j] }
                }
            }
        }
    }
}
