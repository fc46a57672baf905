// The optimizer update loops: one fused pass over each parameter per step, split across the cores
// for large parameters.
//
// Each loop reproduces PyTorch's single-tensor CPU implementation (torch 2.13,
// torch/optim/{sgd,adam,rmsprop,adagrad}.py, `_single_tensor_*`) operation by operation, with the
// roundings of its ATen kernels as measured on an AVX-512 build (tools/goldens/optim.py checks
// the result):
//   a.add(b, alpha=s)        fma(b, s, a)
//   a.lerp(b, w)             fma(w, b - a, a) when |w| < 0.5, else fma(w - 1, b - a, b)
//   a.addcmul(b, c, value=s) fma(s * b, c, a)
//   a.addcdiv(b, c, value=s) a + (s * b) / c
//   a.mul(s), a / s, a + s   one rounding each
// Python scalars reach the kernels as Float (ATen casts them to the tensor's type), so callers
// compute hyperparameter expressions such as `1 - beta2` or `-lr / bias_correction1` in Double,
// as Python does, and pass the Float. The one known difference: ATen's sqrt on CPU goes through
// MKL, which is sometimes one ulp below the correctly rounded square root used here.

/// Fused update loops for the optimizers in the NN target.
public enum OptimizerKernels {
    /// `torch.optim.SGD`'s update, for one parameter.
    public struct SGDStep: Sendable {
        /// Negate the gradient first (`maximize=True`).
        public var maximize: Bool
        /// `weight_decay`; 0 adds nothing.
        public var weightDecay: Float
        /// `momentum`; 0 means no momentum buffer.
        public var momentum: Float
        /// `1 - dampening`.
        public var dampeningComplement: Float
        public var nesterov: Bool
        /// `-lr`.
        public var negativeLR: Float

        public init(maximize: Bool, weightDecay: Float, momentum: Float, dampeningComplement: Float, nesterov: Bool, negativeLR: Float) {
            self.maximize = maximize
            self.weightDecay = weightDecay
            self.momentum = momentum
            self.dampeningComplement = dampeningComplement
            self.nesterov = nesterov
            self.negativeLR = negativeLR
        }
    }

    /// One SGD step. `buffer` is the momentum buffer (required when `momentum != 0`); when
    /// `startBuffer` is true it is written with the gradient instead of being updated, as PyTorch
    /// does on a parameter's first step.
    public static func sgd(_ s: SGDStep, param: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>,
                           buffer: UnsafeMutablePointer<Float>?, startBuffer: Bool, count: Int) {
        precondition(s.momentum == 0 || buffer != nil, "[sgd] momentum \(s.momentum) needs a momentum buffer")
        Parallel.forEachChunk(count) { r in
            for i in r {
                var g = s.maximize ? -grad[i] : grad[i]
                if s.weightDecay != 0 { g = fma(param[i], s.weightDecay, g) }
                if s.momentum != 0, let buf = buffer {
                    let b = startBuffer ? g : fma(g, s.dampeningComplement, buf[i] * s.momentum)
                    buf[i] = b
                    g = s.nesterov ? fma(b, s.momentum, g) : b
                }
                param[i] = fma(g, s.negativeLR, param[i])
            }
        }
    }

    /// `torch.optim.Adam`'s (and AdamW's) update, for one parameter at one step.
    public struct AdamStep: Sendable {
        public var maximize: Bool
        /// `weight_decay` added to the gradient (Adam's L2 form); 0 when none or decoupled.
        public var l2WeightDecay: Float
        /// `1 - lr * weight_decay`, the decoupled decay factor (AdamW); 1 when none.
        public var decayFactor: Float
        /// `1 - beta1`, the weight of `exp_avg.lerp_(grad, 1 - beta1)`.
        public var oneMinusBeta1: Float
        public var beta2: Float
        /// `1 - beta2`.
        public var oneMinusBeta2: Float
        /// `(1 - beta2 ** step) ** 0.5`.
        public var biasCorrection2Sqrt: Float
        public var eps: Float
        /// `-lr / (1 - beta1 ** step)`.
        public var negativeStepSize: Float

        public init(maximize: Bool, l2WeightDecay: Float, decayFactor: Float, oneMinusBeta1: Float, beta2: Float,
                    oneMinusBeta2: Float, biasCorrection2Sqrt: Float, eps: Float, negativeStepSize: Float) {
            self.maximize = maximize
            self.l2WeightDecay = l2WeightDecay
            self.decayFactor = decayFactor
            self.oneMinusBeta1 = oneMinusBeta1
            self.beta2 = beta2
            self.oneMinusBeta2 = oneMinusBeta2
            self.biasCorrection2Sqrt = biasCorrection2Sqrt
            self.eps = eps
            self.negativeStepSize = negativeStepSize
        }
    }

    /// One Adam step; `maxExpAvgSq` is given exactly when `amsgrad` is on.
    public static func adam(_ s: AdamStep, param: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>,
                            expAvg: UnsafeMutablePointer<Float>, expAvgSq: UnsafeMutablePointer<Float>,
                            maxExpAvgSq: UnsafeMutablePointer<Float>?, count: Int) {
        Parallel.forEachChunk(count) { r in
            for i in r {
                var g = s.maximize ? -grad[i] : grad[i]
                var p = param[i]
                if s.decayFactor != 1 { p *= s.decayFactor }
                if s.l2WeightDecay != 0 { g = fma(p, s.l2WeightDecay, g) }
                expAvg[i] = lerp(expAvg[i], g, s.oneMinusBeta1)
                let v = fma(s.oneMinusBeta2 * g, g, expAvgSq[i] * s.beta2)
                expAvgSq[i] = v
                var vHat = v
                if let vMax = maxExpAvgSq {
                    vHat = max(vMax[i], v)
                    vMax[i] = vHat
                }
                let denom = vHat.squareRoot() / s.biasCorrection2Sqrt + s.eps
                param[i] = p + (s.negativeStepSize * expAvg[i]) / denom
            }
        }
    }

    /// `torch.optim.RMSprop`'s update, for one parameter.
    public struct RMSpropStep: Sendable {
        public var maximize: Bool
        public var weightDecay: Float
        /// `alpha`, the smoothing constant.
        public var alpha: Float
        /// `1 - alpha`.
        public var oneMinusAlpha: Float
        public var eps: Float
        /// `momentum`; 0 means no momentum buffer.
        public var momentum: Float
        /// `-lr`.
        public var negativeLR: Float

        public init(maximize: Bool, weightDecay: Float, alpha: Float, oneMinusAlpha: Float, eps: Float, momentum: Float, negativeLR: Float) {
            self.maximize = maximize
            self.weightDecay = weightDecay
            self.alpha = alpha
            self.oneMinusAlpha = oneMinusAlpha
            self.eps = eps
            self.momentum = momentum
            self.negativeLR = negativeLR
        }
    }

    /// One RMSprop step; `gradAvg` is given exactly when `centered` is on, `buffer` exactly when
    /// `momentum > 0`.
    public static func rmsprop(_ s: RMSpropStep, param: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>,
                               squareAvg: UnsafeMutablePointer<Float>, gradAvg: UnsafeMutablePointer<Float>?,
                               buffer: UnsafeMutablePointer<Float>?, count: Int) {
        precondition((s.momentum > 0) == (buffer != nil), "[rmsprop] momentum \(s.momentum) and momentum buffer disagree")
        Parallel.forEachChunk(count) { r in
            for i in r {
                var g = s.maximize ? -grad[i] : grad[i]
                if s.weightDecay != 0 { g = fma(param[i], s.weightDecay, g) }
                let sq = fma(s.oneMinusAlpha * g, g, squareAvg[i] * s.alpha)
                squareAvg[i] = sq
                var avg: Float
                if let ga = gradAvg {
                    let m = lerp(ga[i], g, s.oneMinusAlpha)
                    ga[i] = m
                    avg = fma(-m, m, sq).squareRoot()
                } else {
                    avg = sq.squareRoot()
                }
                avg += s.eps
                if let buf = buffer {
                    let b = buf[i] * s.momentum + g / avg
                    buf[i] = b
                    param[i] = fma(b, s.negativeLR, param[i])
                } else {
                    param[i] = param[i] + (s.negativeLR * g) / avg
                }
            }
        }
    }

    /// `torch.optim.Adagrad`'s update, for one parameter at one step.
    public struct AdagradStep: Sendable {
        public var maximize: Bool
        public var weightDecay: Float
        public var eps: Float
        /// `-lr / (1 + (step - 1) * lr_decay)`.
        public var negativeClr: Float

        public init(maximize: Bool, weightDecay: Float, eps: Float, negativeClr: Float) {
            self.maximize = maximize
            self.weightDecay = weightDecay
            self.eps = eps
            self.negativeClr = negativeClr
        }
    }

    /// One Adagrad step (dense gradients).
    public static func adagrad(_ s: AdagradStep, param: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>,
                               sum: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.forEachChunk(count) { r in
            for i in r {
                var g = s.maximize ? -grad[i] : grad[i]
                if s.weightDecay != 0 { g = fma(param[i], s.weightDecay, g) }
                let acc = fma(g, g, sum[i])
                sum[i] = acc
                param[i] = param[i] + (s.negativeClr * g) / (acc.squareRoot() + s.eps)
            }
        }
    }

    // MARK: - Gradient clipping

    /// The sum of squares of `count` values, accumulated in Double. Chunks are added in a fixed
    /// order, so the result depends only on the count and the thread count, not on scheduling.
    public static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double {
        let chunks = max(1, min(Parallel.threadCount, count / 16_384))
        var partials = [Double](repeating: 0, count: chunks)
        partials.withUnsafeMutableBufferPointer { out in
            let out = out.baseAddress!
            Parallel.forEach(chunks) { t in
                var s: Double = 0
                for i in (count * t / chunks)..<(count * (t + 1) / chunks) { s += Double(x[i]) * Double(x[i]) }
                out[t] = s
            }
        }
        return partials.reduce(0, +)
    }

    /// x *= factor
    public static func scale(_ x: UnsafeMutablePointer<Float>, count: Int, by factor: Float) {
        Parallel.forEachChunk(count) { r in
            for i in r { x[i] *= factor }
        }
    }

    // MARK: - Helpers

    /// a * b + c with one rounding, as ATen's vectorised `fmadd`. Computed in Double, where the
    /// product of two Floats is exact, because the package targets baseline x86-64: Swift's
    /// `addingProduct` there becomes a call to `fmaf` per element, while this vectorises. The one
    /// difference from a true fma, double rounding of the sum, needs a Double result that falls
    /// exactly halfway between two Floats: about one case in 2^29.
    @inline(__always)
    static func fma(_ a: Float, _ b: Float, _ c: Float) -> Float {
        Float(Double(a) * Double(b) + Double(c))
    }

    /// ATen's `lerp(start, end, weight)`: the formula depends on which side of 0.5 the weight is.
    @inline(__always)
    static func lerp(_ start: Float, _ end: Float, _ weight: Float) -> Float {
        abs(weight) < 0.5 ? fma(weight, end - start, start) : fma(weight - 1, end - start, end)
    }
}
