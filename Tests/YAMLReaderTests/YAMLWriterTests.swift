import Diagnostics
import Foundation
import Testing
import YAMLReader

/// Writing a tree and reading it back gives the same tree (places aside): the spec a run composed
/// is saved this way as spec.yaml.
@Suite struct YAMLWriterTests {
    /// A node without its places: what must survive writing.
    static func content(_ node: YAMLNode?) -> String {
        guard let node else { return "~" }
        switch node.content {
        case .scalar(let s): return "\(s.value.debugDescription)/\(s.style)/\(s.tag.map(\.rawValue) ?? "-")"
        case .sequence(let items): return "[" + items.map(content).joined(separator: ", ") + "]"
        case .mapping(let pairs): return "{" + pairs.map { "\($0.key.debugDescription): \(content($0.value))" }.joined(separator: ", ") + "}"
        }
    }

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func shippedSpecsSurviveWritingAndWritingIsAFixedPoint() throws {
        let specs = Self.repositoryRoot.appendingPathComponent("specs")
        let names = try FileManager.default.contentsOfDirectory(atPath: specs.path).filter { $0.hasSuffix(".yaml") }.map { "specs/" + $0 }
            + FileManager.default.contentsOfDirectory(atPath: specs.appendingPathComponent("zoo").path).filter { $0.hasSuffix(".yaml") }.map { "specs/zoo/" + $0 }
        #expect(names.count >= 8)
        for name in names {
            let original = YAMLReader.read(text: try String(contentsOf: Self.repositoryRoot.appendingPathComponent(name), encoding: .utf8), path: name)
            let written = YAMLWriter.text(original.root)
            let again = YAMLReader.read(text: written, path: "written")
            #expect(again.diagnostics.isEmpty, "\(name): \(again.diagnostics.map(\.message))")
            #expect(Self.content(again.root) == Self.content(original.root), "\(name)")
            #expect(YAMLWriter.text(again.root) == written, "\(name)")
        }
    }

    @Test func scalarsKeepTheirTextStyleAndTag() throws {
        let text = "a: 1e-3\nb: '1e-3'\nc: !!str 5\nd: \"tab\\there\"\ne: ''\nf:\ng: [x, 'y: z', '#']\nh: 'it''s'\n"
        let original = YAMLReader.read(text: text, path: "t")
        let written = YAMLWriter.text(original.root)
        #expect(Self.content(YAMLReader.read(text: written, path: "w").root) == Self.content(original.root), "\(written)")
        #expect(written.contains("a: 1e-3") && written.contains("b: '1e-3'") && written.contains("!!str"))
    }

    @Test func collectionsOfScalarsAreWrittenInFlowStyle() {
        let tree = YAMLReader.read(text: "model:\n  inputs:\n    image:\n      - 1\n      - 64\n  nodes: {n: {from: image, layers: [relu]}}\n", path: "t").root
        #expect(YAMLWriter.text(tree) == "model:\n  inputs:\n    image: [1, 64]\n  nodes:\n    n:\n      from: image\n      layers: [relu]\n")
        #expect(YAMLWriter.text(nil) == "")
    }
}
