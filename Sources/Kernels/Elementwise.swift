/// Loops over contiguous buffers that the compiler vectorises; large ones are split across cores.
public enum Elementwise {
    /// y = a + b
    public static func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.forEachChunk(count) { r in
            for i in r { y[i] = a[i] + b[i] }
        }
    }

    /// y = x (accumulate: y += x)
    public static func copy(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int, accumulate: Bool) {
        if !accumulate {
            y.update(from: x, count: count)
            return
        }
        Parallel.forEachChunk(count) { r in
            for i in r { y[i] += x[i] }
        }
    }
}
