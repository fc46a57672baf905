import Autograd
import Catalogue
import Foundation
import GraphIR
import Kernels
import NN
import ONNX
import Runner
import TestSupport
import Testing

/// `export-onnx` on every shipped spec, with no data: the model built from the spec's seed (its
/// weights and running statistics then moved off their initial values, so that a lowering that
/// ignored or swapped them would show), saved as weights.safetensors, exported, and run by
/// specrun on inputs made here. Without ONNX's tools the file is checked with specrun's own
/// decoder; with them, `onnx.checker` passes and ONNX Runtime reproduces specrun's outputs.
@Suite struct ONNXExportTests {
    static let shippedSpecs: [String] = ["specs", "specs/zoo"].flatMap { folder -> [String] in
        let url = repositoryRoot.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { "\(folder)/\($0)" }
    }

    struct Export {
        var onnx: ONNXCase
        var structure: [String]
        var classCounts: [String: Int]
    }

    /// The spec at `relativePath` exported into `folder`, with what specrun computes on 3 samples.
    static func export(_ relativePath: String, into folder: URL) throws -> Export {
        let path = repositoryRoot.appendingPathComponent(relativePath).path
        let compilation = Compiler.compile(path: path)
        var graph = try #require(compilation.graph, "\(relativePath) does not compile")
        let spec = try #require(compilation.spec)
        // Small made-up class counts, a different one per label field; a target whose output has a
        // fixed number of scores (the zoo's 10 digits) has that many classes.
        var counts = Dictionary(uniqueKeysWithValues: graph.symbols.enumerated().map { ($1, 3 + $0) })
        for output in graph.outputs where output.targetKind == .classIndex {
            if let fixed = output.shape.dims.last?.constant { counts[output.target.name] = fixed }
        }
        #expect(graph.bind(counts).isEmpty)
        var rng = RandomGenerator(seed: UInt64(bitPattern: Int64(spec.seed)), stream: 0)
        let model = try Catalogue.standard.model(for: graph, rng: &rng, dropoutRNG: RandomGenerator(seed: 1, stream: 1))
        for (name, tensor) in model.parameters + model.buffers {
            movedOffInitialValues(name, tensor.values).withUnsafeBufferPointer { tensor.data.update(from: $0.baseAddress!, count: tensor.count) }
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let weightsPath = folder.appendingPathComponent("weights.safetensors")
        try SafeTensors(entries: StateDict.entries(of: model)).encoded().write(to: weightsPath)
        let bytes = try ONNXExportSession.model(specPath: path, weightsPath: weightsPath.path, classCounts: counts).encoded()

        let indexInputs = Catalogue.indexInputs(of: graph)
        var inputs: [String: CaseTensor] = [:], tensors: [String: Tensor] = [:]
        for (k, input) in graph.inputs.enumerated() {
            let shape = try [3] + #require(input.shape.concrete)
            let n = shape.reduce(1, *)
            // Indices for an embedding's input, values of either sign for the others.
            let values: [Float]
            if let table = indexInputs.first(where: { $0.input == input.name }) {
                values = (0..<n).map { i in Float((i * 7 + k) % table.count) }
            } else {
                values = (0..<n).map { i in Float(2 * sin(Double(i) * 12.9898 + Double(k))) }
            }
            inputs[input.name] = CaseTensor(shape: shape, values: values)
            tensors[input.name] = Tensor(shape: Shape(shape), values: values)
        }
        model.eval()
        let outputs = model(tensors)
        var expected: [String: CaseTensor] = [:]
        for output in graph.outputs {
            let y = try #require(outputs[output.name])
            expected[output.name] = CaseTensor(shape: y.shape.dims, values: y.values)
        }
        let structure = ONNXStructure.problems(bytes, inputs: try graph.inputs.map { ($0.name, try #require($0.shape.concrete)) },
                                               outputs: try graph.outputs.map { ($0.name, try #require($0.shape.concrete)) },
                                               weights: (model.parameters + model.buffers).map { ($0.name, $0.tensor.values) })
        return Export(onnx: try ONNXCase(directory: folder, model: bytes, inputs: inputs, expected: expected), structure: structure,
                      classCounts: counts)
    }

    @Test func everyShippedSpecIsFound() {
        #expect(Self.shippedSpecs.count >= 10 && Self.shippedSpecs.contains("specs/zoo/lenet5.yaml"), "\(Self.shippedSpecs)")
    }

    /// The file decodes to opset 17, the spec's inputs and outputs with a dynamic batch, every
    /// weight an initializer of the same name and values, and a well-formed graph.
    @Test(arguments: shippedSpecs) func theExportHoldsTheSpecsInterfaceAndWeights(_ spec: String) throws {
        let folder = temporaryFolder("onnx-structure")
        defer { try? FileManager.default.removeItem(at: folder) }
        let export = try Self.export(spec, into: folder)
        #expect(export.structure.isEmpty, "\(spec): \(export.structure)")
    }

    /// The spec may name an output as an input; ONNX cannot, and says which.
    @Test func anOutputNamedAsAnInputIsAOneLineError() throws {
        let folder = temporaryFolder("onnx-clash")
        defer { try? FileManager.default.removeItem(at: folder) }
        let spec = folder.appendingPathComponent("clash.yaml")
        try """
            name: clash
            data:
              source: {csv: {path: water.csv}}
              fields: {x: {features: [a, b]}, y: {column: y}}
            model:
              inputs: {x: [2]}
              nodes: {y: {from: x, layers: [{linear: {out: 1}}]}}
              outputs: {x: {from: y, target: y, loss: bce_with_logits}}
            optimizer: {sgd: {lr: 0.1}}
            train: {epochs: 1}
            """.write(to: spec, atomically: true, encoding: .utf8)
        let compilation = Compiler.compile(path: spec.path)
        let graph = try #require(compilation.graph, "\(compilation.diagnostics)")
        var rng = RandomGenerator(seed: 0, stream: 0)
        let model = try Catalogue.standard.model(for: graph, rng: &rng, dropoutRNG: RandomGenerator(seed: 0, stream: 1))
        let weights = folder.appendingPathComponent("weights.safetensors")
        try SafeTensors(entries: StateDict.entries(of: model)).encoded().write(to: weights)
        #expect {
            _ = try ONNXExportSession.model(specPath: spec.path, weightsPath: weights.path)
        } throws: { error in
            (error as? RunError)?.message == "\(spec.path): output 'x' has the name of a model input, and an ONNX model's inputs and "
                + "outputs need distinct names: rename one of them in the spec"
        }
    }

    @Test(.enabled(if: ONNXRuntimePython.path != nil, "needs onnx and onnxruntime: /tmp/onnxenv or SPECRUN_ONNX_PYTHON"))
    func onnxRuntimeReproducesEveryShippedSpec() throws {
        let folder = temporaryFolder("onnx-runtime")
        defer { try? FileManager.default.removeItem(at: folder) }
        var exports: [(spec: String, export: Export)] = []
        for (i, spec) in Self.shippedSpecs.enumerated() {
            exports.append((spec, try Self.export(spec, into: folder.appendingPathComponent("case\(i)"))))
        }
        let results = try ONNXCase.run(exports.map(\.export.onnx))
        for (spec, export) in exports {
            let result = try #require(results[export.onnx.directory.path], "\(spec): no result from ONNX Runtime")
            #expect(result.checker == "ok", "\(spec): onnx.checker: \(result.checker)")
            #expect(result.error == nil, "\(spec): \(result.error ?? "")")
            let outputs = result.outputs ?? [:]
            #expect(Set(result.names ?? []) == Set(outputs.keys) && !outputs.isEmpty, "\(spec): outputs \(result.names ?? [])")
            for (name, o) in outputs.sorted(by: { $0.key < $1.key }) {
                #expect(o.abs / o.scale < 1e-5, "\(spec) \(name): ONNX Runtime differs by \(o.abs) (largest value \(o.scale))")
                #expect(o.batch1 / o.scale < 1e-5, "\(spec) \(name): one sample alone differs from the batch by \(o.batch1)")
                print("onnx \(spec) \(name) \(o.shape): max abs diff \(o.abs), relative \(o.abs / o.scale)")
            }
        }
    }
}
