import Autograd
import Kernels

/// `nn.Conv2d`, `nn.MaxPool2d(kernel)` and an optional ReLU, leaky ReLU or ELU as one layer, computed
/// by the fused `conv2dMaxPool` so the convolution's output is never stored. It holds the
/// convolution itself: the same parameters, initialised the same way, named `weight` and `bias`.
/// In a `Sequential` it stands for the two or three positions of the layers it replaces.
public final class ConvPoolBlock: Layer {
    public let conv: Conv2d
    public let poolKernel: IntOrPair
    public let activation: MonotoneActivation

    public init(conv: Conv2d, poolKernel: IntOrPair = 2, activation: MonotoneActivation = .none) {
        self.conv = conv
        self.poolKernel = poolKernel
        self.activation = activation
    }

    public var parameters: [NamedParameter] { conv.parameters }

    public func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        x.conv2dMaxPool(conv.weight, bias: conv.bias, stride: conv.stride, padding: conv.padding, dilation: conv.dilation,
                        poolKernel: poolKernel, activation: activation)
    }
}
