#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - SiLU

extension Activation {
    /// y = x σ(x) = x / (1 + e^-x), as PyTorch's silu_kernel writes it.
    public static func silu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.forEachChunk(count, grain: 8_192) { r in
            for i in r { y[i] = x[i] / (1 + VectorMath.exp(-x[i])) }
        }
    }

    /// dx (=|+=) dy σ(x) (1 + x (1 - σ(x))), from the input (PyTorch's silu_backward_kernel).
    public static func siluBackward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                                    count: Int, accumulate: Bool) {
        Parallel.forEachChunk(count, grain: 8_192) { r in
            for i in r {
                let s = VectorMath.sigmoid(x[i])
                let g = dy[i] * s * (1 + x[i] * (1 - s))
                if accumulate { dx[i] += g } else { dx[i] = g }
            }
        }
    }
}

// MARK: - Softplus

extension Activation {
    /// y = log(1 + e^(βx)) / β, and x itself where βx > threshold (PyTorch's softplus_kernel:
    /// there the two agree to float precision and the exponential would overflow).
    public static func softplus(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, beta: Float, threshold: Float) {
        Parallel.forEachChunk(count, grain: 4_096) { r in
            for i in r {
                let scaled = x[i] * beta
                y[i] = scaled > threshold ? x[i] : log1pf(VectorMath.exp(scaled)) / beta
            }
        }
    }

    /// dx (=|+=) dy z / (z + 1) with z = e^(βx), and dy where βx > threshold (PyTorch's
    /// softplus_backward_kernel).
    public static func softplusBackward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                                        count: Int, beta: Float, threshold: Float, accumulate: Bool) {
        Parallel.forEachChunk(count, grain: 4_096) { r in
            for i in r {
                let scaled = x[i] * beta, z = VectorMath.exp(scaled)
                let g = scaled > threshold ? dy[i] : dy[i] * z / (z + 1)
                if accumulate { dx[i] += g } else { dx[i] = g }
            }
        }
    }
}
