import Autograd
import Kernels

/// `nn.Linear`: y = x Wᵀ + b, weight [out, in] and bias [out] as PyTorch stores them.
public final class Linear: Layer {
    public let weight: Tensor
    public let bias: Tensor?

    /// Initialised as the spec says, or with PyTorch's defaults (kaiming_uniform with a = sqrt(5)
    /// for the weight, U(±1/sqrt(in)) for the bias).
    public init(inFeatures: Int, outFeatures: Int, bias: Bool = true,
                weightInit: Initializer? = nil, biasInit: Initializer? = nil,
                rng: inout RandomGenerator) throws(InitializerError) {
        weight = Tensor.zeros([outFeatures, inFeatures], requiresGrad: true)
        try (weightInit ?? .pytorchDefaultWeight).apply(to: weight, rng: &rng)
        self.bias = bias ? try makeBias(outFeatures, biasInit, weightShape: weight.shape, rng: &rng) : nil
    }

    public var parameters: [NamedParameter] {
        [(name: "weight", tensor: weight)] + (bias.map { [(name: "bias", tensor: $0)] } ?? [])
    }

    public func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        x.linear(weight, bias)
    }
}
