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

    /// Channel dropout, as PyTorch's dropout2d on this [N, C, H, W] tensor (any [N, C, ...]): in
    /// training each channel of each sample is zeroed whole with probability `p` (one draw from
    /// `rng` per channel) and the rest scaled by 1 / (1 - p); the identity in evaluation or with p = 0.
    public func dropout2d(p: Float, training: Bool, rng: inout RandomGenerator) -> Tensor {
        precondition(p >= 0 && p <= 1, "[dropout2d] probability must lie in [0, 1], got \(p) for input \(shape)")
        precondition(shape.rank >= 2, "[dropout2d] input must be (N,C,...), got shape \(shape)")
        guard training && p > 0 else { return self }
        let planes = shape[0] * shape[1], planeSize = shape.product(2..<shape.rank)
        let mask = FloatBuffer(uninitializedCount: planes)
        let out = Tensor(uninitialized: shape)
        Dropout.planesForward(x: data, y: out.data, mask: mask.base, planes: planes, planeSize: planeSize, p: p, rng: &rng)
        return out.recordingBackward([self]) { _, grad in
            self.accumulateGradient { dx, accumulate in
                Dropout.planesBackward(dy: grad.data, mask: mask.base, dx: dx, planes: planes, planeSize: planeSize, accumulate: accumulate)
            }
        }
    }
}
