import Diagnostics
import Foundation
import Testing

@Suite struct SourceFileTests {
    @Test func splitsLinesOnEveryBreak() {
        let file = SourceFile(path: "t", text: "a\r\nbb\rc\n\nd")
        #expect(file.lineCount == 5)
        #expect((1...5).map(file.line) == ["a", "bb", "c", "", "d"])
        #expect(file.location(atScalarOffset: 3) == SourceLocation(line: 2, column: 1))
        #expect(file.location(atScalarOffset: 7) == SourceLocation(line: 3, column: 2))
        #expect(file.location(atScalarOffset: 999) == SourceLocation(line: 5, column: 2))
    }

    @Test func clampsAndLocatesUTF8Offsets() {
        let file = SourceFile(path: "t", text: "\u{FEFF}é\nx")
        #expect(file.hadByteOrderMark)
        #expect(file.text == "é\nx")
        // BOM (3 bytes) + é (2 bytes) + newline: byte 6 is the x.
        #expect(file.location(atUTF8Offset: 6) == SourceLocation(line: 2, column: 1))
        #expect(file.clamp(SourceLocation(line: 9, column: 9)) == SourceLocation(line: 2, column: 2))
        #expect(file.contains(SourceLocation(line: 1, column: 2)))
        #expect(!file.contains(SourceLocation(line: 1, column: 3)))
        #expect(!file.contains(SourceLocation(line: 0, column: 1)))
    }
}

@Suite struct RendererTests {
    let file = SourceFile(path: "specs/x.yaml", text: "name: x\n\tlr: [1, 2]\nmodel: {}\n")

    var diagnostic: Diagnostic {
        Diagnostic(.wrongType, "`lr` must be a number, found a list", at: SourceRange(start: .init(line: 2, column: 6), end: .init(line: 2, column: 12)),
                   notes: [Note("declared here", at: SourceRange(at: .init(line: 1, column: 1))), Note("write lr: 0.1")])
    }

    @Test func humanShowsLineCaretAndNotesWithTabsKept() {
        #expect(DiagnosticRenderer.human(diagnostic, in: file) == """
            specs/x.yaml:2:6: error[E010]: `lr` must be a number, found a list
             2 | \tlr: [1, 2]
               | \t    ^~~~~~
            specs/x.yaml:1:1: note: declared here
             1 | name: x
               | ^
            note: write lr: 0.1
            """)
    }

    @Test func reportsEndWithAStatusLine() {
        let warning = Diagnostic(.unusedNode, "the node 'a' is not used by any output", at: nil)
        let reports = [FileReport(file: file, diagnostics: [warning]), FileReport(file: SourceFile(path: "b.yaml", text: ""), diagnostics: [])]
        #expect(DiagnosticRenderer.render(reports, format: .human) == """
            specs/x.yaml: warning[W023]: the node 'a' is not used by any output
            specs/x.yaml: ok, 1 warning
            b.yaml: ok

            """)
        #expect(DiagnosticRenderer.render(reports, format: .human, denyWarnings: true).hasSuffix("specs/x.yaml: 1 warning (denied)\nb.yaml: ok\n"))
    }

    @Test func githubEscapesDataAndProperties() {
        let d = Diagnostic(.wrongType, "100% wrong,\nreally", at: SourceRange(start: .init(line: 2, column: 6), end: .init(line: 2, column: 12)),
                           notes: [Note("see: here", at: SourceRange(at: .init(line: 1, column: 1)))])
        #expect(DiagnosticRenderer.github(d, in: SourceFile(path: "a,b:c.yaml", text: "")) ==
                "::error file=a%2Cb%3Ac.yaml,line=2,col=6,endLine=2,endColumn=12,title=E010 wrong type::100%25 wrong,%0Areally%0Anote: line 1, column 1: see: here")
    }

    @Test func jsonIsParseableAndComplete() throws {
        let text = DiagnosticRenderer.render([FileReport(file: file, diagnostics: [diagnostic])], format: .json)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["valid"] as? Bool == false)
        #expect(object["errors"] as? Int == 1)
        let files = try #require(object["files"] as? [[String: Any]])
        let d = try #require((files[0]["diagnostics"] as? [[String: Any]])?.first)
        #expect(d["code"] as? String == "E010")
        #expect(d["line"] as? Int == 2 && d["column"] as? Int == 6 && d["end_column"] as? Int == 12)
        #expect((d["notes"] as? [[String: Any]])?.count == 2)
    }

    @Test func jsonValueEscapesAndFormats() {
        let value = JSONValue.object(["a": .string("q\"\\\n\u{1}"), "b": .array([.int(1), .double(0.5), .double(2), .null, .bool(true)])])
        #expect(value.rendered(pretty: false) == #"{"a":"q\"\\\n\u0001","b":[1,0.5,2.0,null,true]}"#)
    }
}

@Suite struct SuggestionTests {
    @Test func suggestsCloseNamesOnly() {
        #expect(Suggestion.closest(to: "linaer", among: ["linear", "conv2d"]) == "linear")
        #expect(Suggestion.closest(to: "momentun", among: ["momentum", "dampening"]) == "momentum")
        #expect(Suggestion.closest(to: "Cross-Entropy", among: ["cross_entropy", "nll"]) == "cross_entropy")
        #expect(Suggestion.closest(to: "xyz", among: ["linear", "conv2d"]) == nil)
        #expect(Suggestion.closest(to: String(repeating: "a", count: 100), among: ["a"]) == nil)
        #expect(Suggestion.note(for: "q", among: ["a", "b"])?.message == "expected one of 'a', 'b'")
    }
}

/// Diagnostics stay readable whatever the file holds: a source line of 200,000 characters is
/// shown as a window around the place, and a message is cut at a few hundred characters.
@Suite struct LongInputTests {
    @Test func aLongSourceLineIsShownAsAWindowAroundTheCaret() {
        let line = "name: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let file = SourceFile(path: "deep.yaml", text: line + "\n")
        let text = DiagnosticRenderer.human(Diagnostic(.limitExceeded, "the document nests deeper than 64 levels",
                                                       at: SourceRange(at: SourceLocation(line: 1, column: 70))), in: file)
        let lines = text.split(separator: "\n")
        #expect(text.utf8.count < 600)
        #expect(lines[1].hasPrefix(" 1 | ...[[[") && lines[1].hasSuffix("[..."))
        // The caret still sits under column 70 of the file: 3 dots + 69 - (69 - 53) shown before it.
        let shown = Array(lines[1].dropFirst(5)), caret = Array(lines[2].dropFirst(5))
        #expect(caret.firstIndex(of: "^").map { shown[$0] } == "[")
    }

    @Test func aMessageIsCutToOneReadableLine() {
        let message = "unknown key `" + String(repeating: "k", count: 50_000) + "` in the spec"
        let d = Diagnostic(.unknownKey, message, at: nil)
        #expect(d.message.count < 700 && d.message.hasSuffix("... (\(message.utf8.count) bytes)"))
    }
}

/// A diagnostic placed in a file the spec extends, or in a `--set` argument, is shown there.
@Suite struct ComposedSourceRendererTests {
    static let base = SourceFile(path: "specs/base.yaml", text: "optimizer: {adam: {lr: -1}}\n")
    static let argument = SourceFile(path: "--set data.batch_size=abc", text: "--set data.batch_size=abc",
                                     origin: .argument(label: "--set data.batch_size"))
    static var spec: SourceFile {
        var file = SourceFile(path: "specs/child.yaml", text: "extends: base.yaml\nname: child\n")
        file.composedFrom = [base, argument]
        return file
    }

    static let inBase = Diagnostic(.outOfRange, "`optimizer.adam.lr` must be > 0, found -1",
                                   at: SourceRange(start: .init(line: 1, column: 24), end: .init(line: 1, column: 26), source: "specs/base.yaml"),
                                   notes: [Note("extended here", at: SourceRange(start: .init(line: 1, column: 10), end: .init(line: 1, column: 19)))])
    static let inArgument = Diagnostic(.wrongType, "`data.batch_size` must be an integer, found 'abc'",
                                       at: SourceRange(start: .init(line: 1, column: 23), end: .init(line: 1, column: 26), source: argument.path))

    @Test func humanShowsTheFileOrTheArgument() {
        #expect(DiagnosticRenderer.human(Self.inBase, in: Self.spec) == """
            specs/base.yaml:1:24: error[E015]: `optimizer.adam.lr` must be > 0, found -1
             1 | optimizer: {adam: {lr: -1}}
               |                        ^~
            specs/child.yaml:1:10: note: extended here
             1 | extends: base.yaml
               |          ^~~~~~~~~
            """)
        #expect(DiagnosticRenderer.human(Self.inArgument, in: Self.spec) == """
            --set data.batch_size: error[E010]: `data.batch_size` must be an integer, found 'abc'
               | --set data.batch_size=abc
               |                       ^~~
            """)
        #expect(Self.spec.place(of: Self.inBase.range!) == "specs/base.yaml:1:24")
        #expect(Self.spec.contains(Self.inArgument.range!) && !Self.spec.contains(SourceRange(at: .init(line: 2, column: 1), source: Self.argument.path)))
    }

    @Test func githubAndJSONNameTheSource() {
        #expect(DiagnosticRenderer.github(Self.inBase, in: Self.spec) == "::error file=specs/base.yaml,line=1,col=24,endLine=1,endColumn=26,"
            + "title=E015 value out of range::`optimizer.adam.lr` must be > 0, found -1%0Anote: specs/child.yaml, line 1, column 10: extended here")
        #expect(DiagnosticRenderer.github(Self.inArgument, in: Self.spec) == "::error file=specs/child.yaml,title=E010 wrong type::"
            + "--set data.batch_size: `data.batch_size` must be an integer, found 'abc'")
        let json = DiagnosticRenderer.json(Self.inArgument, in: Self.spec).rendered()
        #expect(json.contains("\"argument\"") && json.contains("--set data.batch_size=abc"))
        #expect(DiagnosticRenderer.json(Self.inBase, in: Self.spec).rendered().contains("\"file\""))
    }

    @Test func sortsTheSpecsOwnFileFirst() {
        let own = Diagnostic(.unknownKey, "x", at: SourceRange(at: .init(line: 2, column: 1)))
        #expect([Self.inBase, Self.inArgument, own].sortedByLocation().map(\.code) == [.unknownKey, .wrongType, .outOfRange])
    }
}
