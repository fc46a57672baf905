import Autograd
import Catalogue
import DataPipeline
import Foundation
import GraphIR
import NN
import Runner
import TestSupport
import Testing

/// Where torch is installed: every member's probe exported with `specrun export-torch`'s code,
/// loaded with specrun's weights (strict), computes what specrun computes: the outputs in
/// evaluation mode for layers, merges, initializers, sources and fields; the parameters after one
/// training step for losses and optimizers. All probes run in one Python process.
@Suite struct PyTorchTwinTests {
    static func probes() -> [Probe] {
        let d = CompletenessTests.definitions
        var probes: [Probe] = d.layers.compactMap { Probe.layer($0) } + d.merges.map(Probe.merge) + d.initializers.map(Probe.initializer)
            + d.losses.map { Probe.loss($0) } + d.optimizers.map(Probe.optimizer)
        probes += d.sources.compactMap { Probe.sources[$0.kind.name] } + d.fields.compactMap { Probe.fields[$0.kind.name] }
        probes += Probe.layerVariants.map(\.probe)
        return probes
    }

    @Test(.enabled(if: TorchPython.path != nil, "needs torch: /tmp/torchenv or SPECRUN_TORCH_PYTHON"))
    func everyMemberMatchesItsPyTorchTwin() throws {
        let data = try ProbeData()
        defer { data.remove() }
        let work = data.url.appendingPathComponent("twins")
        var cases: [(probe: Probe, dir: URL)] = []
        for (i, probe) in Self.probes().enumerated() {
            let dir = work.appendingPathComponent("case\(i)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try Self.write(probe, to: dir, dataRoot: data.path)
            cases.append((probe, dir))
        }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Support/twins.py").path
        let output = try TorchPython.run([script] + cases.map(\.dir.path))
        var results: [String: Double] = [:]
        for line in output.split(separator: "\n") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let dir = object["case"] as? String, let difference = object["difference"] as? Double else { continue }
            results[dir] = difference
        }
        for (probe, dir) in cases {
            let difference = try #require(results[dir.path], "\(probe.member): no result from PyTorch")
            // Forward passes agree to rounding; a step adds the optimizer's division by small numbers.
            #expect(difference < (probe.comparesStep ? 1e-4 : 1e-5), "\(probe.member): PyTorch differs by \(difference) (relative)")
        }
    }

    /// The probe's export, weights, one batch, and what specrun computes on it.
    static func write(_ probe: Probe, to dir: URL, dataRoot: String) throws {
        let prepared = try PreparedModel.prepare(path: "probe.yaml", text: probe.yaml, dataRoot: dataRoot)
        try TorchExport.render(prepared.graph, spec: prepared.spec, path: "probe.yaml")
            .write(to: dir.appendingPathComponent("model.py"), atomically: true, encoding: .utf8)
        try SafeTensors(entries: StateDict.entries(of: prepared.model)).encoded().write(to: dir.appendingPathComponent("weights.safetensors"))
        let batch = try prepared.data.dataset.batch(Array(prepared.data.dataset.splits.train.prefix(4)))
        let inputs = prepared.data.inputs(batch, names: prepared.model.inputNames)
        let targets = prepared.data.targets(batch, for: prepared.objective)
        var batchEntries = inputs.map { SafeTensors.Entry(name: "input.\($0.key)", shape: $0.value.shape.dims, floats: $0.value.values) }
        for (head, target) in zip(prepared.objective.heads, targets) {
            switch target {
            case .classes(let t): batchEntries.append(.init(name: "target.\(head.name)", shape: [t.count], int64s: t.map(Int64.init)))
            case .values(let t): batchEntries.append(.init(name: "target.\(head.name)", shape: t.shape.dims, floats: t.values))
            }
        }
        try SafeTensors(entries: batchEntries).encoded().write(to: dir.appendingPathComponent("batch.safetensors"))
        var expected: [SafeTensors.Entry]
        if probe.comparesStep {
            prepared.model.train()
            let step = TrainingStep(model: prepared.model, objective: prepared.objective, optimizer: try prepared.makeOptimizer(),
                                    clipGradNorm: prepared.spec.train.clipGradNorm)
            _ = step(inputs, targets)
            expected = StateDict.entries(of: prepared.model).filter { $0.dtype == .f32 }
        } else {
            prepared.model.eval()
            let outputs = prepared.model(inputs)
            expected = prepared.objective.heads.map { h in
                SafeTensors.Entry(name: "output.\(h.name)", shape: outputs[h.name]!.shape.dims, floats: outputs[h.name]!.values)
            }
        }
        try SafeTensors(entries: expected).encoded().write(to: dir.appendingPathComponent("expected.safetensors"))
        let meta: [String: Any] = ["inputs": prepared.graph.inputs.map(\.name), "mode": probe.comparesStep ? "step" : "forward",
                                   "member": probe.member]
        try JSONSerialization.data(withJSONObject: meta).write(to: dir.appendingPathComponent("meta.json"))
    }
}
