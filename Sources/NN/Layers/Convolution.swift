import Autograd
import Kernels

/// `nn.Conv2d`: weight [out, in / groups, kh, kw] and bias [out], as PyTorch stores them.
public final class Conv2d: Layer {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: IntOrPair, padding: IntOrPair, dilation: IntOrPair
    /// Channel groups: 1 for a full convolution, `in` for a depthwise one.
    public let groups: Int

    /// Initialised as the spec says, or with PyTorch's defaults (kaiming_uniform with a = sqrt(5)
    /// for the weight, U(±1/sqrt(in/groups·kh·kw)) for the bias). `inChannels` and `outChannels`
    /// must be divisible by `groups`.
    public init(inChannels: Int, outChannels: Int, kernel: IntOrPair, stride: IntOrPair = 1,
                padding: IntOrPair = 0, dilation: IntOrPair = 1, groups: Int = 1, bias: Bool = true,
                weightInit: Initializer? = nil, biasInit: Initializer? = nil,
                rng: inout RandomGenerator) throws(InitializerError) {
        precondition(groups > 0 && inChannels % groups == 0 && outChannels % groups == 0,
                     "[conv2d] \(inChannels) input and \(outChannels) output channels do not split into \(groups) groups")
        weight = Tensor.zeros([outChannels, inChannels / groups, kernel.height, kernel.width], requiresGrad: true)
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        try (weightInit ?? .pytorchDefaultWeight).apply(to: weight, rng: &rng)
        self.bias = bias ? try makeBias(outChannels, biasInit, weightShape: weight.shape, rng: &rng) : nil
    }

    public var parameters: [NamedParameter] {
        [(name: "weight", tensor: weight)] + (bias.map { [(name: "bias", tensor: $0)] } ?? [])
    }

    public func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        x.conv2d(weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
}

/// A bias vector initialised as given, or with PyTorch's default for a layer whose weight has
/// `weightShape`.
func makeBias(_ count: Int, _ initializer: Initializer?, weightShape: Shape,
              rng: inout RandomGenerator) throws(InitializerError) -> Tensor {
    let bias = Tensor.zeros([count], requiresGrad: true)
    let chosen: Initializer
    if let initializer { chosen = initializer } else { chosen = try .pytorchDefaultBias(weightShape: weightShape) }
    try chosen.apply(to: bias, rng: &rng)
    return bias
}

/// `nn.MaxPool2d` and `nn.AvgPool2d` (padding counted in averages, as PyTorch's default).
public final class Pool2d: Layer {
    public enum Kind: Sendable { case max, average }
    public let kind: Kind
    public let kernel: IntOrPair, stride: IntOrPair, padding: IntOrPair

    public init(_ kind: Kind, kernel: IntOrPair, stride: IntOrPair? = nil, padding: IntOrPair = 0) {
        self.kind = kind
        self.kernel = kernel
        self.stride = stride ?? kernel
        self.padding = padding
    }

    public func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        switch kind {
        case .max: x.maxPool2d(kernelSize: kernel, stride: stride, padding: padding)
        case .average: x.avgPool2d(kernelSize: kernel, stride: stride, padding: padding)
        }
    }
}

/// `nn.AdaptiveAvgPool2d` and `nn.AdaptiveMaxPool2d`: pooling to a fixed output size whatever
/// the input's (1 x 1 is global pooling).
public final class AdaptivePool2d: Layer {
    public let kind: Pool2d.Kind
    public let outputSize: IntOrPair

    public init(_ kind: Pool2d.Kind, outputSize: IntOrPair) {
        self.kind = kind
        self.outputSize = outputSize
    }

    public func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        switch kind {
        case .max: x.adaptiveMaxPool2d(outputSize)
        case .average: x.adaptiveAvgPool2d(outputSize)
        }
    }
}
