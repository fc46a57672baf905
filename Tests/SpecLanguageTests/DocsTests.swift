import Catalogue
import Diagnostics
import Foundation
import GraphIR
import SpecLanguage
import Testing

/// docs/spec-language.md and docs/errors.md are generated from the registry and the catalogue;
/// these tests fail when the committed files are stale (`swift run specrun docs --write docs`).
@Suite struct DocsTests {
    static let docs = Fixtures.repositoryRoot.appendingPathComponent("docs")

    @Test func specLanguageDocIsCurrent() throws {
        let committed = try String(contentsOf: Self.docs.appendingPathComponent("spec-language.md"), encoding: .utf8)
        #expect(committed == LanguageReference.markdown(), "docs/spec-language.md is stale: run `swift run specrun docs --write docs`")
    }

    @Test func errorsDocIsCurrent() throws {
        let committed = try String(contentsOf: Self.docs.appendingPathComponent("errors.md"), encoding: .utf8)
        #expect(committed == DiagnosticCatalogue.markdown(), "docs/errors.md is stale: run `swift run specrun docs --write docs`")
    }

    /// The YAML examples in the language guide that are whole specs validate.
    @Test func guideExampleValidates() throws {
        let markdown = LanguageReference.markdown()
        let blocks = markdown.components(separatedBy: "```yaml\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        let specs = blocks.filter { $0.hasPrefix("name:") }
        #expect(specs.count == 1)
        for spec in specs {
            let c = Compiler.compile(text: spec, path: "guide.yaml")
            #expect(c.diagnostics.isEmpty, "\(c.diagnostics.map { DiagnosticRenderer.human($0, in: c.file) })")
        }
    }

    /// The README's tour is a whole spec; it must stay valid as the language changes.
    @Test func readmeTourValidates() throws {
        let readme = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let tour = try #require(readme.components(separatedBy: "```yaml\n").dropFirst().first?.components(separatedBy: "```").first)
        let c = Compiler.compile(text: tour, path: "README.md")
        #expect(c.diagnostics.isEmpty, "\(c.diagnostics.map { DiagnosticRenderer.human($0, in: c.file) })")
    }

    @Test func everyKindAndKeyIsDocumented() {
        let markdown = LanguageReference.markdown()
        for kind in Vocabulary.standard.kinds {
            #expect(markdown.contains("### `\(kind.name)`"), "\(kind.name)")
            for p in kind.parameters { #expect(!p.doc.isEmpty, "\(kind.name).\(p.name)") }
        }
        for record in Vocabulary.standard.records {
            for key in record.keys { #expect(markdown.contains("| `\(key.name)` |"), "\(record.name).\(key.name)") }
        }
    }

    @Test func catalogueCodesAreUniqueAndExplained() {
        let codes = DiagnosticCatalogue.entries.map(\.code)
        #expect(Set(codes).count == codes.count)
        for entry in DiagnosticCatalogue.entries {
            #expect(!entry.title.isEmpty && entry.explanation.count > 80, "\(entry.code)")
            #expect(entry.code.severity == (entry.code.rawValue.hasPrefix("W") ? .warning : .error))
        }
        #expect(DiagnosticCatalogue.entry(named: "e30")?.code == .sizeMismatch)
        #expect(DiagnosticCatalogue.entry(named: "23")?.code == .unusedNode)
        #expect(DiagnosticCatalogue.entry(named: "E999") == nil)
    }

    /// Every default in the registry has the key's type, and every bounded default is in range,
    /// so the registry cannot document a default the validator would refuse.
    @Test func defaultsFitTheirKeys() {
        let allKeys = Vocabulary.standard.kinds.flatMap { k in k.parameters.map { ("\(k.name).\($0.name)", $0) } }
            + Vocabulary.standard.records.flatMap { r in r.keys.map { ("\(r.name).\($0.name)", $0) } }
        for (name, key) in allKeys {
            guard let value = key.defaultValue else { continue }
            switch (key.type, value) {
            case (.int, .int(let i)): #expect(key.bounds?.contains(Double(i)) ?? true, "\(name)")
            case (.float, .float(let d)): #expect(key.bounds?.contains(d) ?? true, "\(name)")
            case (.bool, .bool), (.string, .string), (.list, .list): break
            case (.choice(let words), .string(let w)): #expect(words.contains(w), "\(name)")
            case (.intPair, .pair(let a, let b)): #expect(key.bounds.map { $0.contains(Double(a)) && $0.contains(Double(b)) } ?? true, "\(name)")
            case (.floatPair, .floatPair(let a, let b)): #expect(key.bounds.map { $0.contains(a) && $0.contains(b) } ?? true, "\(name)")
            case (.numbers(let integer, let counts), .list(let items)):
                #expect(counts.contains(items.count) || items.count == 1, "\(name)")
                for item in items {
                    switch (integer, item.value) {
                    case (true, .int(let i)): #expect(key.bounds?.contains(Double(i)) ?? true, "\(name)")
                    case (false, .float(let d)): #expect(key.bounds?.contains(d) ?? true, "\(name)")
                    default: Issue.record("\(name): default item \(item.value) does not fit \(key.type)")
                    }
                }
            default: Issue.record("\(name): default \(value) does not fit \(key.type)")
            }
        }
    }
}
