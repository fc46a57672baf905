import Autograd
import Catalogue
import DataPipeline
import Diagnostics
import Foundation
import GraphIR
import Kernels
import NN
import ONNX
import Runner
import SpecLanguage
import TestSupport
import Testing

/// Every member of every family in the catalogue goes through every stage: its spec validates,
/// its shape rule (or its checks) runs, it lowers to something that runs forward and backward,
/// it is in the JSON Schema and in docs/spec-language.md, and it exports to PyTorch (and, where
/// torch is installed, the export computes what specrun computes: `PyTorchTwinTests`) and to ONNX
/// (read back with specrun's decoder; where onnxruntime is installed, `ONNXTwinTests`). A failure
/// names the member. What a definition must provide is a protocol requirement, so a member that
/// lacks a stage does not compile; these tests catch what the compiler cannot.
@Suite struct CompletenessTests {
    static let catalogue = Catalogue.standard
    static let definitions = catalogue.definitions

    static let layers = definitions.layers.map(\.kind.name)
    static let merges = definitions.merges.map(\.kind.name)
    static let initializers = definitions.initializers.map(\.kind.name)
    static let losses = definitions.losses.map(\.kind.name)
    static let metrics = definitions.metrics.map(\.kind.name)
    static let optimizers = definitions.optimizers.map(\.kind.name)
    static let schedules = definitions.schedules.map(\.kind.name)
    static let sources = definitions.sources.map(\.kind.name)
    static let fields = definitions.fields.map(\.kind.name)
    static let transforms = definitions.transforms.map(\.kind.name)

    static let schema = JSONSchema.document().rendered()
    static let docs = LanguageReference.markdown()

    /// The probe is in the schema and the docs, validates without a diagnostic, loads its data,
    /// lowers, and trains one step to finite losses with a gradient for every parameter.
    @discardableResult
    static func exercise(_ probe: Probe, family: Family, name: String) throws -> PreparedModel {
        #expect(schema.contains("\"\(family.rawValue)_\(name)\""), "\(probe.member) is not in the JSON Schema")
        #expect(docs.contains("### `\(name)`"), "\(probe.member) is not in docs/spec-language.md")
        let compilation = Compiler.compile(text: probe.yaml, path: "probe.yaml")
        #expect(compilation.diagnostics.isEmpty,
                "\(probe.member): \(compilation.diagnostics.map { DiagnosticRenderer.human($0, in: compilation.file) })\n\(probe.yaml)")
        let data = try ProbeData()
        defer { data.remove() }
        let prepared = try PreparedModel.prepare(path: "probe.yaml", text: probe.yaml, dataRoot: data.path)
        let batch = try prepared.data.dataset.batch(Array(prepared.data.dataset.splits.train.prefix(4)))
        let step = TrainingStep(model: prepared.model, objective: prepared.objective, optimizer: try prepared.makeOptimizer(),
                                clipGradNorm: nil)
        prepared.model.train()
        prepared.model.parameters.forEach { $0.tensor.setGrad(nil) }
        let result = step(prepared.data.inputs(batch, names: prepared.model.inputNames), prepared.data.targets(batch, for: prepared.objective))
        #expect(result.nonFinite == nil && result.total.isFinite, "\(probe.member): loss \(result.losses)")
        for p in prepared.model.parameters {
            #expect(p.tensor.grad != nil, "\(probe.member): \(p.name) got no gradient")
        }
        let export = TorchExport.render(prepared.graph, spec: prepared.spec, path: "probe.yaml")
        #expect(export.contains("class Model(nn.Module)"), "\(probe.member): no PyTorch export")
        let weights = prepared.model.parameters + prepared.model.buffers
        let onnx = try catalogue.onnxModel(for: prepared.graph, weights: weights).encoded()
        let problems = ONNXStructure.problems(onnx, inputs: try prepared.graph.inputs.map { ($0.name, try #require($0.shape.concrete)) },
                                              outputs: try prepared.graph.outputs.map { ($0.name, try #require($0.shape.concrete)) },
                                              weights: weights.map { ($0.name, $0.tensor.values) })
        #expect(problems.isEmpty, "\(probe.member): ONNX export: \(problems)")
        return prepared
    }

    @Test(arguments: layers) func layerIsComplete(_ name: String) throws {
        let probe = try #require(Probe.layer(Self.definitions.layer(name)), "layer \(name): its example input has no field to feed it")
        let prepared = try Self.exercise(probe, family: .layer, name: name)
        let layer = try #require(prepared.graph.node(named: "probe")?.layers.first)
        #expect(layer.kind == name)
        #expect(TorchExport.render(prepared.graph, spec: prepared.spec, path: "probe.yaml")
            .contains(layer.torchModule), "layer \(name): its module is not in the export")
    }

    @Test(arguments: Probe.layerVariants.map(\.probe.member)) func layerVariantRuns(_ member: String) throws {
        let variant = try #require(Probe.layerVariants.first { $0.probe.member == member })
        try Self.exercise(variant.probe, family: .layer, name: variant.kind)
    }

    @Test(arguments: merges) func mergeIsComplete(_ name: String) throws {
        let prepared = try Self.exercise(Probe.merge(Self.definitions.merge(name)), family: .merge, name: name)
        guard case .merge(let merge)? = prepared.graph.node(named: "joined")?.operation else {
            Issue.record("merge \(name): the node is not a merge"); return
        }
        #expect(merge.kind == name)
    }

    @Test(arguments: initializers) func initializerIsComplete(_ name: String) throws {
        let definition = Self.definitions.initializer(name)
        let prepared = try Self.exercise(Probe.initializer(definition), family: .initializer, name: name)
        #expect(TorchExport.render(prepared.graph, spec: prepared.spec, path: "probe.yaml").contains(definition.kind.pytorch ?? name),
                "initializer \(name): no nn.init call in the export")
    }

    @Test(arguments: losses) func lossIsComplete(_ name: String) throws {
        try Self.exercise(Probe.loss(Self.definitions.loss(name)), family: .loss, name: name)
    }

    @Test(arguments: metrics) func metricIsComplete(_ name: String) throws {
        let probe = try #require(Probe.metric(Self.definitions.metric(name), losses: Self.definitions.losses),
                                 "metric \(name): no loss has a target it measures")
        let prepared = try Self.exercise(probe, family: .metric, name: name)
        let head = try #require(prepared.objective.heads.first)
        var statistics = head.statistics()
        let batch = try prepared.data.dataset.batch(prepared.data.dataset.splits.test)
        prepared.model.eval()
        let outputs = prepared.model(prepared.data.inputs(batch, names: prepared.model.inputNames))
        statistics.add(outputs[head.name]!, prepared.data.targets(batch, for: prepared.objective)[0])
        let value = try #require(head.metrics.first).value(statistics, target: head.target)
        #expect(value.isFinite, "metric \(name): \(value)")
    }

    @Test(arguments: optimizers) func optimizerIsComplete(_ name: String) throws {
        let before = try Self.exercise(Probe.optimizer(Self.definitions.optimizer(name)), family: .optimizer, name: name)
        // The step moved the parameters away from their initial values.
        let fresh = try PreparedModel.prepare(path: "probe.yaml", text: Probe.optimizer(Self.definitions.optimizer(name)).yaml,
                                              dataRoot: try ProbeData().path)
        let moved = zip(before.model.parameters, fresh.model.parameters).contains { a, b in a.tensor.values != b.tensor.values }
        #expect(moved, "optimizer \(name): one step changed no parameter")
    }

    @Test(arguments: schedules) func scheduleIsComplete(_ name: String) throws {
        let prepared = try Self.exercise(Probe.schedule(Self.definitions.schedule(name)), family: .schedule, name: name)
        #expect(prepared.schedule != .constant, "schedule \(name): lowered to a constant rate")
    }

    @Test(arguments: sources) func sourceIsComplete(_ name: String) throws {
        let probe = try #require(Probe.sources[name], "source \(name) has no probe: add one with data for it to Probe.sources")
        let prepared = try Self.exercise(probe, family: .source, name: name)
        #expect(prepared.data.dataset.count > 0, "source \(name): no samples")
    }

    @Test(arguments: fields) func fieldIsComplete(_ name: String) throws {
        let probe = try #require(Probe.fields[name], "field \(name) has no probe: add one with data for it to Probe.fields")
        let prepared = try Self.exercise(probe, family: .field, name: name)
        #expect(prepared.spec.data.fields.contains { $0.kind.name == name }, "field \(name): the probe does not use it")
    }

    /// A transform runs on training batches: they keep their shape and stay finite, and batches
    /// without augmentation are the images as they are.
    @Test(arguments: transforms) func transformIsComplete(_ name: String) throws {
        let prepared = try Self.exercise(Probe.transform(Self.definitions.transform(name)), family: .transform, name: name)
        #expect(prepared.data.dataset.config.augmentation.count == 1, "transform \(name): not in the pipeline")
        let dataset = prepared.data.dataset, indices = Array(dataset.splits.train)
        let augmented = try dataset.batch(indices, augmentation: AugmentationDraw(seed: 1, epoch: 0))["x"]!
        let plain = try dataset.batch(indices)["x"]!
        #expect(augmented.shape == plain.shape)
        #expect(augmented.floats!.array.allSatisfy { $0.isFinite }, "transform \(name): non-finite pixels")
    }

    /// The semicolon file reads as the comma file does: `csv.delimiter` is honoured, not dropped.
    @Test func csvDelimiterIsHonoured() throws {
        let data = try ProbeData()
        defer { data.remove() }
        let comma = Probe(member: "csv ,", nodes: Probe.head(from: "x"))
        var semicolon = comma
        semicolon.data = semicolon.data.replacingOccurrences(of: "{path: probe.csv}", with: "{path: probe-semicolon.csv, delimiter: \";\"}")
        let a = try PreparedModel.prepare(path: "a.yaml", text: comma.yaml, dataRoot: data.path)
        let b = try PreparedModel.prepare(path: "b.yaml", text: semicolon.yaml, dataRoot: data.path)
        let all = Array(0..<a.data.dataset.count)
        #expect(b.data.dataset.count == a.data.dataset.count)
        #expect(try b.data.dataset.batch(all)["x"]?.floats?.array == a.data.dataset.batch(all)["x"]?.floats?.array)
        // Read with the wrong delimiter, the file has one column: an error, not wrong numbers.
        var wrong = comma
        wrong.data = wrong.data.replacingOccurrences(of: "{path: probe.csv}", with: "{path: probe-semicolon.csv}")
        #expect(throws: RunError.self) { try PreparedModel.prepare(path: "w.yaml", text: wrong.yaml, dataRoot: data.path) }
    }

    /// Every member is in a family list above, so every member is exercised.
    @Test func everyMemberOfTheVocabularyIsExercised() {
        let exercised = Set((Self.layers + Self.merges + Self.initializers + Self.losses + Self.metrics + Self.optimizers
                                + Self.schedules + Self.sources + Self.fields + Self.transforms).map { $0 })
        for kind in Self.definitions.vocabulary.kinds { #expect(exercised.contains(kind.name), "\(kind.family.noun) \(kind.name)") }
    }
}
