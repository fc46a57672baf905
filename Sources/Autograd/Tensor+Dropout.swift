import Kernels

extension Tensor {
    /// Inverted dropout: in training, zeroes each element with probability `p` (drawn from `rng`)
    /// and scales the rest by 1 / (1 - p); the gradient goes through the same mask. In evaluation,
    /// or with p = 0, it is the identity (this tensor itself, and `rng` is not advanced); p = 1
    /// gives zeros.
    public func dropout(p: Float, training: Bool, rng: inout RandomGenerator) -> Tensor {
        precondition(p >= 0 && p <= 1, "[dropout] probability must lie in [0, 1], got \(p) for input \(shape)")
        guard training && p > 0 else { return self }
        let mask = FloatBuffer(uninitializedCount: count)
        let out = Tensor(uninitialized: shape)
        Dropout.forward(x: data, y: out.data, mask: mask.base, count: count, p: p, rng: &rng)
        return out.recordingBackward([self]) { _, grad in
            self.accumulateGradient { dx, accumulate in
                Dropout.backward(dy: grad.data, mask: mask.base, dx: dx, count: grad.count, accumulate: accumulate)
            }
        }
    }
}
