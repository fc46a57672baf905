import Diagnostics
import Foundation
import SpecLanguage

/// The state of one graph check: diagnostics found, checks deferred to binding, and the shape of
/// every input and node inferred so far (absent when unknown because of an earlier error).
struct Inference {
    let spec: Spec
    let incomplete: Incomplete
    var diagnostics: [Diagnostic] = []
    var pending: [PendingCheck] = []
    var shapes: [String: TensorShape] = [:]
    /// For each input and node, a note that shows where its shape comes from.
    var origins: [String: Note] = [:]

    init(spec: Spec, incomplete: Incomplete) {
        self.spec = spec
        self.incomplete = incomplete
    }

    mutating func error(_ code: DiagnosticCode, _ message: String, at range: SourceRange?, notes: [Note] = []) {
        diagnostics.append(Diagnostic(code, message, at: range, notes: notes))
    }

    /// Checks that two sizes are equal. Equal forms pass; forms that differ by a constant, or that
    /// both depend on class counts in different ways, fail now; a constant against a class count
    /// waits for `bind`. Returns false only when the check failed now.
    @discardableResult
    mutating func require(_ lhs: SymbolicSize, equals rhs: SymbolicSize, _ code: DiagnosticCode, _ template: String,
                          at range: SourceRange?, notes: [Note] = []) -> Bool {
        let difference = lhs - rhs
        if difference.terms.isEmpty { return true }
        if difference.constant != nil || (lhs.constant == nil && rhs.constant == nil) {
            error(code, Inference.fill(template, lhs.description, rhs.description), at: range, notes: notes)
            return false
        }
        pending.append(PendingCheck(lhs: lhs, rhs: rhs, code: code, template: template, range: range, notes: notes))
        return true
    }

    static func fill(_ template: String, _ lhs: String, _ rhs: String) -> String {
        template.replacingOccurrences(of: "{lhs}", with: lhs).replacingOccurrences(of: "{rhs}", with: rhs)
    }

    /// The shape of a field as the data pipeline will produce it; nil when only the data can tell
    /// (`features` without a column list) or when the field is a class index.
    func shape(of field: FieldSpec) -> TensorShape? {
        switch field.kind {
        case .features(.columns(let columns)): TensorShape([SymbolicSize(columns.count)])
        case .features(.allExcept): nil
        case .column: TensorShape([1])
        case .onehot(let label): TensorShape([.classes(label)])
        case .image(let image): TensorShape([SymbolicSize(image.channels), SymbolicSize(image.height), SymbolicSize(image.width)])
        case .label: nil
        }
    }
}
