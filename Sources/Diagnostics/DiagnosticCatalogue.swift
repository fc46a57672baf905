/// The long description of one diagnostic code, shown by `specrun explain` and in docs/errors.md.
public struct CatalogueEntry: Sendable {
    public let code: DiagnosticCode
    /// A few words, lower case: "YAML syntax error".
    public let title: String
    /// Markdown: what is wrong, an example that triggers it, and how to fix it.
    public let explanation: String

    public init(_ code: DiagnosticCode, _ title: String, _ explanation: String) {
        self.code = code
        self.title = title
        self.explanation = explanation
    }
}

/// Every diagnostic code with its explanation: the single source of `specrun explain` and
/// docs/errors.md.
public enum DiagnosticCatalogue {
    public static let entries: [CatalogueEntry] = (files + structure + references + shapes + heads + data).sorted { $0.code < $1.code }

    /// The entry of a code, if the code exists.
    public static func entry(for code: DiagnosticCode) -> CatalogueEntry? {
        entries.first { $0.code == code }
    }

    /// The entry named by a user: `E030`, `e030` or `30` all find E030 (and `23` finds W023).
    public static func entry(named name: String) -> CatalogueEntry? {
        let upper = name.uppercased()
        if let exact = entries.first(where: { $0.code.rawValue == upper }) { return exact }
        guard let number = Int(upper.drop { $0 == "E" || $0 == "W" }) else { return nil }
        return entries.first { Int($0.code.rawValue.dropFirst()) == number }
    }

    /// What `specrun explain CODE` prints.
    public static func explanation(of entry: CatalogueEntry) -> String {
        "\(entry.code): \(entry.title)\n\n\(reflow(entry.explanation))\n"
    }

    /// Paragraphs rewrapped to `width` columns; code blocks and indented lines kept as written.
    static func reflow(_ text: String, width: Int = 90) -> String {
        var out: [String] = []
        var paragraph: [String] = []
        var inCode = false
        func flush() {
            guard !paragraph.isEmpty else { return }
            // A code span is one unbreakable word, so `maxpool2d {kernel: 3}` stays on one line.
            var words: [String] = []
            for piece in paragraph.joined(separator: " ").split(separator: " ") {
                if let last = words.last, last.filter({ $0 == "`" }).count % 2 == 1 {
                    words[words.count - 1] += " " + piece
                } else {
                    words.append(String(piece))
                }
            }
            var line = ""
            for word in words {
                if !line.isEmpty && line.count + 1 + word.count > width {
                    out.append(line)
                    line = ""
                }
                line += (line.isEmpty ? "" : " ") + word
            }
            out.append(line)
            paragraph = []
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("```") {
                flush()
                inCode.toggle()
                out.append(line)
            } else if inCode || line.hasPrefix(" ") {
                out.append(line)
            } else if line.isEmpty {
                flush()
                out.append("")
            } else {
                paragraph.append(line)
            }
        }
        flush()
        return out.joined(separator: "\n")
    }

    /// docs/errors.md.
    public static func markdown() -> String {
        var out = """
        # specrun diagnostics

        <!-- Generated from Sources/Diagnostics/Catalogue+*.swift by `specrun docs --write docs`. Do not edit by hand. -->

        Every problem specrun finds in a spec has a stable code. Codes starting with `E` are errors:
        the spec is invalid and `specrun validate` exits with status 1. Codes starting with `W` are
        warnings: the spec runs, but something looks like a slip (`--deny-warnings` turns them into
        failures). `specrun explain E030` prints the entry for one code.

        Diagnostics are printed as

            specs/x.yaml:14:24: error[E030]: ...
             14 |         - linear: {in: 16384, out: 128}
                |                        ^~~~~

        with 1-based line and column numbers, and `note:` lines where another place matters.

        | code | title |
        | --- | --- |

        """
        for entry in entries { out += "| [\(entry.code)](#\(entry.code.rawValue.lowercased())) | \(entry.title) |\n" }
        for entry in entries {
            out += "\n## \(entry.code)\n\n**\(entry.title)**\n\n\(reflow(entry.explanation))\n"
        }
        return out
    }
}
