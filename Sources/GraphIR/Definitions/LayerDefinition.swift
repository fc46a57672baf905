import Diagnostics
import SpecLanguage

/// What the front end asks of a layer kind: its keys (`kind`), its shape rule (`infer`), and its
/// PyTorch twin (`torchModule`). Each kind is one type in Sources/Catalogue/Layers, which adds how
/// it runs; `GraphBuilder` calls `infer` for every layer of every node.
public protocol LayerDefinition: Sendable {
    /// The layer resolved: every option with its default, every size inferred. Stored in the
    /// graph (`GraphLayer.attributes`) and handed back to this definition's other methods.
    associatedtype Attributes: LayerAttributes
    var kind: KindSpec { get }
    /// An input the layer accepts and options for it, for the docs and the catalogue's
    /// completeness test.
    var example: LayerExample { get }
    /// The resolved layer, its output shape, parameters and FLOPs for the layer's input; nil after
    /// reporting (through `layer`) why it cannot take that input.
    func infer(_ layer: inout LayerInference) -> Inferred<Attributes>?
    /// The `torch.nn` module that computes the same thing, as Python: `nn.Conv2d(1, 16, kernel_size=3)`.
    /// Arguments at PyTorch's default are left out, as a person writing the model would.
    func torchModule(_ attributes: Attributes, _ layer: GraphLayer) -> String
    /// Python definitions `torchModule` relies on (a small `nn.Module` subclass where `torch.nn`
    /// has no module for the layer), written once near the top of the exported file.
    var torchHelpers: [String] { get }
}

extension LayerDefinition {
    public var torchHelpers: [String] { [] }
}

/// A resolved layer: what later stages need of it beyond its shapes.
public protocol LayerAttributes: Hashable, Sendable {
    /// A short description for summaries and drawings: `conv2d(1 -> 16, kernel 3, padding 1)`.
    var signature: String { get }
    /// The layer with class counts replaced by their values (`Graph.bind`).
    func substituting(_ classes: [String: Int]) -> Self
}

extension LayerAttributes {
    /// Layers without sizes that come from the data have nothing to substitute.
    public func substituting(_ classes: [String: Int]) -> Self { self }
}

/// What `infer` found: the resolved layer, its output shape per sample, and its cost per sample.
public struct Inferred<Attributes: LayerAttributes> {
    public var attributes: Attributes
    public var output: [SymbolicSize]
    /// Learned parameters (weights, biases, batchnorm scale and shift; not running statistics).
    public var parameters: SymbolicSize
    /// Forward FLOPs; a multiply-add counts as 2.
    public var flops: SymbolicSize

    public init(_ attributes: Attributes, output: [SymbolicSize], parameters: SymbolicSize = 0, flops: SymbolicSize = 0) {
        self.attributes = attributes
        self.output = output
        self.parameters = parameters
        self.flops = flops
    }
}

/// An input shape (per sample) and the options written for it: `[3, 8, 8]` and `{out: 4, kernel: 3}`.
public struct LayerExample: Sendable {
    public var input: [Int]
    /// The layer as a spec writes it in a `layers:` list, flow style.
    public var yaml: String

    public init(input: [Int], _ yaml: String) {
        self.input = input
        self.yaml = yaml
    }
}

/// One layer being inferred: its options, its input, and the way to report why it cannot take it.
/// Every message starts with the layer's label, `[node.index kind]`, and notes where its input's
/// shape came from.
public struct LayerInference {
    public let spec: LayerSpec
    public let input: TensorShape
    /// The node and the position in it.
    public let node: String
    public let index: Int
    /// Where the input's shape comes from: the previous layer, or the node's source.
    public let origin: Note
    /// The model input this layer reads as it is (it is the first layer of a node fed by that
    /// input), or nil: what a layer that takes indices (`embedding`) must read.
    public let modelInput: String?
    var sink: DiagnosticSink

    init(spec: LayerSpec, input: TensorShape, node: String, index: Int, origin: Note, modelInput: String? = nil, sink: DiagnosticSink) {
        self.spec = spec
        self.input = input
        self.node = node
        self.index = index
        self.origin = origin
        self.modelInput = modelInput
        self.sink = sink
    }

    public var options: SpecOptions { spec.options }
    /// The input's dimensions per sample.
    public var dims: [SymbolicSize] { input.dims }
    /// `[image_layer.0 conv2d]`, the start of every message about the layer.
    public var label: String { "[\(node).\(index) \(spec.kind)]" }

    /// Reports an error; `at` nil means the layer's name.
    public mutating func error(_ code: DiagnosticCode, _ message: String, at range: SourceRange? = nil, notes: [Note] = []) {
        sink.error(code, message, at: range ?? spec.kindRange, notes: notes)
    }

    /// Whether the input has one of the `wanted` ranks (per sample); reports E034 when not.
    public mutating func requireRank(_ wanted: Set<Int>, _ what: String, hint: String? = nil) -> Bool {
        guard wanted.contains(input.rank) else {
            error(.rankMismatch, "\(label) needs \(what), but its input is \(input)", notes: [origin] + (hint.map { [Note($0)] } ?? []))
            return false
        }
        return true
    }

    /// Checks two sizes for equality now, or when the class counts are bound (see `DiagnosticSink.require`);
    /// the template's `{lhs}` and `{rhs}` stand for the two sizes. The input's origin is noted.
    @discardableResult
    public mutating func require(_ lhs: SymbolicSize, equals rhs: SymbolicSize, _ code: DiagnosticCode, _ template: String,
                                 at range: SourceRange?) -> Bool {
        sink.require(lhs, equals: rhs, code, template, at: range, notes: [origin])
    }

    /// An axis counted as in PyTorch over the batch and the input's axes; negative counts from the end.
    public func axis(_ given: Int) -> Int { given < 0 ? given + input.rank + 1 : given }

    /// "its only axis is 1 (0 is the batch)", "its axes are 1 to 3 (0 is the batch)".
    public var axesDescription: String { Inference.axes(of: input) }
}
