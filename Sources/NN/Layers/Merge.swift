import Autograd

/// A node that joins several tensors into one (a concat or add node of a spec).
public protocol MergeModule: AnyObject {
    /// The result for the tensors, in the order the node names them.
    func callAsFunction(_ inputs: [Tensor]) -> Tensor
}

/// `torch.cat` along `axis` (the batch axis is 0).
public final class Concatenation: MergeModule {
    public let axis: Int

    public init(axis: Int) { self.axis = axis }

    public func callAsFunction(_ inputs: [Tensor]) -> Tensor { Tensor.concat(inputs, axis: axis) }
}

/// The elementwise sum of tensors of one shape.
public final class Sum: MergeModule {
    public init() {}

    public func callAsFunction(_ inputs: [Tensor]) -> Tensor { inputs.dropFirst().reduce(inputs[0]) { $0 + $1 } }
}
