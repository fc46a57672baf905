import Autograd
import Kernels

/// What a forward pass needs besides its input: whether the model is training (batch statistics,
/// dropout) and the generator dropout draws from. The model owns it and passes it down; there is
/// no global learning phase.
public struct ForwardContext {
    public var training: Bool
    public var rng: RandomGenerator

    public init(training: Bool, rng: RandomGenerator) {
        self.training = training
        self.rng = rng
    }
}

/// A layer: a small class holding its parameters and buffers, called on a tensor.
///
/// Names follow PyTorch's modules (`weight`, `bias`, `running_mean`), so a model's `state_dict`
/// names are PyTorch's.
public protocol Layer: AnyObject {
    /// Trainable tensors by their local PyTorch names, in `state_dict` order.
    var parameters: [NamedParameter] { get }
    /// Saved, non-trainable tensors (PyTorch buffers such as `running_mean`), in `state_dict` order.
    var buffers: [NamedParameter] { get }
    /// Saved integer counters (PyTorch's int64 buffers, such as BatchNorm's `num_batches_tracked`).
    var counters: [(name: String, value: Int)] { get }
    /// Restores a counter saved by `counters`.
    func setCounter(_ name: String, to value: Int)
    /// The layer's output for `x`, a batch (batch axis first).
    func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor
}

extension Layer {
    public var parameters: [NamedParameter] { [] }
    public var buffers: [NamedParameter] { [] }
    public var counters: [(name: String, value: Int)] { [] }
    public func setCounter(_ name: String, to value: Int) {}
}

/// Layers run one after another, named "0", "1", ... as in `nn.Sequential`: every layer takes an
/// index, parameter-free ones included, so `embedding.4.weight` means the same in both.
public final class Sequential: Layer {
    public let layers: [any Layer]

    public init(_ layers: [any Layer]) { self.layers = layers }

    public var parameters: [NamedParameter] { prefixed(\.parameters) }
    public var buffers: [NamedParameter] { prefixed(\.buffers) }
    public var counters: [(name: String, value: Int)] {
        layers.enumerated().flatMap { i, l in l.counters.map { ("\(i).\($0.name)", $0.value) } }
    }

    public func setCounter(_ name: String, to value: Int) {
        guard let dot = name.firstIndex(of: "."), let i = Int(name[..<dot]), layers.indices.contains(i) else { return }
        layers[i].setCounter(String(name[name.index(after: dot)...]), to: value)
    }

    public func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        var h = x
        for layer in layers { h = layer(h, &context) }
        return h
    }

    private func prefixed(_ list: (any Layer) -> [NamedParameter]) -> [NamedParameter] {
        layers.enumerated().flatMap { i, l in list(l).map { (name: "\(i).\($0.name)", tensor: $0.tensor) } }
    }
}
