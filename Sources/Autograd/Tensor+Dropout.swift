import Kernels

extension Tensor {
    /// Inverted dropout: in training, zeroes each element with probability `p` and scales the rest
    /// by 1 / (1 - p); the gradient goes through the same mask. In evaluation, or with p = 0, it is
    /// the identity (this tensor itself, and `rng` is not advanced); p = 1 gives zeros.
    ///
    /// Each call draws one number from `rng`, and the mask of row r (the batch axis is the first)
    /// follows from it and r + `firstRow`: a process holding rows from `firstRow` on of a larger
    /// batch (data-parallel training) drops what one process holding the whole batch would.
    public func dropout(p: Float, training: Bool, rng: inout RandomGenerator, firstRow: Int = 0) -> Tensor {
        precondition(p >= 0 && p <= 1, "[dropout] probability must lie in [0, 1], got \(p) for input \(shape)")
        guard training && p > 0 else { return self }
        let key = rng.next()
        let perRow = shape.rank == 0 || shape[0] == 0 ? count : count / shape[0]
        let mask = FloatBuffer(uninitializedCount: count)
        let out = Tensor(uninitialized: shape)
        Dropout.forward(x: data, y: out.data, mask: mask.base, count: count, p: p, key: key, firstElement: firstRow * perRow)
        return out.recordingBackward([self]) { _, grad in
            self.accumulateGradient { dx, accumulate in
                Dropout.backward(dy: grad.data, mask: mask.base, dx: dx, count: grad.count, accumulate: accumulate)
            }
        }
    }

    /// Channel dropout, as PyTorch's dropout2d on this [N, C, H, W] tensor (any [N, C, ...]): in
    /// training each channel of each sample is zeroed whole with probability `p` and the rest
    /// scaled by 1 / (1 - p); the identity in evaluation or with p = 0. As `dropout`, each call
    /// draws one number from `rng`, and row r's channels follow from it and r + `firstRow`.
    public func dropout2d(p: Float, training: Bool, rng: inout RandomGenerator, firstRow: Int = 0) -> Tensor {
        precondition(p >= 0 && p <= 1, "[dropout2d] probability must lie in [0, 1], got \(p) for input \(shape)")
        precondition(shape.rank >= 2, "[dropout2d] input must be (N,C,...), got shape \(shape)")
        guard training && p > 0 else { return self }
        let planes = shape[0] * shape[1], planeSize = shape.product(2..<shape.rank)
        let key = rng.next()
        let mask = FloatBuffer(uninitializedCount: planes)
        let out = Tensor(uninitialized: shape)
        Dropout.planesForward(x: data, y: out.data, mask: mask.base, planes: planes, planeSize: planeSize, p: p,
                              key: key, firstPlane: firstRow * shape[1])
        return out.recordingBackward([self]) { _, grad in
            self.accumulateGradient { dx, accumulate in
                Dropout.planesBackward(dy: grad.data, mask: mask.base, dx: dx, planes: planes, planeSize: planeSize, accumulate: accumulate)
            }
        }
    }
}
