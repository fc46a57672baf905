import Autograd

/// A parameter-free function as a layer (`nn.ReLU`, `nn.Softmax`, ...): the op, forward and
/// backward, is the tensor method the closure calls.
public final class ActivationLayer: Layer {
    /// The function's name, for descriptions: `relu`.
    public let name: String
    private let apply: @Sendable (Tensor) -> Tensor

    public init(_ name: String, _ apply: @escaping @Sendable (Tensor) -> Tensor) {
        self.name = name
        self.apply = apply
    }

    public func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor { apply(x) }
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
