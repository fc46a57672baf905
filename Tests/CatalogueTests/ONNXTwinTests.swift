import Autograd
import Catalogue
import DataPipeline
import Foundation
import GraphIR
import NN
import ONNX
import Runner
import TestSupport
import Testing

/// Every layer and merge (each one's probe, and the variants that reach other options) exported
/// to ONNX with weights and running statistics moved off their initial values: the file's
/// structure checked by specrun's own decoder (`CompletenessTests` does that for every member),
/// and where onnx and onnxruntime are installed, `onnx.checker` passes and ONNX Runtime computes
/// what specrun computes in evaluation mode on a batch of the probe's data. All probes run in one
/// Python process.
@Suite struct ONNXTwinTests {
    static func probes() -> [Probe] {
        let d = CompletenessTests.definitions
        return d.layers.compactMap { Probe.layer($0) } + d.merges.map(Probe.merge) + Probe.layerVariants.map(\.probe)
    }

    /// The probe's model with moved weights, its export, and what specrun computes on a batch.
    static func write(_ probe: Probe, to dir: URL, dataRoot: String) throws -> ONNXCase {
        let prepared = try PreparedModel.prepare(path: "probe.yaml", text: probe.yaml, dataRoot: dataRoot)
        for (name, tensor) in prepared.model.parameters + prepared.model.buffers {
            movedOffInitialValues(name, tensor.values).withUnsafeBufferPointer { tensor.data.update(from: $0.baseAddress!, count: tensor.count) }
        }
        let bytes = try Catalogue.standard.onnxModel(for: prepared.graph, weights: prepared.model.parameters + prepared.model.buffers).encoded()
        let batch = try prepared.data.dataset.batch(Array(prepared.data.dataset.splits.train.prefix(4)))
        let inputs = prepared.data.inputs(batch, names: prepared.model.inputNames)
        prepared.model.eval()
        let outputs = prepared.model(inputs)
        return try ONNXCase(directory: dir, model: bytes,
                            inputs: inputs.mapValues { CaseTensor(shape: $0.shape.dims, values: $0.values) },
                            expected: outputs.mapValues { CaseTensor(shape: $0.shape.dims, values: $0.values) })
    }

    @Test(.enabled(if: ONNXRuntimePython.path != nil, "needs onnx and onnxruntime: /tmp/onnxenv or SPECRUN_ONNX_PYTHON"))
    func everyLayerAndMergeMatchesONNXRuntime() throws {
        let data = try ProbeData()
        defer { data.remove() }
        var cases: [(probe: Probe, onnx: ONNXCase)] = []
        for (i, probe) in Self.probes().enumerated() {
            cases.append((probe, try Self.write(probe, to: data.url.appendingPathComponent("onnx/case\(i)"), dataRoot: data.path)))
        }
        let results = try ONNXCase.run(cases.map(\.onnx))
        for (probe, onnx) in cases {
            let result = try #require(results[onnx.directory.path], "\(probe.member): no result from ONNX Runtime")
            #expect(result.checker == "ok", "\(probe.member): onnx.checker: \(result.checker)")
            #expect(result.error == nil, "\(probe.member): \(result.error ?? "")")
            #expect(!(result.outputs ?? [:]).isEmpty, "\(probe.member): no outputs compared")
            for (name, o) in result.outputs ?? [:] {
                #expect(o.abs / o.scale < 1e-5, "\(probe.member) \(name): ONNX Runtime differs by \(o.abs) (largest value \(o.scale))")
                #expect(o.batch1 / o.scale < 1e-5, "\(probe.member) \(name): one sample alone differs from the batch by \(o.batch1)")
            }
        }
    }
}
