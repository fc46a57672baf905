import Diagnostics
import Testing
import YAMLReader

@Suite struct YAMLReaderTests {
    func read(_ text: String) -> YAMLDocument { YAMLReader.read(text: text, path: "t.yaml") }

    @Test func buildsTreeWithOneBasedPlaces() throws {
        let doc = read("name: x\nmodel:\n  inputs: {image: [1, 64, 64]}\n")
        #expect(doc.diagnostics.isEmpty)
        let root = try #require(doc.root?.mapping)
        #expect(root.map(\.key) == ["name", "model"])
        #expect(root[0].keyRange.start == SourceLocation(line: 1, column: 1))
        #expect(root[0].value.range == SourceRange(start: .init(line: 1, column: 7), end: .init(line: 1, column: 8)))
        let shape = try #require(doc.root?["model"]?["inputs"]?["image"]?.sequence)
        #expect(shape.map { $0.scalar?.value } == ["1", "64", "64"])
        #expect(shape[1].range.start == SourceLocation(line: 3, column: 23))
    }

    @Test func keepsScalarStyleAndTags() throws {
        let doc = read("a: 1e-3\nb: '1e-3'\nc: !!str 5\nd: !!float '2'\ne: |\n  text\n")
        #expect(doc.diagnostics.isEmpty)
        let root = try #require(doc.root)
        #expect(root["a"]?.scalar?.isPlain == true)
        #expect(root["b"]?.scalar?.isPlain == false)
        #expect(root["c"]?.scalar == YAMLScalar("5", style: .plain, tag: .str))
        #expect(root["c"]?.scalar?.isPlain == false)
        #expect(root["d"]?.scalar?.isPlain == true)
        #expect(root["e"]?.scalar == YAMLScalar("text\n", style: .literal))
    }

    /// Columns count characters, not bytes, and a byte-order mark is not a column.
    @Test func columnsCountCharactersAfterByteOrderMark() throws {
        let doc = YAMLReader.read(bytes: [0xEF, 0xBB, 0xBF] + Array("é: [ü, x]\n".utf8), path: "t.yaml")
        #expect(doc.diagnostics.isEmpty)
        let items = try #require(doc.root?["é"]?.sequence)
        #expect(items[1].range.start == SourceLocation(line: 1, column: 8))
        #expect(doc.file.line(1) == "é: [ü, x]")
    }

    @Test func expandsAliases() throws {
        let doc = read("a: &x [1, 2]\nb: *x\n")
        #expect(doc.diagnostics.isEmpty)
        #expect(doc.root?["b"]?.sequence?.count == 2)
    }

    @Test func reportsSyntaxErrorWithLibyamlMessageAndContext() throws {
        let doc = read("a: [1, 2\nb: 3\n")
        #expect(doc.root == nil)
        let d = try #require(doc.diagnostics.first)
        #expect(d.code == .yamlSyntax)
        #expect(d.message == "did not find expected ',' or ']'")
        #expect(d.range?.start == SourceLocation(line: 2, column: 2))
        #expect(d.notes == [Note("while parsing a flow sequence", at: SourceRange(at: SourceLocation(line: 1, column: 4)))])
    }

    @Test func reportsEveryDuplicateKeyAndKeepsTheFirst() throws {
        let doc = read("a: 1\nb: 2\na: 3\nb: {c: 1, c: 2}\n")
        #expect(doc.diagnostics.map(\.code) == [.duplicateKey, .duplicateKey, .duplicateKey])
        #expect(doc.diagnostics[0].range?.start == SourceLocation(line: 3, column: 1))
        #expect(doc.diagnostics[0].notes.first?.range?.start == SourceLocation(line: 1, column: 1))
        #expect(doc.root?["a"]?.scalar?.value == "1")
    }

    @Test func refusesUnknownTagsAndComplexKeys() {
        let doc = read("a: !python/object 1\n? [x]\n: 2\n")
        #expect(doc.diagnostics.map(\.code) == [.unsupportedTag, .complexKey])
    }

    @Test func refusesSecondDocument() {
        let doc = read("a: 1\n---\nb: 2\n")
        #expect(doc.root == nil)
        #expect(doc.diagnostics.map(\.code) == [.multipleDocuments])
        #expect(doc.diagnostics.first?.range?.start.line == 2)
    }

    @Test func refusesInvalidUTF8AtTheBadByte() throws {
        let doc = YAMLReader.read(bytes: Array("a: 1\nb: x".utf8) + [0xFF] + Array("\n".utf8), path: "t.yaml")
        let d = try #require(doc.diagnostics.first)
        #expect(d.code == .notUTF8)
        #expect(d.range?.start == SourceLocation(line: 2, column: 5))
    }

    @Test func refusesBillionLaughsQuickly() throws {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1..<10 {
            text += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let doc = read(text)
        #expect(doc.root == nil)
        #expect(doc.diagnostics.map(\.code) == [.aliasExpansion])
    }

    @Test func refusesDeepNesting() {
        let doc = read(String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000))
        #expect(doc.root == nil)
        #expect(doc.diagnostics.map(\.code) == [.limitExceeded])
    }

    @Test func emptyInputHasNoRootAndNoError() {
        let doc = read("")
        #expect(doc.root == nil)
        #expect(doc.diagnostics.isEmpty)
        #expect(read("# only a comment\n").root == nil)
    }

    @Test func libyamlReaderErrorsAreLocated() throws {
        let doc = read("a: 1\nb: \u{07}\n")
        let d = try #require(doc.diagnostics.first)
        #expect(d.code == .yamlSyntax)
        #expect(d.range?.start == SourceLocation(line: 2, column: 4))
    }
}
