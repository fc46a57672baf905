import Kernels

extension Tensor {
    /// Elementwise sum of two tensors of one shape.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        precondition(a.shape == b.shape, "[add] shapes differ: \(a.shape) and \(b.shape)")
        let out = Tensor(uninitialized: a.shape)
        Elementwise.add(a.data, b.data, out.data, count: a.count)
        return out.recordingBackward([a, b]) { _, g in
            a.accumulateGradient { da, acc in Elementwise.copy(g.data, into: da, count: g.count, accumulate: acc) }
            b.accumulateGradient { db, acc in Elementwise.copy(g.data, into: db, count: g.count, accumulate: acc) }
        }
    }
}
