import Kernels

extension Tensor {
    /// max(x, 0), elementwise.
    public func relu() -> Tensor {
        let out = Tensor(uninitialized: shape)
        Activation.relu(data, out.data, count: count)
        return out.recordingBackward([self]) { _, g in
            self.accumulateGradient { dx, acc in
                Activation.reluBackward(self.data, g.data, dx, count: self.count, accumulate: acc)
            }
        }
    }
}
