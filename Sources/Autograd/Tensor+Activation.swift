import Kernels

extension Tensor {
    /// max(x, 0), elementwise; the gradient at exactly 0 is 0, as in PyTorch.
    public func relu() -> Tensor {
        elementwise({ Activation.relu($0, $1, count: $2) }) { x, _, dy, dx, n, acc in
            Activation.reluBackward(x, dy, dx, count: n, accumulate: acc)
        }
    }

    /// x > 0 ? x : negativeSlope * x, elementwise (PyTorch's default slope is 0.01).
    public func leakyRelu(negativeSlope: Float = 0.01) -> Tensor {
        elementwise({ Activation.leakyRelu($0, $1, count: $2, slope: negativeSlope) }) { x, _, dy, dx, n, acc in
            Activation.leakyReluBackward(x, dy, dx, count: n, slope: negativeSlope, accumulate: acc)
        }
    }

    /// x > 0 ? x : alpha (e^x - 1), elementwise.
    public func elu(alpha: Float = 1) -> Tensor {
        elementwise({ Activation.elu($0, $1, count: $2, alpha: alpha) }) { x, _, dy, dx, n, acc in
            Activation.eluBackward(x, dy, dx, count: n, alpha: alpha, accumulate: acc)
        }
    }

    /// x Φ(x), the Gaussian error linear unit, elementwise; `approximate` uses PyTorch's tanh
    /// form (`approximate='tanh'`) instead of the exact erf one.
    public func gelu(approximate: Bool = false) -> Tensor {
        elementwise({ Activation.gelu($0, $1, count: $2, tanh: approximate) }) { x, _, dy, dx, n, acc in
            Activation.geluBackward(x, dy, dx, count: n, tanh: approximate, accumulate: acc)
        }
    }

    /// x σ(x), the sigmoid linear unit (swish), elementwise.
    public func silu() -> Tensor {
        elementwise({ Activation.silu($0, $1, count: $2) }) { x, _, dy, dx, n, acc in
            Activation.siluBackward(x, dy, dx, count: n, accumulate: acc)
        }
    }

    /// log(1 + e^(βx)) / β elementwise, and x where βx > threshold (PyTorch's defaults: β 1,
    /// threshold 20).
    public func softplus(beta: Float = 1, threshold: Float = 20) -> Tensor {
        elementwise({ Activation.softplus($0, $1, count: $2, beta: beta, threshold: threshold) }) { x, _, dy, dx, n, acc in
            Activation.softplusBackward(x, dy, dx, count: n, beta: beta, threshold: threshold, accumulate: acc)
        }
    }

    /// 1 / (1 + e^-x), elementwise; the backward uses the result, not the input.
    public func sigmoid() -> Tensor {
        elementwise({ Activation.sigmoid($0, $1, count: $2) }) { _, y, dy, dx, n, acc in
            Activation.sigmoidBackward(y, dy, dx, count: n, accumulate: acc)
        }
    }

    /// tanh(x), elementwise; the backward uses the result.
    public func tanh() -> Tensor {
        elementwise({ Activation.tanh($0, $1, count: $2) }) { _, y, dy, dx, n, acc in
            Activation.tanhBackward(y, dy, dx, count: n, accumulate: acc)
        }
    }

    /// e^x / Σ e^x along `axis` (negative counts from the end), computed stably from x - max.
    public func softmax(axis: Int) -> Tensor {
        let (outer, n, inner) = shape.lanes(around: axis)
        return elementwise({ x, y, _ in Activation.softmax(x, y, outer: outer, n: n, inner: inner) }) { _, y, dy, dx, _, acc in
            Activation.softmaxBackward(y, dy, dx, outer: outer, n: n, inner: inner, accumulate: acc)
        }
    }

    /// x - log Σ e^x along `axis`, computed stably from x - max.
    public func logSoftmax(axis: Int) -> Tensor {
        let (outer, n, inner) = shape.lanes(around: axis)
        return elementwise({ x, y, _ in Activation.logSoftmax(x, y, outer: outer, n: n, inner: inner) }) { _, y, dy, dx, _, acc in
            Activation.logSoftmaxBackward(y, dy, dx, outer: outer, n: n, inner: inner, accumulate: acc)
        }
    }

    /// A shape-preserving op: `forward(x, y, count)` fills the result; `backward(x, y, dy, dx,
    /// count, accumulate)` writes or adds the input's gradient from the input, result and the
    /// result's gradient.
    private func elementwise(
        _ forward: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void,
        backward: @escaping (_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                             _ dx: UnsafeMutablePointer<Float>, _ count: Int, _ accumulate: Bool) -> Void
    ) -> Tensor {
        let out = Tensor(uninitialized: shape)
        forward(data, out.data, count)
        return out.recordingBackward([self]) { out, g in
            self.accumulateGradient { dx, acc in backward(self.data, out.data, g.data, dx, self.count, acc) }
        }
    }
}
