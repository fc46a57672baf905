@testable import Catalogue
import Foundation
import GraphIR
import SpecLanguage
import TestSupport
import Testing

/// The exported files run in PyTorch, when a Python with torch is at hand (SPECRUN_TORCH_PYTHON,
/// else /tmp/torchenv/bin/python); skipped otherwise. For every shipped spec, the fixtures, and
/// the optimizers the shipped specs do not use: the module's state_dict is what the IR says
/// (names, shapes, parameter count), its outputs have the IR's shapes, and `--bench` prints the
/// documented JSON.
@Suite(.enabled(if: TorchPython.path != nil)) struct TorchExportPyTorchTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        /// Repository-relative.
        var path: String
        var classes: [String: Int]
        /// Replaces the spec's `optimizer:` line.
        var optimizer: String? = nil

        var testDescription: String { name }
    }

    static let omniglot = ["alphabet": 8, "character": 242]
    static let fixture = "Tests/SpecLanguageTests/TorchExport/export_csv.yaml"
    static let cases: [Case] = [
        Case(name: "omniglot_two_input", path: "specs/omniglot_two_input.yaml", classes: omniglot),
        Case(name: "omniglot_two_output", path: "specs/omniglot_two_output.yaml", classes: omniglot),
        Case(name: "water_bn", path: "specs/water_bn.yaml", classes: [:]),
        Case(name: "water_mlp", path: "specs/water_mlp.yaml", classes: [:]),
        Case(name: "omniglot_cnn", path: "specs/omniglot_cnn.yaml", classes: omniglot),
        Case(name: "water_regression", path: "specs/water_regression.yaml", classes: [:]),
        Case(name: "export_image", path: "Tests/SpecLanguageTests/TorchExport/export_image.yaml", classes: ["kind": 5]),
        Case(name: "export_csv", path: fixture, classes: ["kind": 3, "kind2": 2]),
        Case(name: "export_csv_adamw", path: fixture, classes: ["kind": 3, "kind2": 2],
             optimizer: "optimizer: {adamw: {lr: 0.01, betas: [0.8, 0.99], eps: 1e-6, amsgrad: true}}"),
        Case(name: "export_csv_rmsprop", path: fixture, classes: ["kind": 3, "kind2": 2],
             optimizer: "optimizer: {rmsprop: {alpha: 0.9, weight_decay: 0.001, momentum: 0.5, centered: true}}"),
        Case(name: "export_csv_adagrad", path: fixture, classes: ["kind": 3, "kind2": 2],
             optimizer: "optimizer: {adagrad: {lr: 0.05, lr_decay: 0.01, initial_accumulator_value: 0.1, maximize: true}}"),
    ]

    /// The spec compiled, exported into a fresh directory, and its graph bound to the case's class counts.
    struct Exported {
        var file: URL
        var graph: Graph
        var classArguments: [String]
    }

    static func export(_ c: Case, into directory: URL) throws -> Exported {
        var text = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent(c.path), encoding: .utf8)
        if let optimizer = c.optimizer {
            text = text.split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.hasPrefix("optimizer:") ? optimizer : String($0) }.joined(separator: "\n")
        }
        let compilation = Compiler.compile(text: text, path: c.path)
        let spec = try #require(compilation.spec), unbound = try #require(compilation.graph)
        let file = directory.appendingPathComponent(c.name + ".py")
        try TorchExport.render(unbound, spec: spec, path: c.path).write(to: file, atomically: true, encoding: .utf8)
        var graph = unbound
        #expect(graph.bind(c.classes).isEmpty)
        let arguments = c.classes.isEmpty ? [] : ["--classes"] + c.classes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return Exported(file: file, graph: graph, classArguments: arguments)
    }

    /// A fresh directory for one test case, removed after it; never shared (two tests of the same
    /// case once shared one, and the first to finish removed the other's exported file while its
    /// Python was loading it: "python exited with 1" now and then).
    static func withDirectory<T>(_ name: String, _ body: (URL) throws -> T) throws -> T {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("specrun-torch-export-\(getpid())-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        return try body(dir)
    }

    /// The state_dict a PyTorch model of the graph has: names and shapes, from the IR alone.
    static func expectedState(_ graph: Graph) throws -> [String: [Int]] {
        func value(_ size: SymbolicSize) throws -> Int { try #require(size.constant) }
        var state: [String: [Int]] = [:]
        for node in graph.nodes {
            for layer in node.layers {
                let prefix = "\(node.name).\(layer.index)."
                if let l = layer.attributes(as: LinearLayer.Attributes.self) {
                    state[prefix + "weight"] = [try value(l.outFeatures), try value(l.inFeatures)]
                    if l.bias { state[prefix + "bias"] = [try value(l.outFeatures)] }
                } else if let c = layer.attributes(as: Conv2dLayer.Attributes.self) {
                    state[prefix + "weight"] = [try value(c.outChannels), try value(c.inChannels) / c.groups, c.window.kernelH, c.window.kernelW]
                    if c.bias { state[prefix + "bias"] = [try value(c.outChannels)] }
                } else if let b = layer.attributes(as: BatchNormLayer.Attributes.self) {
                    let features = try value(b.numFeatures)
                    if b.affine {
                        state[prefix + "weight"] = [features]
                        state[prefix + "bias"] = [features]
                    }
                    state[prefix + "running_mean"] = [features]
                    state[prefix + "running_var"] = [features]
                    state[prefix + "num_batches_tracked"] = []
                } else if let g = layer.attributes(as: GroupNormLayer.Attributes.self), g.affine {
                    state[prefix + "weight"] = [g.channels]
                    state[prefix + "bias"] = [g.channels]
                } else if let l = layer.attributes(as: LayerNormLayer.Attributes.self), l.affine {
                    state[prefix + "weight"] = l.normalizedShape
                    if l.bias { state[prefix + "bias"] = l.normalizedShape }
                }
            }
        }
        return state
    }

    /// Imports the exported file, builds the model, runs one forward pass on a synthetic batch.
    static let probe = """
        import importlib.util, json, math, sys, torch
        spec = importlib.util.spec_from_file_location("exported", sys.argv[1])
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        classes = json.loads(sys.argv[2])
        needs_classes = hasattr(module, "CLASS_FIELDS")
        model = module.Model(classes) if needs_classes else module.Model()
        generator = torch.Generator().manual_seed(0)
        batch = module.synthetic_batch(4, classes, generator) if needs_classes else module.synthetic_batch(4, generator)
        inputs, targets = batch
        model.train()
        outputs = model(*inputs.values())
        loss = module.total_loss(outputs, targets).item()
        print(json.dumps({
            "state": {name: list(t.shape) for name, t in model.state_dict().items()},
            "parameters": sum(p.numel() for p in model.parameters()),
            "outputs": {name: list(t.shape) for name, t in outputs.items()},
            "loss_is_finite": math.isfinite(loss),
        }))
        """

    @Test(arguments: cases)
    func moduleIsWhatTheGraphSays(_ c: Case) throws {
        try Self.withDirectory(c.name) { dir in
            let exported = try Self.export(c, into: dir)
            let classesJSON = String(decoding: try JSONSerialization.data(withJSONObject: c.classes), as: UTF8.self)
            let out = try TorchPython.run(["-c", Self.probe, exported.file.path, classesJSON])
            let result = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
            let state = try #require(result["state"] as? [String: [Int]])
            #expect(state == (try Self.expectedState(exported.graph)))
            #expect(result["parameters"] as? Int == exported.graph.parameterCount.constant)
            let outputs = try #require(result["outputs"] as? [String: [Int]])
            var expected: [String: [Int]] = [:]
            for output in exported.graph.outputs { expected[output.name] = [4] + (output.shape.concrete ?? []) }
            #expect(outputs == expected)
            #expect(result["loss_is_finite"] as? Bool == true)
        }
    }

    @Test(arguments: cases)
    func benchPrintsTheDocumentedJSON(_ c: Case) throws {
        try Self.withDirectory(c.name) { dir in
            let exported = try Self.export(c, into: dir)
            let out = try TorchPython.run([exported.file.path, "--bench", "--steps", "3", "--batch-size", "4", "--warmup", "1", "--threads", "1"]
                                          + exported.classArguments)
            let lines = out.split(separator: "\n")
            #expect(lines.count == 1)
            let record = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
            #expect(Set(record.keys) == Set(TorchExport.benchKeys))
            #expect(record["spec"] as? String == exported.graph.name)
            #expect(record["steps"] as? Int == 3)
            #expect(record["warmup_steps"] as? Int == 1)
            #expect(record["batch_size"] as? Int == 4)
            #expect(record["threads"] as? Int == 1)
            #expect(record["parameters"] as? Int == exported.graph.parameterCount.constant)
            #expect((record["torch"] as? String)?.isEmpty == false)
            for key in ["ms_per_step_median", "ms_per_step_mean", "forward_ms_median", "backward_ms_median", "optimizer_ms_median",
                        "samples_per_s", "peak_rss_mib"] {
                #expect((record[key] as? Double ?? 0) > 0, "\(key)")
            }
            #expect(record["loss"] is Double)
        }
    }

    /// `--load` takes weights named as specrun names them, strictly: a file saved from a model of
    /// the same spec loads, one from a model with other class counts does not.
    @Test func loadsWeightsStrictly() throws {
        let c = Self.cases[1]
        try Self.withDirectory("load") { dir in
            let exported = try Self.export(c, into: dir)
            let weights = dir.appendingPathComponent("w.safetensors").path, wrong = dir.appendingPathComponent("wrong.safetensors").path
            _ = try TorchPython.run(["-c", """
                import importlib.util, sys
                from safetensors.torch import save_file
                spec = importlib.util.spec_from_file_location("exported", sys.argv[1])
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                save_file(module.Model({"alphabet": 8, "character": 242}).state_dict(), sys.argv[2])
                save_file(module.Model({"alphabet": 9, "character": 242}).state_dict(), sys.argv[3])
                """, exported.file.path, weights, wrong])
            let out = try TorchPython.run([exported.file.path, "--load", weights] + exported.classArguments)
            #expect(out.hasSuffix("\(exported.graph.parameterCount.constant ?? 0) parameters, loaded from \(weights)\n"))
            #expect(throws: Python.Failure.self) { try TorchPython.run([exported.file.path, "--load", wrong] + exported.classArguments) }
        }
    }
}
