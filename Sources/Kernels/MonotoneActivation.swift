/// An activation applied after max pooling that may instead be applied before it: a monotone
/// non-decreasing f has max(f(a), f(b)) = f(max(a, b)), ties included (equal inputs give equal
/// outputs, and a larger input never gives a smaller output), and NaN stays NaN either way. So a
/// fused kernel applies it once per pooled output instead of once per convolution output.
public enum MonotoneActivation: Sendable, Hashable, CustomStringConvertible {
    case none
    case relu
    case leakyRelu(slope: Float)
    case elu(alpha: Float)

    /// False for a leaky ReLU with a negative slope or an ELU with a negative alpha: those are not
    /// monotone, and their maximum is not the activation of the maximum.
    public var isMonotone: Bool {
        switch self {
        case .none, .relu: true
        case .leakyRelu(let slope): slope >= 0
        case .elu(let alpha): alpha >= 0
        }
    }

    public var description: String {
        switch self {
        case .none: "none"
        case .relu: "relu"
        case .leakyRelu(let slope): "leaky_relu(\(slope))"
        case .elu(let alpha): "elu(\(alpha))"
        }
    }

    /// y = f(x) over `count` floats of distinct arrays, by `Activation`'s kernels, so the results
    /// equal the separate layers' bit for bit.
    func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .none: y.update(from: x, count: count)
        case .relu: Activation.relu(x, y, count: count)
        case .leakyRelu(let slope): Activation.leakyRelu(x, y, count: count, slope: slope)
        case .elu(let alpha): Activation.elu(x, y, count: count, alpha: alpha)
        }
    }

    /// dy f'(x) for sixteen pooled outputs, from their results y, by `Activation`'s backward
    /// formulas with y > 0 for x > 0 (the same test for a slope or alpha >= 0).
    ///
    /// ELU's alpha e^x is y + alpha here, as PyTorch computes it for an in-place ELU, instead of
    /// from x as `Activation.eluBackward` does: keeping x (or e^x) would cost a pooled-size buffer
    /// written by the forward and read by the backward, about a fifth of the fused block's time on
    /// the seed's shapes. The price is absolute, not relative, accuracy where e^x is tiny: the
    /// derivative is off by at most an ulp of alpha (6e-8 alpha), where e^x < 0.01 (x < -4.6).
    @inline(__always)
    func gradient(_ dy: SIMD16<Float>, _ y: SIMD16<Float>) -> SIMD16<Float> {
        switch self {
        case .none: dy
        case .relu: SIMD16<Float>().replacing(with: dy, where: y .> 0)
        case .leakyRelu(let slope): (dy * slope).replacing(with: dy, where: y .> 0)
        case .elu(let alpha): (dy * (y + alpha)).replacing(with: dy, where: y .> 0)
        }
    }
}
