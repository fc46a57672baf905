import Autograd

/// A parameter-free elementwise or per-row function as a layer (`nn.ReLU`, `nn.ELU`, ...).
public final class ActivationLayer: Layer {
    public enum Function: Equatable, Sendable {
        case relu
        case leakyReLU(negativeSlope: Float)
        case elu(alpha: Float)
        case sigmoid
        case tanh
        /// Over `axis` of the tensor, batch axis included (PyTorch's `dim`).
        case softmax(axis: Int)
        case logSoftmax(axis: Int)
        case identity
    }

    public let function: Function

    public init(_ function: Function) { self.function = function }

    public func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        switch function {
        case .relu: x.relu()
        case .leakyReLU(let slope): x.leakyRelu(negativeSlope: slope)
        case .elu(let alpha): x.elu(alpha: alpha)
        case .sigmoid: x.sigmoid()
        case .tanh: x.tanh()
        case .softmax(let axis): x.softmax(axis: axis)
        case .logSoftmax(let axis): x.logSoftmax(axis: axis)
        case .identity: x
        }
    }
}

/// `nn.Flatten`: merges axes `start...end` (batch axis 0 kept by the default start of 1); a view.
public final class Flatten: Layer {
    public let start: Int, end: Int

    public init(start: Int = 1, end: Int = -1) {
        self.start = start
        self.end = end
    }

    public func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        x.flattened(fromAxis: start, throughAxis: end)
    }
}
