import Kernels

// Losses with PyTorch's semantics and mean reduction; each returns a scalar (rank-0) tensor.
// Multiply by a Float to weight a loss. Targets and class weights receive no gradient, except
// in mse and l1, where a target that requires a gradient gets one.

extension Tensor {
    /// PyTorch's `cross_entropy(self, targets, weight, label_smoothing)` for logits [N, C] and one
    /// class index per row, fused with a stable log-softmax. With class `weights` [C] the mean is
    /// Σ w[y_i] l_i / Σ w[y_i]; with `labelSmoothing` ε the loss is (1 - ε) nll + ε/C Σ_c (-logp_c)
    /// (weighted by w[c] and divided by Σ w[y_i] too, as LossNLL.cpp does).
    public func crossEntropy(targets: [Int32], weights: Tensor? = nil, labelSmoothing: Float = 0) -> Tensor {
        let (rows, classes) = classShape("cross_entropy", targets: targets, weights: weights)
        precondition(labelSmoothing >= 0 && labelSmoothing <= 1, "[cross_entropy] label smoothing \(labelSmoothing) is outside [0, 1]")
        let rowStats = FloatBuffer(uninitializedCount: 2 * rows)  // max and log Σ e^(x - max) per row
        let loss = targets.withUnsafeBufferPointer { t in
            Loss.crossEntropy(data, rows: rows, classes: classes, targets: t.baseAddress!, weights: weights?.data,
                              labelSmoothing: labelSmoothing, rowStats: rowStats.base)
        }
        return Tensor(scalar: loss).recordingBackward([self]) { _, g in
            self.accumulateGradient { dx, acc in
                targets.withUnsafeBufferPointer { t in
                    Loss.crossEntropyBackward(self.data, rows: rows, classes: classes, targets: t.baseAddress!,
                                              weights: weights?.data, labelSmoothing: labelSmoothing,
                                              rowStats: rowStats.base, gradient: g.data[0], into: dx, accumulate: acc)
                }
            }
        }
    }

    /// PyTorch's `nll_loss(self, targets, weight)` for log-probabilities [N, C]: the mean of
    /// -self[i, y_i], weighted as Σ w[y_i] (-logp) / Σ w[y_i] with class `weights` [C].
    public func nllLoss(targets: [Int32], weights: Tensor? = nil) -> Tensor {
        let (rows, classes) = classShape("nll_loss", targets: targets, weights: weights)
        let loss = targets.withUnsafeBufferPointer { t in
            Loss.nll(data, rows: rows, classes: classes, targets: t.baseAddress!, weights: weights?.data)
        }
        return Tensor(scalar: loss).recordingBackward([self]) { _, g in
            self.accumulateGradient { dx, acc in
                targets.withUnsafeBufferPointer { t in
                    Loss.nllBackward(rows: rows, classes: classes, targets: t.baseAddress!, weights: weights?.data,
                                     gradient: g.data[0], into: dx, accumulate: acc)
                }
            }
        }
    }

    /// PyTorch's `binary_cross_entropy(self, targets, weight)` on probabilities in [0, 1]: the mean
    /// of -w (y log p + (1 - y) log(1 - p)) with each log clamped at -100, so p = 0 or 1 gives a
    /// finite loss and gradient. `weights`, if given, has the input's shape.
    public func binaryCrossEntropy(targets: Tensor, weights: Tensor? = nil) -> Tensor {
        checkElementwiseLoss("binary_cross_entropy", targets: targets, weights: weights, targetsMayRequireGrad: false)
        let loss = Loss.binaryCrossEntropy(data, targets.data, weights: weights?.data, count: count)
        return Tensor(scalar: loss).recordingBackward([self]) { _, g in
            self.accumulateGradient { dx, acc in
                Loss.binaryCrossEntropyBackward(self.data, targets.data, weights: weights?.data, count: self.count,
                                                gradient: g.data[0], into: dx, accumulate: acc)
            }
        }
    }

    /// PyTorch's `binary_cross_entropy_with_logits(self, targets, weight, pos_weight)`: sigmoid and
    /// BCE fused in the stable form, finite for any logit. `weights` has the input's shape;
    /// `posWeight` (the weight of positive examples) has one value per class of the last axis, or one.
    public func binaryCrossEntropyWithLogits(targets: Tensor, weights: Tensor? = nil, posWeight: Tensor? = nil) -> Tensor {
        checkElementwiseLoss("binary_cross_entropy_with_logits", targets: targets, weights: weights, targetsMayRequireGrad: false)
        let lastAxis = shape.rank == 0 ? 1 : shape[shape.rank - 1]
        if let posWeight {
            precondition(posWeight.count == lastAxis || posWeight.count == 1,
                         "[binary_cross_entropy_with_logits] pos_weight \(posWeight.shape) does not match the last axis of \(shape)")
        }
        let posCount = posWeight?.count ?? 1
        let loss = Loss.binaryCrossEntropyWithLogits(data, targets.data, weights: weights?.data, posWeight: posWeight?.data,
                                                     posWeightCount: posCount, count: count)
        return Tensor(scalar: loss).recordingBackward([self]) { _, g in
            self.accumulateGradient { dx, acc in
                Loss.binaryCrossEntropyWithLogitsBackward(self.data, targets.data, weights: weights?.data,
                                                          posWeight: posWeight?.data, posWeightCount: posCount,
                                                          count: self.count, gradient: g.data[0], into: dx, accumulate: acc)
            }
        }
    }

    /// PyTorch's `mse_loss(self, targets)`: the mean of (x - y)².
    public func mseLoss(targets: Tensor) -> Tensor {
        regressionLoss("mse_loss", targets: targets, Loss.meanSquaredError) {
            Loss.meanSquaredErrorBackward($0, $1, count: $2, gradient: $3, sign: $4, into: $5, accumulate: $6)
        }
    }

    /// PyTorch's `l1_loss(self, targets)`: the mean of |x - y| (gradient 0 where x == y).
    public func l1Loss(targets: Tensor) -> Tensor {
        regressionLoss("l1_loss", targets: targets, Loss.meanAbsoluteError) {
            Loss.meanAbsoluteErrorBackward($0, $1, count: $2, gradient: $3, sign: $4, into: $5, accumulate: $6)
        }
    }

    /// A loss of (x, y) whose gradient for y is the negated gradient for x: `backward(x, y, count,
    /// upstream, sign, destination, accumulate)` gives x's with sign 1 and y's with sign -1.
    private func regressionLoss(
        _ op: String, targets: Tensor, _ forward: (UnsafePointer<Float>, UnsafePointer<Float>, Int) -> Float,
        backward: @escaping (UnsafePointer<Float>, UnsafePointer<Float>, Int, Float, Float, UnsafeMutablePointer<Float>, Bool) -> Void
    ) -> Tensor {
        checkElementwiseLoss(op, targets: targets, weights: nil, targetsMayRequireGrad: true)
        let loss = forward(data, targets.data, count)
        return Tensor(scalar: loss).recordingBackward([self, targets]) { _, g in
            self.accumulateGradient { d, acc in backward(self.data, targets.data, self.count, g.data[0], 1, d, acc) }
            targets.accumulateGradient { d, acc in backward(self.data, targets.data, self.count, g.data[0], -1, d, acc) }
        }
    }

    /// Checks logits [N, C] against N class indices in 0..<C and optional weights [C].
    private func classShape(_ op: String, targets: [Int32], weights: Tensor?) -> (rows: Int, classes: Int) {
        precondition(shape.rank == 2, "[\(op)] input must be (N, C), got \(shape)")
        let (rows, classes) = (shape[0], shape[1])
        precondition(targets.count == rows, "[\(op)] \(targets.count) targets for input \(shape)")
        for (i, t) in targets.enumerated() where t < 0 || Int(t) >= classes {
            preconditionFailure("[\(op)] target \(i) is class \(t), outside 0..<\(classes)")
        }
        if let weights {
            precondition(weights.shape.rank == 1 && weights.count == classes,
                         "[\(op)] class weights \(weights.shape) do not match \(classes) classes")
        }
        return (rows, classes)
    }

    private func checkElementwiseLoss(_ op: String, targets: Tensor, weights: Tensor?, targetsMayRequireGrad: Bool) {
        precondition(targets.shape == shape, "[\(op)] targets \(targets.shape) do not match input \(shape)")
        precondition(targetsMayRequireGrad || !targets.requiresGrad, "[\(op)] targets must not require a gradient")
        if let weights {
            precondition(weights.shape == shape, "[\(op)] weights \(weights.shape) do not match input \(shape)")
        }
    }
}
