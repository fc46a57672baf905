import Diagnostics
import SpecLanguage

/// An output head being checked: the output as written, the node it reads and the target field.
/// Losses and metrics check their own conditions through it (`LossDefinition.check`).
public struct HeadCheck {
    public let output: OutputSpec
    public let node: GraphNode
    public let target: FieldSpec
    /// What the head's loss compares its prediction with.
    public let targetKind: TargetKind
    /// The node as written (for the places of its layers), when it is a layer sequence.
    let nodeSpec: NodeSpec?
    var sink: DiagnosticSink

    /// The loss's options.
    public var options: SpecOptions { output.loss.options }

    /// The kind of the node's last layer (`softmax`), or nil for a merge node.
    public var lastLayerKind: String? { node.layers.last?.kind }

    /// The target's class count, `classes(<target>)`.
    public var classes: SymbolicSize { .classes(target.name) }

    public mutating func error(_ code: DiagnosticCode, _ message: String, at range: SourceRange?, notes: [Note] = []) {
        sink.error(code, message, at: range, notes: notes)
    }

    @discardableResult
    public mutating func require(_ lhs: SymbolicSize, equals rhs: SymbolicSize, _ code: DiagnosticCode, _ template: String,
                                 at range: SourceRange?, notes: [Note] = []) -> Bool {
        sink.require(lhs, equals: rhs, code, template, at: range, notes: notes)
    }

    /// The node's last layer, for notes about activations: `'head' ends with softmax(dim 1) (layer 2)`.
    public var lastLayerNote: Note {
        guard case .sequence(_, let layers)? = nodeSpec?.kind, let last = node.layers.last else {
            return Note("'\(node.name)' is a \(node.operation.kindName) node", at: node.range)
        }
        return Note("'\(node.name)' ends with \(last.signature) (layer \(last.index))", at: layers[last.index].kindRange)
    }

    /// "ends with relu" or "is a concat node", for messages about what the node ends with.
    public var endingDescription: String {
        node.layers.last.map { "ends with \($0.kind)" } ?? "is a \(node.operation.kindName) node"
    }

    /// Where the node gets its output shape, for notes: the last layer that changes the shape or
    /// sets a width (`out`, where it is written), so that a trailing activation does not hide the
    /// layer to fix.
    public var widthNote: Note {
        guard case .sequence(_, let layers)? = nodeSpec?.kind,
              let built = node.layers.last(where: { $0.inputShape != $0.outputShape || $0.definition.kind.parameter("out") != nil })
                  ?? node.layers.last else {
            return Note("'\(node.name)' outputs \(node.outputShape)", at: node.range)
        }
        let written = layers[built.index]
        let at = written.options.isGiven("out") ? written.options.range(of: "out") : written.kindRange
        return Note("'\(node.name)' gets its shape \(node.outputShape) from \(built.signature) (layer \(built.index))", at: at)
    }
}
