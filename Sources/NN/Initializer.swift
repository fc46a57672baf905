#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Autograd
import Kernels

/// A way to fill a parameter tensor, as the functions of `torch.nn.init` (torch 2.13,
/// torch/nn/init.py), with their argument names and defaults. Random draws come from the
/// caller's `RandomGenerator`, so the values are specrun's own (not PyTorch's bit stream), while
/// the distributions, bounds and standard deviations are PyTorch's exactly.
public enum Initializer: Equatable, Sendable {
    /// `kaiming_uniform_`: U(-bound, bound), bound = gain(nonlinearity, a) * sqrt(3 / fan).
    case kaimingUniform(a: Double = 0, mode: FanMode = .fanIn, nonlinearity: Nonlinearity = .leakyReLU)
    /// `kaiming_normal_`: N(0, std), std = gain(nonlinearity, a) / sqrt(fan).
    case kaimingNormal(a: Double = 0, mode: FanMode = .fanIn, nonlinearity: Nonlinearity = .leakyReLU)
    /// `xavier_uniform_`: U(-bound, bound), bound = gain * sqrt(6 / (fan_in + fan_out)).
    case xavierUniform(gain: Double = 1)
    /// `xavier_normal_`: N(0, std), std = gain * sqrt(2 / (fan_in + fan_out)).
    case xavierNormal(gain: Double = 1)
    /// `uniform_`: U(a, b).
    case uniform(a: Double = 0, b: Double = 1)
    /// `normal_`: N(mean, std).
    case normal(mean: Double = 0, std: Double = 1)
    /// `constant_`: every element `val`.
    case constant(val: Double)
    /// `zeros_`
    case zeros
    /// `ones_`
    case ones

    /// Which fan the Kaiming initializers scale by.
    public enum FanMode: String, Sendable, CaseIterable {
        case fanIn = "fan_in", fanOut = "fan_out"
    }

    /// The nonlinearities `torch.nn.init.calculate_gain` knows, under its names (`rawValue`).
    public enum Nonlinearity: String, Sendable, CaseIterable {
        case linear, conv1d, conv2d, conv3d
        case convTranspose1d = "conv_transpose1d", convTranspose2d = "conv_transpose2d", convTranspose3d = "conv_transpose3d"
        case sigmoid, tanh, relu
        case leakyReLU = "leaky_relu"
        case selu
    }

    /// What an initializer draws from for a tensor of a given shape.
    public enum Distribution: Equatable, Sendable {
        case uniform(low: Double, high: Double)
        case normal(mean: Double, std: Double)
        case constant(Double)
    }

    /// PyTorch's default for the weight of `nn.Linear` and `nn.Conv*d` (`reset_parameters`):
    /// kaiming_uniform with a = sqrt(5), which is U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    public static let pytorchDefaultWeight = Initializer.kaimingUniform(a: 5.0.squareRoot())

    /// PyTorch's default for the bias of `nn.Linear` and `nn.Conv*d`: U(-1/sqrt(fan_in),
    /// 1/sqrt(fan_in)) with the fan-in of the layer's weight (bound 0 when fan_in is 0).
    public static func pytorchDefaultBias(weightShape: Shape) throws(InitializerError) -> Initializer {
        let fanIn = try fans(of: weightShape, for: "default bias").fanIn
        let bound = fanIn > 0 ? 1 / Double(fanIn).squareRoot() : 0
        return .uniform(a: -bound, b: bound)
    }

    /// `torch.nn.init._calculate_fan_in_and_fan_out`: dimension 1 times the receptive field (the
    /// product of dimensions 2...), and dimension 0 times the receptive field.
    public static func fans(of shape: Shape) throws(InitializerError) -> (fanIn: Int, fanOut: Int) {
        try fans(of: shape, for: "fan")
    }

    private static func fans(of shape: Shape, for name: String) throws(InitializerError) -> (fanIn: Int, fanOut: Int) {
        guard shape.rank >= 2 else {
            throw InitializerError("[\(name)] fan in and fan out need a tensor of rank 2 or more, got shape \(shape)")
        }
        let receptive = shape.product(2..<shape.rank)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    /// `torch.nn.init.calculate_gain`: the recommended gain for a nonlinearity; `param` is
    /// leaky_relu's negative slope (0.01 when nil) and is ignored by the others.
    public static func calculateGain(_ nonlinearity: Nonlinearity, param: Double? = nil) -> Double {
        switch nonlinearity {
        case .linear, .conv1d, .conv2d, .conv3d, .convTranspose1d, .convTranspose2d, .convTranspose3d, .sigmoid: 1
        case .tanh: 5.0 / 3
        case .relu: 2.0.squareRoot()
        case .leakyReLU:
            (2.0 / (1 + pow(param ?? 0.01, 2))).squareRoot()
        case .selu: 3.0 / 4
        }
    }

    /// The name of the `torch.nn.init` function, without its trailing underscore.
    public var name: String {
        switch self {
        case .kaimingUniform: "kaiming_uniform"
        case .kaimingNormal: "kaiming_normal"
        case .xavierUniform: "xavier_uniform"
        case .xavierNormal: "xavier_normal"
        case .uniform: "uniform"
        case .normal: "normal"
        case .constant: "constant"
        case .zeros: "zeros"
        case .ones: "ones"
        }
    }

    /// The distribution this initializer draws from for a tensor of `shape`, computed as PyTorch
    /// computes it (the same Double operations in the same order). Throws where PyTorch raises:
    /// a fan-based initializer on a tensor of rank below 2.
    public func distribution(for shape: Shape) throws(InitializerError) -> Distribution {
        switch self {
        case .kaimingUniform(let a, let mode, let nonlinearity):
            let std = try kaimingStd(shape, a, mode, nonlinearity)
            let bound = 3.0.squareRoot() * std
            return .uniform(low: -bound, high: bound)
        case .kaimingNormal(let a, let mode, let nonlinearity):
            return .normal(mean: 0, std: try kaimingStd(shape, a, mode, nonlinearity))
        case .xavierUniform(let gain):
            let bound = 3.0.squareRoot() * (try xavierStd(shape, gain))
            return .uniform(low: -bound, high: bound)
        case .xavierNormal(let gain):
            return .normal(mean: 0, std: try xavierStd(shape, gain))
        case .uniform(let a, let b): return .uniform(low: a, high: b)
        case .normal(let mean, let std): return .normal(mean: mean, std: std)
        case .constant(let val): return .constant(val)
        case .zeros: return .constant(0)
        case .ones: return .constant(1)
        }
    }

    /// Fills `tensor` in place. A tensor with no elements is left alone (PyTorch warns and
    /// returns). Draws one uniform or normal sample per element from `rng`, in row-major order.
    public func apply(to tensor: Tensor, rng: inout RandomGenerator) throws(InitializerError) {
        guard tensor.count > 0 else { return }
        let x = tensor.data
        switch try distribution(for: tensor.shape) {
        case .uniform(let low, let high):
            let (lo, hi) = (Float(low), Float(high))
            for i in 0..<tensor.count { x[i] = rng.uniform(lo, hi) }
        case .normal(let mean, let std):
            for i in 0..<tensor.count { x[i] = Float(mean + std * Double(rng.normal())) }
        case .constant(let value):
            x.update(repeating: Float(value), count: tensor.count)
        }
    }

    private func kaimingStd(_ shape: Shape, _ a: Double, _ mode: FanMode, _ nonlinearity: Nonlinearity) throws(InitializerError) -> Double {
        let (fanIn, fanOut) = try Initializer.fans(of: shape, for: name)
        let fan = mode == .fanIn ? fanIn : fanOut
        guard fan > 0 else { throw InitializerError("[\(name)] \(mode.rawValue) of shape \(shape) is 0") }
        return Initializer.calculateGain(nonlinearity, param: a) / Double(fan).squareRoot()
    }

    private func xavierStd(_ shape: Shape, _ gain: Double) throws(InitializerError) -> Double {
        let (fanIn, fanOut) = try Initializer.fans(of: shape, for: name)
        guard fanIn + fanOut > 0 else { throw InitializerError("[\(name)] fan_in + fan_out of shape \(shape) is 0") }
        return gain * (2.0 / Double(fanIn + fanOut)).squareRoot()
    }
}

/// An initializer that cannot apply to a tensor of the given shape.
public struct InitializerError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The message, starting with the initializer in brackets.
    public var description: String
    /// An error with this message.
    public init(_ description: String) { self.description = description }
}
