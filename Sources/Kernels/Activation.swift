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
            if accumulate {
                for i in r { dx[i] += x[i] > 0 ? dy[i] : 0 }
            } else {
                for i in r { dx[i] = x[i] > 0 ? dy[i] : 0 }
            }
        }
    }
}
