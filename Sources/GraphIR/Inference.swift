import Diagnostics
import Foundation
import SpecLanguage

/// The state of one graph check: diagnostics found, checks deferred to binding, and the shape of
/// every input and node inferred so far (absent when unknown because of an earlier error).
struct Inference {
    let spec: Spec
    let definitions: Definitions
    /// Parts whose declarations had errors; grows as the data checks find wrong fields.
    var incomplete: Incomplete
    var sink = DiagnosticSink()
    var shapes: [String: TensorShape] = [:]
    /// For each input and node, a note that shows where its shape comes from.
    var origins: [String: Note] = [:]
    /// Every `classes(x)` written, for the check that `x` is a label field.
    var classUses: [ClassUse] = []

    init(spec: Spec, incomplete: Incomplete, definitions: Definitions) {
        self.spec = spec
        self.incomplete = incomplete
        self.definitions = definitions
    }

    var diagnostics: [Diagnostic] { sink.diagnostics }

    mutating func error(_ code: DiagnosticCode, _ message: String, at range: SourceRange?, notes: [Note] = []) {
        sink.error(code, message, at: range, notes: notes)
    }

    @discardableResult
    mutating func require(_ lhs: SymbolicSize, equals rhs: SymbolicSize, _ code: DiagnosticCode, _ template: String,
                          at range: SourceRange?, notes: [Note] = []) -> Bool {
        sink.require(lhs, equals: rhs, code, template, at: range, notes: notes)
    }

    /// "its only axis is 1 (0 is the batch)", "its axes are 1 to 3 (0 is the batch)".
    static func axes(of shape: TensorShape) -> String {
        (shape.rank == 1 ? "its only axis is 1" : "its axes are 1 to \(shape.rank)") + " (0 is the batch)"
    }

    /// The field's definition.
    func definition(of field: FieldSpec) -> any FieldDefinition { definitions.field(field.kind.name) }

    /// Whether the field holds a class index.
    func isLabel(_ field: FieldSpec) -> Bool { definition(of: field).value == .classIndex }

    /// The shape of a field as the data pipeline will produce it; nil when only the data can tell
    /// (`features` without a column list) or when the field is a class index.
    func shape(of field: FieldSpec) -> TensorShape? { definition(of: field).shape(field.kind.options) }
}
