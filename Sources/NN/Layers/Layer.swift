import Autograd
import Kernels

/// What a forward pass needs besides its input: whether the model is training (batch statistics,
/// dropout) and the generator dropout draws from. The model owns it and passes it down; there is
/// no global learning phase.
public struct ForwardContext {
    public var training: Bool
    public var rng: RandomGenerator
    /// In a data-parallel job, where this process's rows start in the whole batch (dropout draws
    /// a row's mask from its place in the whole batch); 0 otherwise.
    public var firstRow: Int
    /// In a data-parallel job, the sum over its processes that batch statistics are taken with.
    public var replicas: (any ReplicaSum)?

    public init(training: Bool, rng: RandomGenerator, firstRow: Int = 0, replicas: (any ReplicaSum)? = nil) {
        self.training = training
        self.rng = rng
        self.firstRow = firstRow
        self.replicas = replicas
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
///
/// A layer may stand for several consecutive positions (a fused block standing for a convolution,
/// its pooling and its activation): its parameters are named by the first of them, where the
/// equivalent `nn.Sequential` keeps the convolution's, and the positions after it keep their numbers.
public final class Sequential: Layer {
    /// A layer and the positions of the equivalent `nn.Sequential` it stands for.
    public struct Entry {
        public let positions: Range<Int>
        public let layer: any Layer

        public init(positions: Range<Int>, layer: any Layer) {
            precondition(!positions.isEmpty, "[sequential] a layer must stand for at least one position")
            self.positions = positions
            self.layer = layer
        }
    }

    public let entries: [Entry]

    /// One position per layer.
    public convenience init(_ layers: [any Layer]) {
        self.init(entries: layers.enumerated().map { Entry(positions: $0.offset ..< $0.offset + 1, layer: $0.element) })
    }

    /// Entries whose positions follow one another from 0.
    public init(entries: [Entry]) {
        var next = 0
        for e in entries {
            precondition(e.positions.lowerBound == next, "[sequential] positions must follow one another from 0: \(e.positions) after \(next)")
            next = e.positions.upperBound
        }
        self.entries = entries
    }

    public var layers: [any Layer] { entries.map(\.layer) }

    public var parameters: [NamedParameter] { prefixed(\.parameters) }
    public var buffers: [NamedParameter] { prefixed(\.buffers) }
    public var counters: [(name: String, value: Int)] {
        entries.flatMap { e in e.layer.counters.map { ("\(e.positions.lowerBound).\($0.name)", $0.value) } }
    }

    public func setCounter(_ name: String, to value: Int) {
        guard let dot = name.firstIndex(of: "."), let i = Int(name[..<dot]),
              let entry = entries.first(where: { $0.positions.lowerBound == i }) else { return }
        entry.layer.setCounter(String(name[name.index(after: dot)...]), to: value)
    }

    public func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        var h = x
        for e in entries { h = e.layer(h, &context) }
        return h
    }

    private func prefixed(_ list: (any Layer) -> [NamedParameter]) -> [NamedParameter] {
        entries.flatMap { e in list(e.layer).map { (name: "\(e.positions.lowerBound).\($0.name)", tensor: $0.tensor) } }
    }
}
