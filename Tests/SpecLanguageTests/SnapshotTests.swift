import Catalogue
import Diagnostics
import Foundation
import GraphIR
import Testing

/// Every diagnostic's full text, as `specrun validate` prints it, against a reviewed snapshot:
/// Snapshots/<CODE>_<case>.yaml is checked and rendered, and must equal <CODE>_<case>.txt.
@Suite struct SnapshotTests {
    static let cases = Fixtures.files(in: Fixtures.snapshots, ext: "yaml")

    /// Codes whose snapshots live elsewhere: they need a missing file (CLITests), loaded data
    /// (BindingTests), or other files and arguments (CompositionTests, in Snapshots/Composed).
    static let coveredElsewhere: Set<DiagnosticCode> = [.unreadableFile, .badBinding, .badComposition]

    @Test(arguments: cases)
    func diagnosticsMatchSnapshot(_ name: String) throws {
        let compilation = Compiler.compile(bytes: try Fixtures.bytes(Fixtures.snapshots.appendingPathComponent(name)), path: name)
        let text = DiagnosticRenderer.render([FileReport(file: compilation.file, diagnostics: compilation.diagnostics)], format: .human)
        let expectedURL = Fixtures.snapshots.appendingPathComponent(String(name.dropLast(5)) + ".txt")
        if Fixtures.updating { try text.write(to: expectedURL, atomically: true, encoding: .utf8) }
        #expect(text == (try String(contentsOf: expectedURL, encoding: .utf8)))
        // The case is named after the code it demonstrates, and reports it.
        let code = String(name.prefix { $0 != "_" })
        #expect(compilation.diagnostics.contains { $0.code.rawValue == code }, "\(name) does not report \(code)")
        for d in compilation.diagnostics {
            for range in [d.range] + d.notes.map(\.range) {
                if let range { #expect(compilation.file.contains(range.start), "\(name): \(range) outside the file") }
            }
        }
    }

    @Test func everyCodeHasASnapshot() {
        let covered = Set(Self.cases.map { String($0.prefix { $0 != "_" }) })
        for entry in DiagnosticCatalogue.entries where !Self.coveredElsewhere.contains(entry.code) {
            #expect(covered.contains(entry.code.rawValue), "no snapshot for \(entry.code)")
        }
    }
}
