import Kernels

extension Tensor {
    /// Batch normalisation of this [N, C] or [N, C, H, W] tensor (any [N, C, ...]) per channel, as
    /// PyTorch's batch_norm.
    ///
    /// In training it normalises with the batch mean and biased variance over N and the spatial
    /// positions, and updates `runningMean` and `runningVar` in place (when given) as
    /// running = (1 - momentum) running + momentum batch, with the unbiased variance; the gradient
    /// flows through the batch statistics. In evaluation it normalises with the running statistics,
    /// which must be given. `weight` and `bias` ([C], optional) scale and shift the result. The
    /// running statistics belong to the caller and must not require gradients.
    ///
    /// `replicas`, for a process of a data-parallel job that holds some rows of the batch: the
    /// training statistics are those of the whole batch (synchronised batchnorm). The forward pass
    /// sums Σx, Σx² and the count per channel over the processes, the backward pass Σdy and
    /// Σdy (x - mean) for the input gradient; the weight and bias gradients stay this process's
    /// share, which the job sums with the other gradients.
    public func batchNorm(
        runningMean: Tensor?, runningVar: Tensor?, weight: Tensor? = nil, bias: Tensor? = nil,
        training: Bool, momentum: Float = 0.1, eps: Float = 1e-5, replicas: (any ReplicaSum)? = nil
    ) -> Tensor {
        precondition(shape.rank >= 2, "[batchnorm] input must be (N,C) or (N,C,H,W), got shape \(shape)")
        let c = shape[1]
        let layout = ChannelLayout(batch: shape[0], channels: c, spatial: shape.product(2..<shape.rank))
        for (name, t) in [("weight", weight), ("bias", bias), ("running mean", runningMean), ("running var", runningVar)] {
            if let t { precondition(t.shape == [c], "[batchnorm] \(name) \(t.shape) must be (\(c),) for input \(shape)") }
        }
        for (name, t) in [("running mean", runningMean), ("running var", runningVar)] {
            if let t { precondition(!t.requiresGrad, "[batchnorm] \(name) must not require a gradient") }
        }
        // Per channel: the mean and 1/sqrt(var + eps) the output uses, and alpha = invstd w.
        let mean = FloatBuffer(uninitializedCount: c), invstd = FloatBuffer(uninitializedCount: c)
        // Values per channel the statistics are over: the whole batch's, with replicas.
        var perChannel = Double(layout.perChannel)
        if training {
            perChannel = batchStatistics(layout, mean: mean.base, invstd: invstd.base, runningMean: runningMean, runningVar: runningVar,
                                momentum: Double(momentum), eps: Double(eps), replicas: replicas)
        } else {
            guard let runningMean, let runningVar else {
                preconditionFailure("[batchnorm] evaluation needs the running mean and variance, input \(shape)")
            }
            for i in 0..<c {
                mean.base[i] = runningMean.data[i]
                invstd.base[i] = 1 / (runningVar.data[i] + eps).squareRoot()
            }
        }
        let m = perChannel
        let alpha = FloatBuffer(uninitializedCount: c)
        for i in 0..<c { alpha.base[i] = invstd.base[i] * (weight?.data[i] ?? 1) }
        let out = Tensor(uninitialized: shape)
        BatchNorm.normalize(x: data, y: out.data, layout: layout, mean: mean.base, alpha: alpha.base, bias: bias?.data)

        let inputs = [self] + [weight, bias].compactMap { $0 }
        return out.recordingBackward(inputs) { _, grad in
            let needSums = training && self.requiresGrad || weight?.requiresGrad == true || bias?.requiresGrad == true
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * c) { sums in
                let sumDy = sums.baseAddress!, sumDyCentered = sumDy + c
                if needSums {
                    BatchNorm.gradientSums(dy: grad.data, x: self.data, mean: mean.base, layout: layout,
                                           sumDy: sumDy, sumDyCentered: sumDyCentered)
                }
                weight?.accumulateGradient { dw, accumulate in
                    for i in 0..<c {
                        let v = Float(sumDyCentered[i] * Double(invstd.base[i]))
                        dw[i] = accumulate ? dw[i] + v : v
                    }
                }
                bias?.accumulateGradient { db, accumulate in
                    for i in 0..<c { db[i] = accumulate ? db[i] + Float(sumDy[i]) : Float(sumDy[i]) }
                }
                self.accumulateGradient { dx, accumulate in
                    guard training else {
                        BatchNorm.inputGradient(dy: grad.data, x: self.data, dx: dx, layout: layout, mean: mean.base,
                                                invstd: invstd.base, weight: weight?.data, gradMean: nil, k: nil, accumulate: accumulate)
                        return
                    }
                    // Through the batch statistics: k = Σ dy (x - mean) invstd² / (N S), over the whole batch.
                    replicas?.sum(UnsafeMutableBufferPointer(start: sumDy, count: 2 * c))
                    let gradMean = FloatBuffer(uninitializedCount: c), k = FloatBuffer(uninitializedCount: c)
                    for i in 0..<c {
                        let s = Double(invstd.base[i])
                        gradMean.base[i] = Float(sumDy[i] / m)
                        k.base[i] = Float(sumDyCentered[i] * s * s / m)
                    }
                    BatchNorm.inputGradient(dy: grad.data, x: self.data, dx: dx, layout: layout, mean: mean.base,
                                            invstd: invstd.base, weight: weight?.data, gradMean: gradMean.base, k: k.base,
                                            accumulate: accumulate)
                }
            }
        }
    }

    /// The batch mean and 1/sqrt(biased variance + eps) per channel (computed in Double, rounded
    /// once), and the running statistics' update with the unbiased variance. Returns the number of
    /// values per channel they are over.
    private func batchStatistics(
        _ layout: ChannelLayout, mean: UnsafeMutablePointer<Float>, invstd: UnsafeMutablePointer<Float>,
        runningMean: Tensor?, runningVar: Tensor?, momentum: Double, eps: Double, replicas: (any ReplicaSum)?
    ) -> Double {
        let c = layout.channels
        var m = Double(layout.perChannel)
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * c + 1) { scratch in
            let mu = scratch.baseAddress!, squares = mu + c
            if layout.perChannel > 0 {
                BatchNorm.statistics(x: data, layout: layout, mean: mu, sumSquares: squares)
            } else {
                scratch.initialize(repeating: 0)  // a process whose share of this batch is empty
            }
            if let replicas {
                // This share's mean and squared deviations as Σx and Σx², summed over the shares,
                // and back. Σx² of Float values is exact to a few ulps in Double, so the variance
                // from it keeps about 9 digits even for data at 100 ± 0.1.
                for i in 0..<c {
                    let sum = mu[i] * m
                    squares[i] += sum * mu[i]
                    mu[i] = sum
                }
                scratch[2 * c] = m
                replicas.sum(scratch)
                m = scratch[2 * c]
                for i in 0..<c {
                    let mean = mu[i] / m
                    squares[i] = max(0, squares[i] - mean * mu[i])
                    mu[i] = mean
                }
            }
            precondition(m > 1, "[batchnorm] training needs more than one value per channel, got input \(shape)"
                         + (replicas == nil ? "" : " and \(Int(m)) values per channel over all processes"))
            for i in 0..<c {
                mean[i] = Float(mu[i])
                invstd[i] = Float(1 / (squares[i] / m + eps).squareRoot())
                if let runningMean {
                    runningMean.data[i] = Float(momentum * mu[i] + (1 - momentum) * Double(runningMean.data[i]))
                }
                if let runningVar {
                    runningVar.data[i] = Float(momentum * squares[i] / (m - 1) + (1 - momentum) * Double(runningVar.data[i]))
                }
            }
        }
        return m
    }
}
