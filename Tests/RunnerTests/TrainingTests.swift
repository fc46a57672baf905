import Catalogue
import DataPipeline
import Foundation
import GraphIR
import Runner
import Testing

/// Collects what a run reports, for assertions (and prints nothing).
final class RecordingReporter: TrainingReporter {
    var notes: [String] = []
    var epochs: [(train: EpochResult, heldOut: [EpochResult])] = []
    func note(_ text: String) { notes.append(text) }
    func batchFinished(epoch: Int, epochs: Int, batch: Int, batches: Int, loss: Double) {}
    func epochFinished(_ train: EpochResult, heldOut: [EpochResult], epochs: Int, elapsed: Double) {
        self.epochs.append((train, heldOut))
    }
}

/// metrics.jsonl without the fields that measure time, which differ between identical runs.
func metricsWithoutTimings(_ folder: URL) throws -> [String] {
    let text = try String(contentsOf: folder.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
    return try text.split(separator: "\n").map { line in
        var row = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        for key in ["elapsed_s", "seconds", "samples_per_s"] { row[key] = nil }
        return String(decoding: try JSONSerialization.data(withJSONObject: row, options: [.sortedKeys]), as: UTF8.self)
    }
}

@Suite(.serialized) struct TrainingTests {
    static let specs = ["water_mlp", "water_bn", "omniglot_two_input", "omniglot_two_output", "omniglot_cnn", "water_regression",
                        "water_hardness", "image_manifest"]

    func train(_ spec: String, root: FixtureRoot, out: URL, epochs: Int = 1, batchSize: Int? = 8, resume: Bool = false,
               reporter: RecordingReporter = RecordingReporter()) throws -> TrainSession.Outcome {
        var options = TrainSession.Options(specPath: resume ? nil : (spec.hasSuffix(".yaml") ? spec : shippedSpec(spec)))
        options.overrides = SpecOverrides(epochs: epochs, batchSize: resume ? nil : batchSize)
        options.dataRoot = root.path
        if resume { options.resume = out.path } else { options.out = out.path }
        return try TrainSession.run(options, reporter: reporter)
    }

    /// Every shipped spec trains one short epoch on made-up data and leaves a complete run folder.
    @Test(arguments: specs) func shippedSpecTrainsOneEpoch(_ spec: String) throws {
        let root = try FixtureRoot()
        defer { root.remove() }
        let out = temporaryFolder("train-\(spec)")
        defer { try? FileManager.default.removeItem(at: out) }
        let reporter = RecordingReporter()
        let outcome = try train(spec, root: root, out: out, reporter: reporter)
        #expect(outcome.epochs == 1)
        let test = try #require(outcome.heldOut.first)
        #expect(test.split == "test" && test.loss.isFinite && test.samples > 0)
        for file in ["spec.yaml", "settings.json", "metrics.jsonl", "weights.safetensors", "checkpoints/epoch-0001/model.safetensors",
                     "checkpoints/epoch-0001/optimizer.safetensors", "checkpoints/epoch-0001/state.json"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(spec): \(file)")
        }
        #expect(try metricsWithoutTimings(out).count == 2, "one train and one test line")
        let weights = try SavedWeights(path: out.appendingPathComponent("weights.safetensors").path)
        #expect(weights.specName == spec)
        #expect(weights.dataStatistics != nil)
        #expect(reporter.notes.first?.hasPrefix("\(spec): ") == true)
    }

    /// Stopping after two epochs and resuming to three gives the run that never stopped, bit for
    /// bit; also with a learning-rate schedule, whose rate the checkpoint's optimizer state holds.
    @Test(arguments: ["water_bn", "omniglot_two_input", "water_bn with a step schedule"])
    func resumeContinuesExactly(_ name: String) throws {
        let root = try FixtureRoot()
        defer { root.remove() }
        let whole = temporaryFolder("whole"), resumed = temporaryFolder("resumed")
        defer { for u in [whole, resumed] { try? FileManager.default.removeItem(at: u) } }
        var spec = name
        if name.hasSuffix("schedule") {
            spec = whole.deletingLastPathComponent().appendingPathComponent("scheduled-\(getpid()).yaml").path
            try String(contentsOfFile: shippedSpec("water_bn"), encoding: .utf8)
                .replacingOccurrences(of: "optimizer: {adam: {lr: 0.001}}",
                                      with: "optimizer: {adam: {lr: 0.001}}\nschedule: {step: {step_size: 1, gamma: 0.5}}")
                .write(toFile: spec, atomically: true, encoding: .utf8)
        }
        defer { if spec != name { try? FileManager.default.removeItem(atPath: spec) } }
        _ = try train(spec, root: root, out: whole, epochs: 3)
        _ = try train(spec, root: root, out: resumed, epochs: 2)
        let reporter = RecordingReporter()
        let outcome = try train(spec, root: root, out: resumed, epochs: 3, resume: true, reporter: reporter)
        #expect(outcome.epochs == 3)
        #expect(reporter.notes.contains { $0.contains("resuming after epoch 2") })
        #expect(try metricsWithoutTimings(resumed) == (try metricsWithoutTimings(whole)))
        let a = try Data(contentsOf: whole.appendingPathComponent("weights.safetensors"))
        let b = try Data(contentsOf: resumed.appendingPathComponent("weights.safetensors"))
        #expect(a.elementsEqual(b), "the weights differ")  // not `==`: a failing Data comparison is diffed byte by byte, for minutes
    }

    @Test func sameSeedSameRunAndOtherSeedOtherRun() throws {
        let root = try FixtureRoot()
        defer { root.remove() }
        let a = temporaryFolder("a"), b = temporaryFolder("b"), c = temporaryFolder("c")
        defer { for u in [a, b, c] { try? FileManager.default.removeItem(at: u) } }
        _ = try train("water_mlp", root: root, out: a, epochs: 2)
        _ = try train("water_mlp", root: root, out: b, epochs: 2)
        var options = TrainSession.Options(specPath: shippedSpec("water_mlp"))
        options.overrides = SpecOverrides(epochs: 2, batchSize: 8, seed: 5)
        options.dataRoot = root.path
        options.out = c.path
        _ = try TrainSession.run(options, reporter: RecordingReporter())
        #expect(try metricsWithoutTimings(a) == (try metricsWithoutTimings(b)))
        #expect(try metricsWithoutTimings(a) != (try metricsWithoutTimings(c)))
        let settings = try JSONSerialization.jsonObject(with: Data(contentsOf: c.appendingPathComponent("settings.json"))) as? [String: Any]
        #expect(settings?["overrides"] as? [String: Int] == ["epochs": 2, "batch_size": 8, "seed": 5], "the overrides are recorded, typed")
    }

    /// A diverging run stops at the batch where the loss stops being finite, and says where.
    @Test func nonFiniteLossStopsTheRunAndSaysWhere() throws {
        let root = try FixtureRoot()
        defer { root.remove() }
        let folder = temporaryFolder("nan")
        defer { try? FileManager.default.removeItem(at: folder) }
        let spec = try String(contentsOfFile: shippedSpec("water_mlp"), encoding: .utf8)
            .replacingOccurrences(of: "optimizer: {adam: {lr: 0.001}}", with: "optimizer: {sgd: {lr: 1e30}}")
            .replacingOccurrences(of: "loss: bce, metrics: [accuracy]", with: "loss: mse")
            .replacingOccurrences(of: "        - sigmoid\n", with: "")
        let specPath = folder.appendingPathComponent("diverge.yaml")
        try spec.write(to: specPath, atomically: true, encoding: .utf8)
        var options = TrainSession.Options(specPath: specPath.path)
        options.overrides = SpecOverrides(epochs: 3)
        options.dataRoot = root.path
        options.out = folder.appendingPathComponent("run").path
        #expect {
            _ = try TrainSession.run(options, reporter: RecordingReporter())
        } throws: { error in
            guard let e = error as? RunError, e.kind == .divergence else { return false }
            // Even in epoch 1 a checkpoint is left (of the initial state) that --resume continues from.
            return e.message.contains("the loss of output `potability` is") && e.message.contains("at epoch 1, batch ")
                && e.message.contains("lower learning rate") && e.message.contains("The last good checkpoint is ")
                && e.message.contains("/checkpoints/epoch-0000.")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("run/weights.safetensors").path),
                "no weights from a diverged model")
    }

    @Test func missingDataNamesThePathAndTheSpecLine() throws {
        let empty = temporaryFolder("empty-root")
        defer { try? FileManager.default.removeItem(at: empty) }
        var options = TrainSession.Options(specPath: shippedSpec("water_mlp"))
        options.dataRoot = empty.path
        options.out = empty.appendingPathComponent("run").path
        #expect {
            _ = try TrainSession.run(options, reporter: RecordingReporter())
        } throws: { error in
            guard let e = error as? RunError, e.kind == .data else { return false }
            return e.message.contains("water_mlp.yaml:") && e.message.contains("water/water_potability.csv")
        }
    }
}

/// A spec with a schedule, clipping, a validation split and early stopping, end to end.
@Suite struct TrainingControlTests {
    @Test func cosineScheduleClippingAndEarlyStopping() throws {
        let root = try FixtureRoot()
        defer { root.remove() }
        let folder = temporaryFolder("control")
        defer { try? FileManager.default.removeItem(at: folder) }
        let spec = try String(contentsOfFile: shippedSpec("water_mlp"), encoding: .utf8)
            .replacingOccurrences(of: "split: {test: 0.2, seed: 1}", with: "split: {test: 0.2, validation: 0.2, seed: 1}")
            .replacingOccurrences(of: "optimizer: {adam: {lr: 0.001}}",
                                  with: "optimizer: {sgd: {lr: 0.5, momentum: 0.9}}\nschedule: {cosine: {t_max: 4, eta_min: 0.1}}")
            .replacingOccurrences(of: "train: {epochs: 10}",
                                  with: "train: {epochs: 30, clip_grad_norm: 0.5, early_stopping: {metric: potability.loss, patience: 2, min_delta: 10}}")
        let path = folder.appendingPathComponent("control.yaml")
        try spec.write(to: path, atomically: true, encoding: .utf8)
        var options = TrainSession.Options(specPath: path.path)
        options.overrides = SpecOverrides(batchSize: 8)
        options.dataRoot = root.path
        options.out = folder.appendingPathComponent("run").path
        let reporter = RecordingReporter()
        let outcome = try TrainSession.run(options, reporter: reporter)
        // min_delta 10 means no evaluation ever improves on the first: patience 2 stops after epoch 3.
        #expect(outcome.epochs == 3)
        #expect(reporter.notes.contains { $0.hasPrefix("early stopping: potability.loss has not improved for 2 evaluations") })
        #expect(Set(reporter.epochs.last!.heldOut.map(\.split)) == ["validation", "test"])
        // The best epoch (the first: nothing improves on it by 10) is restored into the weights, and
        // kept beside the last one; the final table is the best epoch's.
        #expect(reporter.notes.contains("restored the best weights, from epoch 1, into weights.safetensors "
                                        + "(the last epoch's stay in checkpoints/epoch-0003)"), "\(reporter.notes)")
        let run = folder.appendingPathComponent("run")
        let weights = try SavedWeights(path: run.appendingPathComponent("weights.safetensors").path)
        let best = try SavedWeights(path: run.appendingPathComponent("checkpoints/epoch-0001/model.safetensors").path)
        #expect(weights.file.entries == best.file.entries)
        #expect(weights.file.metadata["specrun.epoch"] == "1")
        #expect(try FileManager.default.contentsOfDirectory(atPath: run.appendingPathComponent("checkpoints").path).sorted()
                == ["epoch-0001", "epoch-0003"])
        #expect(outcome.heldOut.allSatisfy { $0.epoch == 1 })
        let lrs = reporter.epochs.map(\.train.learningRate)
        let expected = (0..<3).map { e in 0.1 + (0.5 - 0.1) * (1 + cos(Double.pi * Double(e) / 4)) / 2 }
        for (a, b) in zip(lrs, expected) { #expect(abs(a - b) < 1e-12, "lr \(a) vs \(b)") }
    }
}

/// A model inside the graph's size limits that does not fit the machine's memory is refused
/// before anything is allocated, with the bytes it needs and the bytes there are.
@Suite struct MemoryBudgetTests {
    @Test func aModelLargerThanMemoryIsRefusedWithTheNumbers() throws {
        var graph = try #require(Compiler.compile(path: shippedSpec("omniglot_two_output")).graph)
        #expect(graph.bind(["alphabet": 8, "character": 242]).isEmpty)
        let needed = MemoryBudget.trainingBytes(graph, batchSize: 32)
        // 2.1M parameters x 4 copies x 4 bytes, and the activations of 32 images.
        #expect(needed > 34e6 && needed < 80e6, "\(needed)")
        #expect(MemoryBudget.problem(graph, batchSize: 32, available: 1e9) == nil)
        #expect(MemoryBudget.problem(graph, batchSize: 32, available: 10e6)?.hasPrefix("the model needs about ") == true)
        #expect(MemoryBudget.problem(graph, batchSize: 32, available: 10e6)?.contains("more than the 10.0 MB this machine has available") == true)
        #expect(MemoryBudget.availableBytes() > 0)
    }
}

/// A normalised regression target trains in z units, while its metrics are on the column's own
/// scale: rmse² equals the loss times the fitted scale² (the same squared errors, unscaled).
@Suite struct TargetScaleTests {
    @Test func regressionMetricsAreOnTheOriginalScale() throws {
        let root = try FixtureRoot()
        defer { root.remove() }
        let out = temporaryFolder("hardness")
        defer { try? FileManager.default.removeItem(at: out) }
        var options = TrainSession.Options(specPath: shippedSpec("water_hardness"))
        options.overrides = SpecOverrides(epochs: 1)
        options.dataRoot = root.path
        options.out = out.path
        let outcome = try TrainSession.run(options, reporter: RecordingReporter())
        let head = try #require(outcome.heldOut.first?.heads.first)
        let rmse = try #require(head.metrics.first { $0.name == "rmse" }?.value)
        let weights = try SavedWeights(path: out.appendingPathComponent("weights.safetensors").path)
        let scale = try #require(weights.dataStatistics?.targetScaling(of: "hardness")?.scale.first)
        #expect(scale != 1, "the target was normalised")
        #expect(abs(rmse * rmse - head.loss * scale * scale) <= 1e-4 * rmse * rmse, "rmse \(rmse), loss \(head.loss), scale \(scale)")
    }
}
