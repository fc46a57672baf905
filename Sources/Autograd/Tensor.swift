import Kernels

/// A Float32 tensor: a shape, contiguous row-major storage, and what reverse-mode differentiation
/// needs to send gradients back through the operation that made it.
///
/// A tensor made by an operation on inputs of which at least one `requiresGrad` records that
/// operation's backward; otherwise nothing is recorded and no intermediate is kept alive, which is
/// how evaluation runs without gradients (the model turns `requiresGrad` off on its parameters).
/// Views (`reshaped`, `detached`) share storage.
public final class Tensor {
    public let shape: Shape
    public let storage: FloatBuffer
    // The mutable properties below skip Swift's dynamic exclusivity checks: a training step
    // touches them a few hundred times, and the checks were 8% of the instructions of a water-MLP
    // step (callgrind). A graph is used by one thread at a time, so no access overlaps.

    /// Whether gradients flow to this tensor. Set it on parameters; results inherit it.
    @exclusivity(unchecked) public var requiresGrad: Bool
    /// The accumulated gradient after `backward()`; kept on leaves (parameters) only.
    @exclusivity(unchecked) public internal(set) var grad: Tensor?

    /// The tensors this one was computed from, for the topological walk in `backward()`.
    @exclusivity(unchecked) var parents: [Tensor] = []
    /// Sends this tensor's gradient (the second argument) into its parents' gradients.
    @exclusivity(unchecked) var backwardFunction: ((_ output: Tensor, _ grad: Tensor) -> Void)?
    /// Set on the tensors of a graph while `backward()` walks it.
    @exclusivity(unchecked) var isVisited = false

    /// A tensor over existing storage (a view when the storage is shared).
    public init(shape: Shape, storage: FloatBuffer, requiresGrad: Bool = false) {
        precondition(storage.count == shape.elementCount,
                     "[tensor] shape \(shape) needs \(shape.elementCount) elements, storage has \(storage.count)")
        self.shape = shape
        self.storage = storage
        self.requiresGrad = requiresGrad
    }

    /// A tensor whose elements are unspecified: for operations that overwrite every element.
    public convenience init(uninitialized shape: Shape) {
        self.init(shape: shape, storage: FloatBuffer(uninitializedCount: shape.elementCount))
    }

    /// A tensor holding a copy of `values` (row-major).
    public convenience init(shape: Shape, values: [Float], requiresGrad: Bool = false) {
        precondition(values.count == shape.elementCount,
                     "[tensor] shape \(shape) needs \(shape.elementCount) values, got \(values.count)")
        self.init(shape: shape, storage: FloatBuffer(values), requiresGrad: requiresGrad)
    }

    /// A scalar (rank-0) tensor.
    public convenience init(scalar: Float) { self.init(shape: [], values: [scalar]) }

    public static func zeros(_ shape: Shape, requiresGrad: Bool = false) -> Tensor {
        Tensor(shape: shape, storage: .zeros(shape.elementCount), requiresGrad: requiresGrad)
    }

    public static func filled(_ shape: Shape, with value: Float) -> Tensor {
        let t = Tensor(uninitialized: shape)
        t.storage.base.initialize(repeating: value, count: t.count)
        return t
    }

    /// The number of elements.
    @inlinable public var count: Int { storage.count }
    /// The first element; valid while this tensor is alive.
    @inlinable public var data: UnsafeMutablePointer<Float> { storage.base }
    /// A copy of the elements, row-major.
    public var values: [Float] { storage.array }
    /// The value of a one-element tensor.
    public var scalar: Float {
        precondition(count == 1, "[scalar] tensor of shape \(shape) has \(count) elements, not 1")
        return storage.base[0]
    }

    /// The same storage without gradient tracking: nothing computed from it is recorded.
    public func detached() -> Tensor { Tensor(shape: shape, storage: storage) }

    /// Replaces the accumulated gradient (for optimizers, tests and loading checkpoints).
    public func setGrad(_ g: Tensor?) {
        if let g { precondition(g.shape == shape, "[grad] gradient shape \(g.shape) does not match \(shape)") }
        grad = g
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = values.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor\(shape)[\(shown)\(count > 8 ? ", ..." : "")]"
    }
}
