import Diagnostics
import SpecLanguage

/// The shape of one sample (the batch axis is left out and printed as `N`).
public struct TensorShape: Hashable, Sendable, CustomStringConvertible {
    public var dims: [SymbolicSize]

    public init(_ dims: [SymbolicSize]) { self.dims = dims }

    public var rank: Int { dims.count }

    /// The number of elements per sample.
    public var elementCount: SymbolicSize { dims.reduce(SymbolicSize(1), *) }

    /// The dimensions when none depends on the data.
    public var concrete: [Int]? {
        let values = dims.compactMap(\.constant)
        return values.count == dims.count ? values : nil
    }

    /// `(N, 16, 64, 64)`.
    public var description: String { "(" + (["N"] + dims.map(\.description)).joined(separator: ", ") + ")" }

    /// `16 x 31 x 31`, for messages about one sample.
    public var sampleDescription: String { dims.isEmpty ? "a scalar" : dims.map(\.description).joined(separator: " x ") }

    func substituting(_ values: [String: Int]) -> TensorShape { TensorShape(dims.map { $0.substituting(values) }) }
}

/// A model input, fed by the data field of the same name.
public struct GraphInput: Sendable {
    public var name: String
    public var shape: TensorShape
    public var range: SourceRange
}

/// A layer in its node, resolved by its definition, with the shapes around it and what it costs.
public struct GraphLayer: Sendable {
    /// Position in the node, counting every layer, parameter-free ones included, as PyTorch's
    /// `nn.Sequential` does: parameters are named `<node>.<index>.weight` and `<node>.<index>.bias`.
    public var index: Int
    /// The member name: `conv2d`.
    public var kind: String { definition.kind.name }
    public var definition: any LayerDefinition
    /// The layer resolved by `definition.infer`: its definition's `Attributes`.
    public var attributes: any LayerAttributes
    /// The options as written, with defaults applied.
    public var options: SpecOptions
    /// A member of the initializer family; nil: PyTorch's default for the layer.
    public var initializer: SpecComponent?
    public var biasInitializer: SpecComponent?
    public var inputShape: TensorShape
    public var outputShape: TensorShape
    /// Learned parameters (weights, biases, batchnorm scale and shift; not running statistics).
    public var parameterCount: SymbolicSize
    /// Forward FLOPs per sample; a multiply-add counts as 2.
    public var flops: SymbolicSize
    public var range: SourceRange

    /// `conv2d(1 -> 16, kernel 3, padding 1)`.
    public var signature: String { attributes.signature }

    /// The resolved layer as its definition's type; nil when the layer is of another kind.
    public func attributes<A: LayerAttributes>(as type: A.Type) -> A? { attributes as? A }

    /// Whether the layer adds a learned bias (its `bias` option).
    public var hasBias: Bool { options.bool("bias") ?? false }
}

/// A merge node resolved by its definition.
public struct GraphMerge: Sendable {
    /// The member name: `concat`.
    public var kind: String { definition.kind.name }
    public var definition: any MergeDefinition
    public var attributes: any LayerAttributes
    /// The inputs and nodes it joins, in order.
    public var from: [String]
}

/// A node of the graph.
public struct GraphNode: Sendable {
    /// What the node computes.
    public enum Operation: Sendable {
        /// Layers applied in order to one input or node.
        case sequence(from: String, layers: [GraphLayer])
        /// Several inputs or nodes joined into one.
        case merge(GraphMerge)

        /// `sequence`, or the merge's kind (`concat`), for messages.
        public var kindName: String {
            switch self {
            case .sequence: "sequence"
            case .merge(let m): m.kind
            }
        }
    }

    public var name: String
    public var operation: Operation
    public var outputShape: TensorShape
    /// Forward FLOPs per sample of a merge (the layers' own for a sequence).
    var mergeFlops: SymbolicSize = 0
    public var range: SourceRange

    /// The inputs and nodes it reads.
    public var sources: [String] {
        switch operation {
        case .sequence(let from, _): [from]
        case .merge(let m): m.from
        }
    }

    /// The layers of a sequence; empty for a merge.
    public var layers: [GraphLayer] {
        if case .sequence(_, let layers) = operation { layers } else { [] }
    }

    public var parameterCount: SymbolicSize { layers.reduce(SymbolicSize(0)) { $0 + $1.parameterCount } }

    /// Forward FLOPs per sample: the layers', or the merge's.
    public var flops: SymbolicSize {
        switch operation {
        case .sequence: layers.reduce(SymbolicSize(0)) { $0 + $1.flops }
        case .merge: mergeFlops
        }
    }
}

/// An output head.
public struct GraphOutput: Sendable {
    public var name: String
    /// The node whose result is the prediction.
    public var from: String
    /// The target field.
    public var target: FieldSpec
    /// A member of the loss family with its options.
    public var loss: SpecComponent
    /// What the loss compares the prediction with (from its definition).
    public var targetKind: TargetKind
    /// Weight of this loss in the objective.
    public var weight: Double
    /// Members of the metric family with their options.
    public var metrics: [SpecComponent]
    /// The prediction's shape.
    public var shape: TensorShape
    public var range: SourceRange
}

/// The model as a checked graph: inputs, nodes in an order where every node comes after what it
/// reads, and outputs, with every shape inferred. Sizes that come from the data stay symbolic
/// (`classes(alphabet)`) until `bind` fixes them.
public struct Graph: Sendable {
    public var name: String
    public var inputs: [GraphInput]
    /// Topologically sorted; among nodes that could come in either order, the order written.
    public var nodes: [GraphNode]
    public var outputs: [GraphOutput]
    /// Checks that involve class counts and wait for `bind`.
    public var pendingChecks: [PendingCheck]
    /// The class counts bound so far.
    public internal(set) var bindings: [String: Int] = [:]
    /// The language the graph was compiled with: every member's definition.
    public let definitions: Definitions

    init(name: String, inputs: [GraphInput], nodes: [GraphNode], outputs: [GraphOutput], pendingChecks: [PendingCheck],
         definitions: Definitions) {
        self.definitions = definitions
        self.name = name
        self.inputs = inputs
        self.nodes = nodes
        self.outputs = outputs
        self.pendingChecks = pendingChecks
    }

    /// The node of that name, if any.
    public func node(named name: String) -> GraphNode? { nodes.first { $0.name == name } }

    /// The input of that name, if any.
    public func input(named name: String) -> GraphInput? { inputs.first { $0.name == name } }

    /// The shape an input or node produces.
    public func shape(of name: String) -> TensorShape? { node(named: name)?.outputShape ?? input(named: name)?.shape }

    /// The label fields whose class counts the graph depends on and that are not bound yet: what
    /// `bind` needs (every class-index target is included, as the runner needs its count).
    public var symbols: [String] {
        var all = Set<String>()
        for input in inputs { all.formUnion(input.shape.dims.flatMap(\.symbols)) }
        for node in nodes {
            all.formUnion(node.outputShape.dims.flatMap(\.symbols))
            for layer in node.layers { all.formUnion(layer.parameterCount.symbols) }
        }
        for output in outputs where output.targetKind == .classIndex { all.insert(output.target.name) }
        for check in pendingChecks { all.formUnion(check.lhs.symbols + check.rhs.symbols) }
        return all.subtracting(bindings.keys).sorted()
    }

    public var parameterCount: SymbolicSize { nodes.reduce(SymbolicSize(0)) { $0 + $1.parameterCount } }

    public var flops: SymbolicSize { nodes.reduce(SymbolicSize(0)) { $0 + $1.flops } }
}

/// A size equality that could not be decided without the data: `lhs` must equal `rhs` once the
/// class counts are bound, else the diagnostic is reported.
public struct PendingCheck: Sendable {
    public var lhs: SymbolicSize
    public var rhs: SymbolicSize
    public var code: DiagnosticCode
    /// The message, with `{lhs}` and `{rhs}` standing for the two sizes.
    public var template: String
    public var range: SourceRange?
    public var notes: [Note]
}
