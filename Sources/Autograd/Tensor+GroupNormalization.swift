import Kernels

extension Tensor {
    /// Group normalisation of this [N, C, ...] tensor, as PyTorch's group_norm: the channels of each
    /// sample split into `groups` consecutive groups, each normalised with its own mean and biased
    /// variance over its channels and positions; `weight` and `bias` ([C], optional) scale and shift
    /// each channel. The gradient flows through the statistics.
    public func groupNorm(groups: Int, weight: Tensor? = nil, bias: Tensor? = nil, eps: Float = 1e-5) -> Tensor {
        precondition(shape.rank >= 2, "[group_norm] input must be (N,C,...), got shape \(shape)")
        let c = shape[1]
        precondition(groups > 0 && c % groups == 0, "[group_norm] \(c) channels of input \(shape) do not split into \(groups) groups")
        for (name, t) in [("weight", weight), ("bias", bias)] {
            if let t { precondition(t.shape == [c], "[group_norm] \(name) \(t.shape) must be (\(c),) for input \(shape)") }
        }
        let layout = GroupLayout(batch: shape[0], groups: groups, channelsPerGroup: c / groups, spatial: shape.product(2..<shape.rank))
        return normalized(layout, weight: weight, bias: bias, eps: eps)
    }

    /// Layer normalisation over the last `normalizedShape.count` axes of this tensor, which must be
    /// `normalizedShape`, as PyTorch's layer_norm: every slice over those axes normalised with its
    /// own mean and biased variance; `weight` and `bias` (of `normalizedShape`, optional) scale and
    /// shift each element of the slice.
    public func layerNorm(_ normalizedShape: Shape, weight: Tensor? = nil, bias: Tensor? = nil, eps: Float = 1e-5) -> Tensor {
        let k = normalizedShape.rank
        precondition(k >= 1 && shape.rank >= k && Shape(Array(shape.dims.suffix(k))) == normalizedShape,
                     "[layer_norm] input \(shape) does not end with the normalized shape \(normalizedShape)")
        for (name, t) in [("weight", weight), ("bias", bias)] {
            if let t { precondition(t.shape == normalizedShape, "[layer_norm] \(name) \(t.shape) must be \(normalizedShape)") }
        }
        let n = normalizedShape.elementCount
        let layout = GroupLayout(batch: count / max(n, 1), groups: 1, channelsPerGroup: n, spatial: 1)
        return normalized(layout, weight: weight, bias: bias, eps: eps)
    }

    private func normalized(_ layout: GroupLayout, weight: Tensor?, bias: Tensor?, eps: Float) -> Tensor {
        let mean = FloatBuffer(uninitializedCount: layout.rows), meanLow = FloatBuffer(uninitializedCount: layout.rows)
        let rstd = FloatBuffer(uninitializedCount: layout.rows)
        let out = Tensor(uninitialized: shape)
        GroupNorm.forward(x: data, y: out.data, layout: layout, eps: eps, weight: weight?.data, bias: bias?.data,
                          mean: mean.base, meanLow: meanLow.base, rstd: rstd.base)
        return out.recordingBackward([self] + [weight, bias].compactMap { $0 }) { _, grad in
            self.accumulateGradient { dx, accumulate in
                GroupNorm.inputGradient(dy: grad.data, x: self.data, dx: dx, layout: layout, mean: mean.base, meanLow: meanLow.base,
                                        rstd: rstd.base, weight: weight?.data, accumulate: accumulate)
            }
            let dWeight = weight?.requiresGrad == true ? Tensor(uninitialized: weight!.shape) : nil
            let dBias = bias?.requiresGrad == true ? Tensor(uninitialized: bias!.shape) : nil
            guard dWeight != nil || dBias != nil else { return }
            GroupNorm.parameterGradients(dy: grad.data, x: self.data, layout: layout, mean: mean.base, meanLow: meanLow.base,
                                         rstd: rstd.base, dWeight: dWeight?.data, dBias: dBias?.data, accumulate: false)
            if let dWeight, let weight { weight.addGradient(dWeight) }
            if let dBias, let bias { bias.addGradient(dBias) }
        }
    }
}
