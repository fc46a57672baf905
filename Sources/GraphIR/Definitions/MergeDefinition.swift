import Diagnostics
import SpecLanguage

/// What the front end asks of a merge node (`concat`, `add`): its keys, its shape rule over the
/// shapes it joins, and its PyTorch form. One type per merge in Sources/Catalogue/Merges.
public protocol MergeDefinition: Sendable {
    associatedtype Attributes: LayerAttributes
    var kind: KindSpec { get }
    /// The resolved merge, its output shape and FLOPs per sample; nil after reporting why the
    /// shapes do not join.
    func infer(_ merge: inout MergeInference) -> InferredMerge<Attributes>?
    /// The PyTorch expression over the operands, in order: `torch.cat([a, b], dim=1)`.
    func torchExpression(_ attributes: Attributes, operands: [String]) -> String
}

/// What a merge's `infer` found.
public struct InferredMerge<Attributes: LayerAttributes> {
    public var attributes: Attributes
    public var output: TensorShape
    public var flops: SymbolicSize

    public init(_ attributes: Attributes, output: TensorShape, flops: SymbolicSize = 0) {
        self.attributes = attributes
        self.output = output
        self.flops = flops
    }
}

/// A merge node being inferred: the node, what it reads and their shapes.
public struct MergeInference {
    public let node: NodeSpec
    public let options: SpecOptions
    /// What it reads, in order, with their shapes.
    public let from: [Reference]
    public let inputs: [TensorShape]
    /// For each operand, a note on where its shape comes from.
    public let origins: [Note]
    var sink: DiagnosticSink

    public mutating func error(_ code: DiagnosticCode, _ message: String, at range: SourceRange?, notes: [Note] = []) {
        sink.error(code, message, at: range, notes: notes)
    }

    @discardableResult
    public mutating func require(_ lhs: SymbolicSize, equals rhs: SymbolicSize, _ code: DiagnosticCode, _ template: String,
                                 at range: SourceRange?, notes: [Note] = []) -> Bool {
        sink.require(lhs, equals: rhs, code, template, at: range, notes: notes)
    }

    /// `'image_layer' (N, 128), 'alphabet_layer' (N, 8)`, for messages.
    public var listing: String { zip(from, inputs).map { "'\($0.name)' \($1)" }.joined(separator: ", ") }

    /// "its only axis is 1 (0 is the batch)", ...
    public func axes(of shape: TensorShape) -> String { Inference.axes(of: shape) }
}
