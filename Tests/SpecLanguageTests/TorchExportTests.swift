import Catalogue
import Diagnostics
import Foundation
import GraphIR
import SpecLanguage
import Testing

/// The PyTorch export of specs against reviewed snapshots in TorchExport/, so that a diff shows
/// any change to the generated code. Two shipped specs (one with BatchNorm and initializers, one
/// with a concat and a one-hot input) and two fixtures that reach every other branch.
@Suite struct TorchExportTests {
    static let directory = Fixtures.testsDirectory.appendingPathComponent("TorchExport")

    /// Repository-relative spec paths, as the generated header names them.
    static let specs = ["specs/water_bn.yaml", "specs/omniglot_two_input.yaml",
                        "Tests/SpecLanguageTests/TorchExport/export_csv.yaml", "Tests/SpecLanguageTests/TorchExport/export_image.yaml"]

    static func export(_ path: String) throws -> (text: String, graph: Graph) {
        let compilation = Compiler.compile(path: Fixtures.repositoryRoot.appendingPathComponent(path).path)
        #expect(!compilation.diagnostics.hasErrors, "\(compilation.diagnostics.map { DiagnosticRenderer.human($0, in: compilation.file) })")
        let spec = try #require(compilation.spec), graph = try #require(compilation.graph)
        return (TorchExport.render(graph, spec: spec, path: path), graph)
    }

    @Test(arguments: specs)
    func exportMatchesSnapshot(_ path: String) throws {
        let text = try Self.export(path).text
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let expectedURL = Self.directory.appendingPathComponent(name + ".py")
        if Fixtures.updating { try text.write(to: expectedURL, atomically: true, encoding: .utf8) }
        #expect(text == (try String(contentsOf: expectedURL, encoding: .utf8)))
    }

    /// The docstring documents the JSON keys in the order the bench dict builds them, so the
    /// documentation cannot drift from the code.
    @Test(arguments: specs)
    func benchKeysAreDocumentedAndProduced(_ path: String) throws {
        let text = try Self.export(path).text
        let documented = TorchExport.benchKeys.compactMap { key in text.range(of: "\n        \(key) ")?.lowerBound }
        let produced = TorchExport.benchKeys.compactMap { key in text.range(of: "\n        \"\(key)\": ")?.lowerBound }
        #expect(documented.count == TorchExport.benchKeys.count && documented == documented.sorted())
        #expect(produced.count == TorchExport.benchKeys.count && produced == produced.sorted())
    }

    /// Every layer is one line of the node's nn.Sequential, commented with its index.
    @Test(arguments: specs)
    func oneLinePerLayer(_ path: String) throws {
        let (text, graph) = try Self.export(path)
        let lines = text.split(separator: "\n")
        for node in graph.nodes where !node.layers.isEmpty {
            let opening = try #require(lines.firstIndex { $0.hasSuffix("= nn.Sequential(") && $0.contains("\"\(node.name)\"") || $0.hasSuffix("self.\(node.name) = nn.Sequential(") })
            for layer in node.layers {
                #expect(lines[opening + 1 + layer.index].contains("  # \(layer.index) -> \(layer.outputShape)"))
            }
            #expect(lines[opening + 1 + node.layers.count] == "        )")
        }
    }

    /// A graph whose class counts are bound has them as constants: no classes argument anywhere.
    @Test func boundGraphNeedsNoClassCounts() throws {
        let compilation = Compiler.compile(path: Fixtures.specs.appendingPathComponent("omniglot_two_output.yaml").path)
        var graph = try #require(compilation.graph)
        #expect(graph.bind(["alphabet": 8, "character": 242]).isEmpty)
        let text = TorchExport.render(graph, spec: try #require(compilation.spec), path: "specs/omniglot_two_output.yaml")
        #expect(!text.contains("classes[") && !text.contains("--classes") && !text.contains("CLASS_FIELDS"))
        #expect(text.contains("nn.Linear(128, 242),"))
        #expect(text.contains("model = Model()\n"))
        #expect(text.contains("synthetic_batch(args.batch_size, generator)"))
    }
}
