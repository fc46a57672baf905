import Foundation

/// The output formats of `validate` and the other commands that report diagnostics.
public enum DiagnosticFormat: String, CaseIterable, Sendable {
    /// `file:line:col: error[E030]: message`, the source line with a caret, `note:` lines.
    case human
    /// One JSON document for all files, for scripts and CI.
    case json
    /// GitHub Actions workflow commands (`::error file=..,line=..,col=..::message`), which the
    /// Actions runner turns into annotations on the pull request's diff.
    case github
}

/// The diagnostics found in one file.
public struct FileReport: Sendable {
    public var file: SourceFile
    public var diagnostics: [Diagnostic]

    public init(file: SourceFile, diagnostics: [Diagnostic]) {
        self.file = file
        self.diagnostics = diagnostics
    }

    /// Valid means no errors, and no warnings either when warnings are denied.
    public func isValid(denyWarnings: Bool) -> Bool {
        !diagnostics.hasErrors && !(denyWarnings && diagnostics.warningCount > 0)
    }
}

/// Turns diagnostics into text in each `DiagnosticFormat`.
public enum DiagnosticRenderer {
    /// Every report in one format; the human and GitHub formats end each file with a status line
    /// (`specs/x.yaml: ok`).
    public static func render(_ reports: [FileReport], format: DiagnosticFormat, denyWarnings: Bool = false) -> String {
        switch format {
        case .human:
            return reports.map { report in
                report.diagnostics.map { human($0, in: report.file) + "\n" }.joined()
                    + status(report, denyWarnings: denyWarnings) + "\n"
            }.joined()
        case .github:
            return reports.map { report in
                report.diagnostics.map { github($0, in: report.file) + "\n" }.joined()
                    + status(report, denyWarnings: denyWarnings) + "\n"
            }.joined()
        case .json:
            let files = reports.map { report in
                JSONValue.object([
                    "path": .string(report.file.path),
                    "valid": .bool(report.isValid(denyWarnings: denyWarnings)),
                    "errors": .int(report.diagnostics.errorCount),
                    "warnings": .int(report.diagnostics.warningCount),
                    "diagnostics": .array(report.diagnostics.map { json($0, in: report.file) }),
                ])
            }
            let all = reports.flatMap(\.diagnostics)
            return JSONValue.object([
                "valid": .bool(reports.allSatisfy { $0.isValid(denyWarnings: denyWarnings) }),
                "errors": .int(all.errorCount),
                "warnings": .int(all.warningCount),
                "files": .array(files),
            ]).rendered() + "\n"
        }
    }

    /// `specs/x.yaml: ok`, `specs/x.yaml: ok, 1 warning` or `specs/x.yaml: 2 errors, 1 warning`.
    public static func status(_ report: FileReport, denyWarnings: Bool = false) -> String {
        let e = report.diagnostics.errorCount, w = report.diagnostics.warningCount
        var parts: [String] = []
        if e > 0 { parts.append(plural(e, "error")) }
        if w > 0 { parts.append(plural(w, "warning") + (denyWarnings ? " (denied)" : "")) }
        if report.isValid(denyWarnings: denyWarnings) { parts.insert("ok", at: 0) }
        return "\(report.file.path): " + parts.joined(separator: ", ")
    }

    /// One diagnostic as a person reads it: the headline, the source line with a caret under the
    /// range, then each note (with its own source line when it has a place). A place in another
    /// source the spec was composed from (a file it extends, a `--set` argument) is shown there.
    public static func human(_ diagnostic: Diagnostic, in file: SourceFile) -> String {
        let label = "\(diagnostic.severity.rawValue)[\(diagnostic.code)]"
        var lines = [headline(file, diagnostic.range, label, diagnostic.message)]
        let shown = ([diagnostic.range] + diagnostic.notes.map(\.range)).compactMap { $0?.start.line }
        let gutter = String(shown.max() ?? 0).count
        if let range = diagnostic.range { lines += snippet(range, in: file, gutter: gutter) }
        for note in diagnostic.notes {
            if let range = note.range {
                lines.append(headline(file, range, "note", note.message))
                lines += snippet(range, in: file, gutter: gutter)
            } else {
                lines.append("note: " + note.message)
            }
        }
        return lines.joined(separator: "\n")
    }

    /// One diagnostic as a GitHub Actions workflow command; notes follow the message on their own
    /// lines (encoded as `%0A`). A place in a file the spec extends annotates that file; one in a
    /// `--set` argument annotates the spec, the message starting with the argument's label.
    public static func github(_ diagnostic: Diagnostic, in file: SourceFile) -> String {
        let source = diagnostic.range.map { file.source(of: $0) } ?? file
        var properties: [String]
        var message = diagnostic.message
        if case .argument(let label) = source.origin {
            properties = ["file=" + escapeProperty(file.path)]
            message = "\(label): " + message
        } else {
            properties = ["file=" + escapeProperty(source.path)]
            if let range = diagnostic.range {
                properties += ["line=\(range.start.line)", "col=\(range.start.column)"]
                if range.end.line == range.start.line && range.end.column > range.start.column {
                    properties += ["endLine=\(range.end.line)", "endColumn=\(range.end.column)"]
                }
            }
        }
        let title = DiagnosticCatalogue.entry(for: diagnostic.code).map { "\(diagnostic.code) \($0.title)" }
        properties.append("title=" + escapeProperty(title ?? diagnostic.code.rawValue))
        for note in diagnostic.notes {
            message += "\nnote: " + (note.range.map { noteRange in
                let noteSource = file.source(of: noteRange)
                if case .argument(let label) = noteSource.origin { return "\(label): " }
                let inFile = noteSource.path == source.path ? "" : "\(noteSource.path), "
                return "\(inFile)line \(noteRange.start.line), column \(noteRange.start.column): "
            } ?? "") + note.message
        }
        return "::\(diagnostic.severity.rawValue) " + properties.joined(separator: ",") + "::" + escapeData(message)
    }

    /// One diagnostic as JSON: severity, code, message, 1-based start and end, notes.
    public static func json(_ diagnostic: Diagnostic, in file: SourceFile? = nil) -> JSONValue {
        var members: [JSONValue.Member] = [
            .init("severity", .string(diagnostic.severity.rawValue)),
            .init("code", .string(diagnostic.code.rawValue)),
            .init("message", .string(diagnostic.message)),
        ]
        members += location(diagnostic.range, in: file)
        members.append(.init("notes", .array(diagnostic.notes.map { note in
            .object([.init("message", .string(note.message))] + location(note.range, in: file))
        })))
        return .object(members)
    }

    /// The place of a range; `file` (a path) or `argument` (its text) when it lies in a source
    /// the spec was composed from rather than in the spec's own file.
    private static func location(_ range: SourceRange?, in file: SourceFile?) -> [JSONValue.Member] {
        guard let range else { return [] }
        var members: [JSONValue.Member] = []
        if let name = range.source {
            let isArgument = file.map { $0.source(of: range).origin != .file } ?? false
            members.append(.init(isArgument ? "argument" : "file", .string(name)))
        }
        return members + [
            .init("line", .int(range.start.line)), .init("column", .int(range.start.column)),
            .init("end_line", .int(range.end.line)), .init("end_column", .int(range.end.column)),
        ]
    }

    private static func headline(_ file: SourceFile, _ range: SourceRange?, _ label: String, _ message: String) -> String {
        "\(range.map(file.place) ?? file.path): \(label): \(message)"
    }

    /// The widest source line a snippet shows: a longer one (minified YAML, a 100,000-deep flow
    /// sequence) is cut to a window around the place, marked with `...` at the cut ends.
    static let snippetWidth = 160

    /// The source line and a caret line under the range (to the end of the line when the range
    /// spans lines). Tabs before the caret are copied so the caret lines up in a terminal.
    private static func snippet(_ range: SourceRange, in spec: SourceFile, gutter: Int) -> [String] {
        let file = spec.source(of: range)
        let number = range.start.line
        guard number >= 1 && number <= file.lineCount else { return [] }
        var text = Array(file.line(number).unicodeScalars)
        var start = min(max(range.start.column - 1, 0), text.count)
        var end = range.end.line == number ? min(range.end.column - 1, text.count) : text.count
        if text.count > snippetWidth {
            let from = max(0, start - snippetWidth / 3), to = min(text.count, from + snippetWidth)
            let head: [Unicode.Scalar] = from > 0 ? ["."] + [".", "."] : [], tail: [Unicode.Scalar] = to < text.count ? [".", ".", "."] : []
            start = start - from + head.count
            end = min(end, to) - from + head.count
            text = head + Array(text[from..<to]) + tail
        }
        var caret = String(String.UnicodeScalarView(text[0..<start].map { $0 == "\t" ? "\t" : " " }))
        caret += "^" + String(repeating: "~", count: max(end - start - 1, 0))
        let pad = String(repeating: " ", count: gutter)
        // An argument is one line that people do not number.
        let numberText = file.origin == .file ? String(number) : ""
        let source = String(String.UnicodeScalarView(text))
        return [
            " " + String(repeating: " ", count: gutter - numberText.count) + numberText + " | " + source,
            " " + pad + " | " + caret,
        ].map(trimmingTrailingSpaces)
    }

    /// Trailing blanks are noise in a terminal and in snapshot files (an empty source line).
    static func trimmingTrailingSpaces(_ s: String) -> String {
        s.lastIndex { $0 != " " }.map { String(s[...$0]) } ?? ""
    }

    private static func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)" + (n == 1 ? "" : "s") }

    private static func escapeData(_ s: String) -> String {
        s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    private static func escapeProperty(_ s: String) -> String {
        escapeData(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
