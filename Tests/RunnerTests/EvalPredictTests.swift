import Autograd
import DataPipeline
import Foundation
import Kernels
import Runner
import TestSupport
import Testing

@Suite(.serialized) struct EvalPredictTests {
    /// A trained run folder on fixtures, shared by the tests below.
    static func trained(_ spec: String, root: FixtureRoot, epochs: Int = 1) throws -> URL {
        let out = temporaryFolder("trained-\(spec)")
        var options = TrainSession.Options(specPath: shippedSpec(spec))
        options.overrides = SpecOverrides(epochs: epochs, batchSize: 8)
        options.dataRoot = root.path
        options.out = out.path
        _ = try TrainSession.run(options, reporter: RecordingReporter())
        return out
    }

    /// eval on the test split reproduces the run's own final test evaluation.
    @Test(arguments: ["water_bn", "omniglot_two_output"]) func evalReproducesTheRunsTestMetrics(_ spec: String) throws {
        let root = try FixtureRoot()
        defer { root.remove() }
        let out = try Self.trained(spec, root: root)
        defer { try? FileManager.default.removeItem(at: out) }
        let logged = try String(contentsOf: out.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
            .last { $0["split"] as? String == "test" }!
        let result = try EvalSession.run(specPath: shippedSpec(spec), weightsPath: out.appendingPathComponent("weights.safetensors").path,
                                         dataRoot: root.path, split: .test)
        #expect(result.samples == logged["samples"] as? Int)
        // The run trained and evaluated at batch 8, eval uses the spec's batch size: the loss is
        // the same mean summed in other groups, equal up to rounding.
        #expect(abs(result.loss - (logged["loss"] as! Double)) < 1e-6)
        let outputs = logged["outputs"] as! [String: [String: Double]]
        for head in result.heads {
            // f1 is a ratio of counts computed through precision and recall: equal up to rounding.
            for m in head.metrics { #expect(abs(m.value - outputs[head.name]![m.name]!) < 1e-12, "\(head.name).\(m.name)") }
        }
    }

    /// Issue 10, item 6: eval read ./data instead of the run's data root (which --resume uses), and
    /// `--split validation` on a spec without one said only that the split was empty.
    @Test func evalUsesTheRunsDataRootAndNamesTheSplitsASpecHas() throws {
        let root = try FixtureRoot()
        defer { root.remove() }
        let out = try Self.trained("water_bn", root: root)
        defer { try? FileManager.default.removeItem(at: out) }
        let weights = out.appendingPathComponent("weights.safetensors").path
        let result = try EvalSession.run(specPath: shippedSpec("water_bn"), weightsPath: weights, dataRoot: nil, split: .test)
        #expect(result.samples > 0)
        #expect {
            _ = try EvalSession.run(specPath: shippedSpec("water_bn"), weightsPath: weights, dataRoot: nil, split: .validation)
        } throws: { error in
            (error as? RunError)?.message == "\(shippedSpec("water_bn")): has no validation split: its data.split holds out test 0.2 only; "
                + "use --split test, or declare data.split.validation and train again"
        }
    }

    @Test func predictNamesClassesForImages() throws {
        let root = try FixtureRoot()
        defer { root.remove() }
        let out = try Self.trained("omniglot_two_output", root: root)
        defer { try? FileManager.default.removeItem(at: out) }
        let images = ["Alphabet_1/character02/11_0.png", "Alphabet_2/character01/20_3.png"]
            .map { root.url.appendingPathComponent("omniglot/images_background/" + $0).path }
        var lines: [String] = []
        var options = PredictSession.Options(specPath: shippedSpec("omniglot_two_output"),
                                             weightsPath: out.appendingPathComponent("weights.safetensors").path, inputs: images)
        options.top = 2
        try PredictSession.run(options) { lines.append($0) }
        #expect(lines.count == 2)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
        #expect(first["input"] as? String == images[0])
        let alphabet = first["alphabet"] as! [String: Any]
        #expect(["Alphabet_0", "Alphabet_1", "Alphabet_2"].contains(alphabet["class"] as! String))
        #expect((alphabet["top"] as! [Any]).count == 2)
        let character = first["character"] as! [String: Any]
        #expect((character["class"] as! String).contains("/character0"))
        let p = character["probability"] as! Double
        #expect(p > 0 && p <= 1)
    }

    /// The two-input model needs the alphabet one-hot: from the file's folders, or --set.
    @Test func predictTakesAOneHotInputFromFoldersOrValues() throws {
        let root = try FixtureRoot()
        defer { root.remove() }
        let out = try Self.trained("omniglot_two_input", root: root)
        defer { try? FileManager.default.removeItem(at: out) }
        let weights = out.appendingPathComponent("weights.safetensors").path
        let inFolder = root.url.appendingPathComponent("omniglot/images_background/Alphabet_0/character01/00_0.png").path
        var lines: [String] = []
        try PredictSession.run(.init(specPath: shippedSpec("omniglot_two_input"), weightsPath: weights, inputs: [inFolder])) { lines.append($0) }
        #expect(lines.count == 1 && lines[0].contains("\"character\":{\"class\":"))

        let loose = temporaryFolder("loose")
        defer { try? FileManager.default.removeItem(at: loose) }
        let copy = loose.appendingPathComponent("x.png").path
        try FileManager.default.copyItem(atPath: inFolder, toPath: copy)
        #expect {
            try PredictSession.run(.init(specPath: shippedSpec("omniglot_two_input"), weightsPath: weights, inputs: [copy])) { _ in }
        } throws: { error in
            "\(error)".contains("pass --set alphabet=<class>")
        }
        var options = PredictSession.Options(specPath: shippedSpec("omniglot_two_input"), weightsPath: weights, inputs: [copy])
        options.values = ["alphabet": "Alphabet_0"]
        lines = []
        try PredictSession.run(options) { lines.append($0) }
        #expect(lines.count == 1)
    }

    @Test func predictReadsARowsCSVWithTheSavedNormalisation() throws {
        let root = try FixtureRoot()
        defer { root.remove() }
        let out = try Self.trained("water_bn", root: root)
        defer { try? FileManager.default.removeItem(at: out) }
        let csv = root.url.appendingPathComponent("new.csv")
        try (FixtureRoot.waterColumns.dropLast().joined(separator: ",") + "\n" + (0..<9).map { _ in "50" }.joined(separator: ",") + "\n"
             + (0..<9).map { _ in "10" }.joined(separator: ",") + "\n").write(to: csv, atomically: true, encoding: .utf8)
        var lines: [String] = []
        try PredictSession.run(.init(specPath: shippedSpec("water_bn"), weightsPath: out.appendingPathComponent("weights.safetensors").path,
                                     inputs: [csv.path])) { lines.append($0) }
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("{\"input\":\"\(csv.path):2\",\"potability\":{\"probability\":"))
    }

    /// A regression trained on a normalised target answers on the target's own scale: the model's
    /// output times the fitted deviation plus the fitted mean.
    @Test func predictGivesANormalisedTargetBackOnItsScale() throws {
        let root = try FixtureRoot()
        defer { root.remove() }
        let out = try Self.trained("water_hardness", root: root)
        defer { try? FileManager.default.removeItem(at: out) }
        let weightsPath = out.appendingPathComponent("weights.safetensors").path
        let csv = root.url.appendingPathComponent("new.csv")
        try (FixtureRoot.waterColumns.dropLast().joined(separator: ",") + "\n" + (0..<9).map { _ in "50" }.joined(separator: ",") + "\n")
            .write(to: csv, atomically: true, encoding: .utf8)
        var lines: [String] = []
        try PredictSession.run(.init(specPath: shippedSpec("water_hardness"), weightsPath: weightsPath, inputs: [csv.path])) { lines.append($0) }
        let object = try JSONSerialization.jsonObject(with: Data(try #require(lines.first).utf8)) as? [String: Any]
        let predicted = try #require(((object?["hardness"] as? [String: Any])?["value"] as? [Double])?.first)
        // The model's own output for that row, in normalised units.
        let weights = try SavedWeights(path: weightsPath)
        let stats = try #require(weights.dataStatistics)
        let scaling = try #require(stats.targets["hardness"])
        let prepared = try PreparedModel.prepare(path: shippedSpec("water_hardness"), dataRoot: root.path, fitted: stats)
        try weights.load(into: prepared.model)
        prepared.model.eval()
        let features = try #require(stats.features["features"])
        let row = features.columns.enumerated().map { k, _ in Float((50 - features.shift[k]) / features.scale[k]) }
        let raw = prepared.model(["features": Tensor(shape: Shape([1, row.count]), storage: FloatBuffer(row))])["hardness"]!.values[0]
        #expect(abs(predicted - (Double(raw) * scaling.scale[0] + scaling.shift[0])) < 1e-3 * scaling.scale[0], "predicted \(predicted), raw \(raw)")
        #expect(abs(predicted - Double(raw)) > 1, "the prediction is on the column's scale, not the normalised one")
    }

    /// specrun's weights load into the spec's PyTorch twin (strict) and give specrun's outputs.
    @Test(.enabled(if: TorchPython.path != nil)) func weightsCrossToPyTorchUnchanged() throws {
        let root = try FixtureRoot()
        defer { root.remove() }
        let out = try Self.trained("omniglot_two_input", root: root)
        defer { try? FileManager.default.removeItem(at: out) }
        let weights = out.appendingPathComponent("weights.safetensors").path
        let image = root.url.appendingPathComponent("omniglot/images_background/Alphabet_2/character02/21_1.png").path
        var lines: [String] = []
        var options = PredictSession.Options(specPath: shippedSpec("omniglot_two_input"), weightsPath: weights, inputs: [image])
        options.top = 5
        try PredictSession.run(options) { lines.append($0) }
        let mine = ((try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any])["character"] as! [String: Any])["top"]
            as! [[String: Any]]

        let script = out.appendingPathComponent("twin.py")
        let export = Process()
        export.executableURL = specrunBinary
        export.arguments = ["export-torch", shippedSpec("omniglot_two_input"), "-o", script.path]
        try export.run()
        export.waitUntilExit()
        #expect(export.terminationStatus == 0)
        let printed = try TorchPython.run("""
            import importlib.util, json, numpy as np, torch, torch.nn.functional as F
            from PIL import Image
            from safetensors.torch import load_file
            spec = importlib.util.spec_from_file_location("twin", "\(script.path)")
            twin = importlib.util.module_from_spec(spec); spec.loader.exec_module(twin)
            model = twin.Model({"alphabet": 3, "character": 6})
            model.load_state_dict(load_file("\(weights)"), strict=True)
            model.eval()
            img = torch.from_numpy(np.asarray(Image.open("\(image)").convert("L"), dtype=np.float32) / 255.0)[None, None]
            img = F.interpolate(img, size=(64, 64), mode="bilinear", antialias=True, align_corners=False)
            onehot = torch.zeros(1, 3); onehot[0, 2] = 1
            with torch.no_grad():
                p = torch.softmax(model(img, onehot)["character"], dim=1)[0]
            print(json.dumps([float(x) for x in p]))
            """)
        let theirs = try JSONSerialization.jsonObject(with: Data(printed.utf8)) as! [Double]
        for entry in mine {
            let index = entry["index"] as! Int
            #expect(abs((entry["probability"] as! Double) - theirs[index]) < 1e-5, "class \(index)")
        }
    }
}

/// The specrun executable this test bundle was built with.
let specrunBinary: URL = {
    var dir = Bundle.main.bundleURL
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("specrun")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    return URL(fileURLWithPath: ".build/release/specrun")
}()
