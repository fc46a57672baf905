import Diagnostics
import SpecLanguage

/// Where the graph checks put what they find: diagnostics now, and size checks that wait for the
/// class counts (`Graph.bind`). Definitions report through the contexts that wrap it
/// (`LayerInference`, `HeadCheck`, `DataCheck`), so every message carries its place.
public struct DiagnosticSink: Sendable {
    public internal(set) var diagnostics: [Diagnostic] = []
    var pending: [PendingCheck] = []

    public mutating func error(_ code: DiagnosticCode, _ message: String, at range: SourceRange?, notes: [Note] = []) {
        diagnostics.append(Diagnostic(code, message, at: range, notes: notes))
    }

    /// Checks that two sizes are equal. Equal forms pass; forms that differ by a constant, or that
    /// both depend on class counts in different ways, fail now; a constant against a class count
    /// waits for `bind`. Returns false only when the check failed now.
    @discardableResult
    public mutating func require(_ lhs: SymbolicSize, equals rhs: SymbolicSize, _ code: DiagnosticCode, _ template: String,
                                 at range: SourceRange?, notes: [Note] = []) -> Bool {
        let difference = lhs - rhs
        if difference.terms.isEmpty { return true }
        if difference.constant != nil || (lhs.constant == nil && rhs.constant == nil) {
            error(code, Self.fill(template, lhs.description, rhs.description), at: range, notes: notes)
            return false
        }
        pending.append(PendingCheck(lhs: lhs, rhs: rhs, code: code, template: template, range: range, notes: notes))
        return true
    }

    static func fill(_ template: String, _ lhs: String, _ rhs: String) -> String {
        template.replacingOccurrences(of: "{lhs}", with: lhs).replacingOccurrences(of: "{rhs}", with: rhs)
    }
}
