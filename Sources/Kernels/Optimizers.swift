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
//
// Speed: each loop loads everything it reads before it stores anything (LLVM cannot rule out
// that the buffers overlap, and a load after a store keeps it from vectorising), and every
// per-call choice (weight decay or not, nesterov, amsgrad, ...) is made outside the loop through
// `specialize`, so the loop body holds no select that computes both of its sides.

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
        /// Nesterov momentum.
        public var nesterov: Bool
        /// `-lr`.
        public var negativeLR: Float

        /// The scalars as PyTorch casts them (see the file comment).
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
        let buf = s.momentum == 0 ? nil : buffer
        Parallel.forEachChunk(count) { r in
            specialize(s.weightDecay != 0) { decay in
                guard let buf else { return sgdLoop(s, param, grad, param, r, decay: decay, momentum: false, start: false, nesterov: false) }
                specialize(startBuffer) { start in
                    specialize(s.nesterov) { nesterov in
                        sgdLoop(s, param, grad, buf, r, decay: decay, momentum: true, start: start, nesterov: nesterov)
                    }
                }
            }
        }
    }

    @inline(__always)
    private static func sgdLoop(_ s: SGDStep, _ param: UnsafeMutablePointer<Float>, _ grad: UnsafePointer<Float>,
                                _ buf: UnsafeMutablePointer<Float>, _ r: Range<Int>,
                                decay: Bool, momentum: Bool, start: Bool, nesterov: Bool) {
        let sign: Float = s.maximize ? -1 : 1  // -g is g * -1, exactly
        for i in r {
            let p = param[i]
            var g = grad[i] * sign
            if decay { g = fma(p, s.weightDecay, g) }
            if momentum {
                let b = start ? g : fma(g, s.dampeningComplement, buf[i] * s.momentum)
                buf[i] = b
                g = nesterov ? fma(b, s.momentum, g) : b
            }
            param[i] = fma(g, s.negativeLR, p)
        }
    }

    /// `torch.optim.Adam`'s (and AdamW's) update, for one parameter at one step.
    public struct AdamStep: Sendable {
        /// Negate the gradient first (`maximize=True`).
        public var maximize: Bool
        /// `weight_decay` added to the gradient (Adam's L2 form); 0 when none or decoupled.
        public var l2WeightDecay: Float
        /// `1 - lr * weight_decay`, the decoupled decay factor (AdamW); 1 when none.
        public var decayFactor: Float
        /// `1 - beta1`, the weight of `exp_avg.lerp_(grad, 1 - beta1)`.
        public var oneMinusBeta1: Float
        /// `beta2`.
        public var beta2: Float
        /// `1 - beta2`.
        public var oneMinusBeta2: Float
        /// `(1 - beta2 ** step) ** 0.5`.
        public var biasCorrection2Sqrt: Float
        /// `eps`.
        public var eps: Float
        /// `-lr / (1 - beta1 ** step)`.
        public var negativeStepSize: Float

        /// The scalars as PyTorch casts them (see the file comment).
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
            specialize(s.l2WeightDecay != 0) { l2 in
                specialize(isSmallLerpWeight(s.oneMinusBeta1)) { small in
                    if let vMax = maxExpAvgSq {
                        adamLoop(s, param, grad, expAvg, expAvgSq, vMax, r, l2: l2, smallLerp: small, amsgrad: true)
                    } else {
                        adamLoop(s, param, grad, expAvg, expAvgSq, expAvgSq, r, l2: l2, smallLerp: small, amsgrad: false)
                    }
                }
            }
        }
    }

    @inline(__always)
    private static func adamLoop(_ s: AdamStep, _ param: UnsafeMutablePointer<Float>, _ grad: UnsafePointer<Float>,
                                 _ expAvg: UnsafeMutablePointer<Float>, _ expAvgSq: UnsafeMutablePointer<Float>,
                                 _ vMax: UnsafeMutablePointer<Float>, _ r: Range<Int>, l2: Bool, smallLerp: Bool, amsgrad: Bool) {
        let sign: Float = s.maximize ? -1 : 1
        for i in r {
            let p = param[i] * s.decayFactor  // exact when the factor is 1
            let (m0, v0, vMax0) = (expAvg[i], expAvgSq[i], amsgrad ? vMax[i] : 0)
            var g = grad[i] * sign
            if l2 { g = fma(p, s.l2WeightDecay, g) }
            let m = lerp(m0, g, s.oneMinusBeta1, small: smallLerp)
            let v = fma(s.oneMinusBeta2 * g, g, v0 * s.beta2)
            let vHat = amsgrad ? (vMax0 > v ? vMax0 : v) : v  // NaN propagates, as torch.maximum
            let denom = squareRoot(nonNegative: vHat) / s.biasCorrection2Sqrt + s.eps
            expAvg[i] = m
            expAvgSq[i] = v
            if amsgrad { vMax[i] = vHat }
            param[i] = p + (s.negativeStepSize * m) / denom
        }
    }

    /// `torch.optim.RMSprop`'s update, for one parameter.
    public struct RMSpropStep: Sendable {
        /// Negate the gradient first (`maximize=True`).
        public var maximize: Bool
        /// `weight_decay` added to the gradient; 0 adds nothing.
        public var weightDecay: Float
        /// `alpha`, the smoothing constant.
        public var alpha: Float
        /// `1 - alpha`.
        public var oneMinusAlpha: Float
        /// `eps`.
        public var eps: Float
        /// `momentum`; 0 means no momentum buffer.
        public var momentum: Float
        /// `-lr`.
        public var negativeLR: Float

        /// The scalars as PyTorch casts them (see the file comment).
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
        // Absent buffers are stood in for by squareAvg; the loops specialised for them never touch them.
        let (ga, buf) = (gradAvg ?? squareAvg, buffer ?? squareAvg)
        Parallel.forEachChunk(count) { r in
            specialize(s.weightDecay != 0) { decay in
                specialize(isSmallLerpWeight(s.oneMinusAlpha)) { small in
                    specialize(gradAvg != nil) { centered in
                        specialize(buffer != nil) { momentum in
                            rmspropLoop(s, param, grad, squareAvg, ga, buf, r, decay: decay, smallLerp: small,
                                        centered: centered, momentum: momentum)
                        }
                    }
                }
            }
        }
    }

    @inline(__always)
    private static func rmspropLoop(_ s: RMSpropStep, _ param: UnsafeMutablePointer<Float>, _ grad: UnsafePointer<Float>,
                                    _ squareAvg: UnsafeMutablePointer<Float>, _ gradAvg: UnsafeMutablePointer<Float>,
                                    _ buf: UnsafeMutablePointer<Float>, _ r: Range<Int>,
                                    decay: Bool, smallLerp: Bool, centered: Bool, momentum: Bool) {
        let sign: Float = s.maximize ? -1 : 1
        for i in r {
            let (p, sq0) = (param[i], squareAvg[i])
            let (m0, b0) = (centered ? gradAvg[i] : 0, momentum ? buf[i] : 0)
            var g = grad[i] * sign
            if decay { g = fma(p, s.weightDecay, g) }
            let sq = fma(s.oneMinusAlpha * g, g, sq0 * s.alpha)
            squareAvg[i] = sq
            var avg: Float
            if centered {
                let m = lerp(m0, g, s.oneMinusAlpha, small: smallLerp)
                gradAvg[i] = m
                avg = squareRoot(fma(-m, m, sq))  // may round below 0: NaN, as in PyTorch
            } else {
                avg = squareRoot(nonNegative: sq)
            }
            avg += s.eps
            if momentum {
                let b = b0 * s.momentum + g / avg
                buf[i] = b
                param[i] = fma(b, s.negativeLR, p)
            } else {
                param[i] = p + (s.negativeLR * g) / avg
            }
        }
    }

    /// `torch.optim.Adagrad`'s update, for one parameter at one step.
    public struct AdagradStep: Sendable {
        /// Negate the gradient first (`maximize=True`).
        public var maximize: Bool
        /// `weight_decay` added to the gradient; 0 adds nothing.
        public var weightDecay: Float
        /// `eps`.
        public var eps: Float
        /// `-lr / (1 + (step - 1) * lr_decay)`.
        public var negativeClr: Float

        /// The scalars as PyTorch casts them (see the file comment).
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
        let sign: Float = s.maximize ? -1 : 1
        Parallel.forEachChunk(count) { r in
            specialize(s.weightDecay != 0) { decay in
                for i in r {
                    let (p, acc0) = (param[i], sum[i])
                    var g = grad[i] * sign
                    if decay { g = fma(p, s.weightDecay, g) }
                    let acc = fma(g, g, acc0)
                    sum[i] = acc
                    param[i] = p + (s.negativeClr * g) / (squareRoot(nonNegative: acc) + s.eps)
                }
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
                // Eight running sums, so the additions need not wait for each other.
                var lanes = SIMD8<Double>()
                let (lo, hi) = (count * t / chunks, count * (t + 1) / chunks)
                var i = lo
                while i + 8 <= hi {
                    for k in 0..<8 { lanes[k] += Double(x[i + k]) * Double(x[i + k]) }
                    i += 8
                }
                for j in i..<hi { lanes[0] += Double(x[j]) * Double(x[j]) }
                out[t] = lanes.sum()
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

    /// The square root of a value known not to be negative (NaN passes through). On Linux,
    /// `squareRoot()` is a call to `sqrtf`, which may set errno and so keeps a loop from being
    /// vectorised; LLVM turns the root of an `abs` into a plain `sqrtps`. Exact for x >= 0.
    @inline(__always)
    static func squareRoot(nonNegative x: Float) -> Float { abs(x).squareRoot() }

    /// The square root of any value: NaN below 0, as `torch.sqrt`, and still vectorisable.
    @inline(__always)
    static func squareRoot(_ x: Float) -> Float { x < 0 ? .nan : abs(x).squareRoot() }

    /// ATen's `lerp(start, end, weight)`, whose formula depends on which side of 0.5 the weight
    /// is (`small`: `isSmallLerpWeight(weight)`, decided once per loop).
    @inline(__always)
    static func lerp(_ start: Float, _ end: Float, _ weight: Float, small: Bool) -> Float {
        small ? fma(weight, end - start, start) : fma(weight - 1, end - start, end)
    }

    @inline(__always)
    static func isSmallLerpWeight(_ weight: Float) -> Bool { abs(weight) < 0.5 }

    /// Runs `body` with `flag` as a constant. `body` is inlined into both branches, so an
    /// always-inlined loop inside it is compiled once per value with the test folded away.
    @inline(__always)
    static func specialize(_ flag: Bool, _ body: (Bool) -> Void) {
        if flag { body(true) } else { body(false) }
    }
}
