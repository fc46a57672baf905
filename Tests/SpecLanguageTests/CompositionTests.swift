import Catalogue
import Diagnostics
import Foundation
import GraphIR
import SpecLanguage
import Testing
import YAMLReader

/// `extends` and `--set`: diagnostics as `specrun validate` prints them, against reviewed
/// snapshots in Snapshots/Composed (<CODE>_<case>.yaml with its bases under bases/, and the
/// `--set` cases below, each <name>.txt), and the merge rules.
@Suite struct CompositionTests {
    static let folder = Fixtures.snapshots.appendingPathComponent("Composed")
    static let base = folder.appendingPathComponent("bases/water.yaml").path

    /// The report of a spec compiled with settings, paths shown relative to Snapshots/.
    static func render(_ path: String, settings: [String] = []) -> (String, Compilation) {
        let compilation = Compiler.compile(path: path, settings: settings)
        let text = DiagnosticRenderer.render([FileReport(file: compilation.file, diagnostics: compilation.diagnostics)], format: .human)
        return (text.replacingOccurrences(of: Fixtures.snapshots.path + "/", with: ""), compilation)
    }

    static func expectSnapshot(_ name: String, _ text: String, _ compilation: Compilation) throws {
        let expectedURL = folder.appendingPathComponent(name + ".txt")
        if Fixtures.updating { try text.write(to: expectedURL, atomically: true, encoding: .utf8) }
        #expect(text == (try String(contentsOf: expectedURL, encoding: .utf8)), "\(name)")
        let code = String(name.prefix { $0 != "_" })
        #expect(compilation.diagnostics.contains { $0.code.rawValue == code }, "\(name) does not report \(code)")
        for d in compilation.diagnostics {
            for range in [d.range] + d.notes.map(\.range) {
                if let range { #expect(compilation.file.contains(range), "\(name): \(range) in \(range.source ?? "the spec") is outside its source") }
            }
        }
    }

    static let extendsCases = Fixtures.files(in: folder, ext: "yaml")

    @Test(arguments: extendsCases)
    func extendsDiagnosticsMatchSnapshot(_ name: String) throws {
        let (text, compilation) = Self.render(Self.folder.appendingPathComponent(name).path)
        try Self.expectSnapshot(String(name.dropLast(5)), text, compilation)
    }

    /// `--set` cases on bases/water.yaml: name and arguments.
    static let settingCases: [(String, [String])] = [
        ("E011_set_wrong_key", ["data.batchsize=64"]),
        ("E010_set_wrong_type", ["data.batch_size=sixty"]),
        ("E015_set_out_of_range", ["optimizer.adam.lr=-3e-4"]),
        ("E013_set_unknown_member", ["optimizer.adma.lr=0.1"]),
        ("E001_set_syntax", ["data.fields=[1"]),
        ("E002_set_twice", ["train.epochs=3", "train.epochs=4"]),
        ("E009_set_index", ["model.nodes.mlp.layers.4.linear.out=2"]),
        ("E009_set_extends", ["extends=other.yaml"]),
        ("E012_set_new_section", ["train.early_stopping.patience=3"]),
    ]

    @Test(arguments: settingCases.map(\.0))
    func settingDiagnosticsMatchSnapshot(_ name: String) throws {
        let settings = try #require(Self.settingCases.first { $0.0 == name }).1
        let (text, compilation) = Self.render(Self.base, settings: settings)
        try Self.expectSnapshot(name, text, compilation)
    }

    // MARK: what composing does

    /// The composed spec of bases/water.yaml with settings, or of a text that extends it.
    static func composed(_ text: String? = nil, settings: [String] = []) throws -> Spec {
        let compilation = text.map { Compiler.compile(text: $0, path: Self.folder.appendingPathComponent("child.yaml").path, settings: settings) }
            ?? Compiler.compile(path: Self.base, settings: settings)
        #expect(compilation.diagnostics.filter(\.isError) == [], "\(compilation.diagnostics.map(\.message))")
        return try #require(compilation.spec)
    }

    static func layers(_ spec: Spec) -> [LayerSpec] {
        guard case .sequence(_, let layers)? = spec.model.nodes.first?.kind else { return [] }
        return layers
    }

    @Test func extendsMergesMappingsKeyByKeyAndReplacesLists() throws {
        let spec = try Self.composed("""
            extends: bases/water.yaml
            name: child
            data: {batch_size: 8}
            model:
              nodes:
                mlp: {layers: [{linear: {out: 1}}, sigmoid]}
            optimizer: {adam: {lr: 0.01}}
            train: {epochs: 3}
            """)
        #expect(spec.name == "child")
        #expect(spec.data.batchSize == 8)
        #expect(spec.data.split.test == 0.2, "the base's other data keys stay")
        #expect(spec.train.epochs == 3 && spec.train.evalEvery == 2)
        #expect(Self.layers(spec).map(\.kind) == ["linear", "sigmoid"], "a list replaces the base's")
        #expect(spec.optimizer.flow.contains("lr: 0.01") && spec.optimizer.flow.contains("weight_decay: 0.0001"),
                "the same member merges its options: \(spec.optimizer.flow)")
    }

    @Test func anotherMemberReplacesTheBases() throws {
        let extended = try Self.composed("extends: bases/water.yaml\noptimizer: {sgd: {lr: 0.1}}\n")
        #expect(extended.optimizer.name == "sgd")
        #expect(!extended.optimizer.flow.contains("weight_decay: 0.0001"))
        let set = try Self.composed(settings: ["optimizer.sgd.lr=0.1"])
        #expect(set.optimizer.flow == extended.optimizer.flow)
    }

    @Test func settingsCreateKeysReachListItemsAndTakeFlowValues() throws {
        let spec = try Self.composed(settings: [
            "train.early_stopping.metric=loss", "model.nodes.mlp.layers.0.linear.out=32", "data.split={validation: 0.1}",
            "model.outputs.potability.metrics=[accuracy, f1]", "seed=7",
        ])
        #expect(spec.train.earlyStopping?.metric == "loss")
        #expect(Self.layers(spec).first?.options.values["out"]?.value.yamlText == "32")
        #expect(spec.data.split.validation == 0.1 && spec.data.split.test == 0.2, "a flow mapping merges as a file does")
        #expect(spec.model.outputs.first?.metrics.map(\.name) == ["accuracy", "f1"])
        #expect(spec.seed == 7)
    }

    @Test func settingsApplyAfterExtendsAndOnTheComposedSpec() throws {
        let spec = try Self.composed("extends: bases/water.yaml\ntrain: {epochs: 3}\n", settings: ["train.epochs=5"])
        #expect(spec.train.epochs == 5)
    }

    @Test func theComposedTextReadsAsTheSameSpec() throws {
        let compilation = Compiler.compile(text: "extends: bases/water.yaml\nname: child\ndata: {batch_size: '8'}\n",
                                           path: Self.folder.appendingPathComponent("child.yaml").path, settings: ["optimizer.adam.lr=3e-4"])
        // '8' stays quoted text, so the composed spec reports the same error as the composition.
        #expect(compilation.diagnostics.map(\.code) == [.wrongType])
        let valid = Compiler.compile(text: "extends: bases/water.yaml\nname: child\n", path: Self.folder.appendingPathComponent("child.yaml").path,
                                     settings: ["optimizer.adam.lr=3e-4", "model.nodes.mlp.layers.1=relu"])
        let text = try #require(valid.composedText)
        #expect(!text.contains("extends"))
        #expect(text.contains("lr: 0.0003"), "a number from the command line is saved as YAML 1.1 readers read it too")
        let again = Compiler.compile(text: text, path: "spec.yaml")
        #expect(again.diagnostics == [] && again.composedText == nil)
        let a = try #require(valid.graph), b = try #require(again.graph)
        #expect(SummaryReport.render(a, spec: try #require(valid.spec), path: "x") == SummaryReport.render(b, spec: try #require(again.spec), path: "x"))
        #expect(YAMLWriter.text(YAMLReader.read(text: text, path: "x").root) == text, "writing is a fixed point")
        #expect(Compiler.compile(path: Self.base).composedText == nil, "a spec alone is its file")
    }

    @Test func aMalformedSettingIsADiagnosticForLibraryCallers() {
        let compilation = Compiler.compile(path: Self.base, settings: ["train.epochs"])
        #expect(compilation.diagnostics.map(\.code) == [.badComposition])
        #expect(SpecSetting.problem("a..b=1") != nil && SpecSetting.problem("=1") != nil && SpecSetting.problem("a.b=") == nil)
    }
}
