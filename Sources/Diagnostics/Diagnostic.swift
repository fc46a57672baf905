/// How serious a diagnostic is. Errors make a spec invalid; warnings do not (unless the user asks
/// for `--deny-warnings`).
public enum Severity: String, Sendable, Hashable, Codable {
    case error, warning
}

/// A secondary message attached to a diagnostic: another place that matters (where a conflicting
/// size came from) or a hint (`did you mean 'linear'?`).
public struct Note: Hashable, Sendable {
    public var message: String
    public var range: SourceRange?

    public init(_ message: String, at range: SourceRange? = nil) {
        self.message = Diagnostic.oneLine(message)
        self.range = range
    }
}

/// One problem found in a spec: a stable code, a message that names the thing, the place and the
/// numbers, where it is, and notes. Diagnostics are values, collected rather than thrown, so that
/// one run reports every problem in a file.
public struct Diagnostic: Hashable, Sendable {
    public var code: DiagnosticCode
    public var message: String
    public var range: SourceRange?
    public var notes: [Note]

    public init(_ code: DiagnosticCode, _ message: String, at range: SourceRange?, notes: [Note] = []) {
        self.code = code
        self.message = Self.oneLine(message)
        self.range = range
        self.notes = notes
    }

    /// The longest message kept: messages quote names and values from the file, which a careless
    /// or hostile file can make as long as it likes; a message stays one readable line.
    static let maxMessageLength = 600

    static func oneLine(_ message: String) -> String {
        guard message.count > maxMessageLength else { return message }
        return String(message.prefix(maxMessageLength)) + "... (\(message.utf8.count) bytes)"
    }

    /// The severity is a property of the code, so it is the same wherever the code is reported.
    public var severity: Severity { code.severity }

    public var isError: Bool { severity == .error }
}

extension Array where Element == Diagnostic {
    /// Whether any diagnostic is an error.
    public var hasErrors: Bool { contains { $0.isError } }

    public var errorCount: Int { count { $0.severity == .error } }
    public var warningCount: Int { count { $0.severity == .warning } }

    /// Sorted by position; diagnostics without a position first, then those in the spec's own
    /// file, then those in each source it was composed from (by name). The sort is stable, so two
    /// at one place keep the order in which the checks found them.
    public func sortedByLocation() -> [Diagnostic] {
        enumerated().sorted { a, b in
            let sa = a.element.range?.source ?? "", sb = b.element.range?.source ?? ""
            if sa != sb { return sa < sb }
            let la = a.element.range?.start ?? SourceLocation(line: 0, column: 0)
            let lb = b.element.range?.start ?? SourceLocation(line: 0, column: 0)
            return la != lb ? la < lb : a.offset < b.offset
        }.map(\.element)
    }
}
