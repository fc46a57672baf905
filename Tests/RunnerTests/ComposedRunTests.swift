import Foundation
import Runner
import Testing

/// A run of a spec that extends another, with `--set`: the run folder keeps the spec as run and
/// the file as written, settings.json records both, and `--resume` trains the spec as run.
@Suite(.serialized) struct ComposedRunTests {
    @Test func composedRunRecordsItsSpecAndResumesFromIt() throws {
        let root = try FixtureRoot()
        defer { root.remove() }
        let folder = temporaryFolder("composed")
        defer { try? FileManager.default.removeItem(at: folder) }
        let child = folder.appendingPathComponent("child.yaml")
        try "extends: \(shippedSpec("water_mlp"))\nname: water_child\ntrain: {epochs: 1}\n".write(to: child, atomically: true, encoding: .utf8)
        var options = TrainSession.Options(specPath: child.path)
        options.overrides = SpecOverrides(batchSize: 8, settings: ["optimizer.adam.lr=0.01", "data.shuffle=false"])
        options.dataRoot = root.path
        let run = folder.appendingPathComponent("run")
        options.out = run.path
        _ = try TrainSession.run(options, reporter: RecordingReporter())

        let asRun = try String(contentsOf: run.appendingPathComponent("spec.yaml"), encoding: .utf8)
        #expect(asRun.contains("name: water_child") && asRun.contains("adam: {lr: 0.01}") && asRun.contains("shuffle: false"))
        #expect(!asRun.contains("extends"))
        #expect(try String(contentsOf: run.appendingPathComponent("spec.original.yaml"), encoding: .utf8) == (try String(contentsOf: child, encoding: .utf8)))
        let settings = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("settings.json"))) as? [String: Any])
        let overrides = try #require(settings["overrides"] as? [String: Any])
        #expect(overrides["set"] as? [String] == ["optimizer.adam.lr=0.01", "data.shuffle=false"])
        #expect(settings["extends"] as? [String] == [shippedSpec("water_mlp")])
        #expect(settings["learning_rate"] as? Double == 0.01)

        // The run continues from its own spec.yaml; a changed setting is refused, as --lr is.
        var resume = TrainSession.Options()
        resume.resume = run.path
        resume.overrides = SpecOverrides(epochs: 2)
        resume.dataRoot = root.path
        let reporter = RecordingReporter()
        let outcome = try TrainSession.run(resume, reporter: reporter)
        #expect(outcome.epochs == 2)
        let resumed = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("settings.json"))) as? [String: Any])
        #expect((resumed["overrides"] as? [String: Any])?["set"] as? [String] == ["optimizer.adam.lr=0.01", "data.shuffle=false"])
        #expect(resumed["extends"] as? [String] == [shippedSpec("water_mlp")])
        #expect(ResumeOverrides.problem(SpecOverrides(settings: ["train.epochs=3"]))?.contains("--set") == true)
    }

    /// settings.json of runs from before `--set` and `extends` still reads.
    @Test func settingsWithoutSetOrExtendsStillRead() throws {
        let json = #"{"epochs": 3, "batch_size": 16, "seed": 1, "lr": "0.01"}"#
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let overrides = try decoder.decode(SpecOverrides.self, from: Data(json.utf8))
        #expect(overrides == SpecOverrides(epochs: 3, batchSize: 16, seed: 1, learningRate: 0.01))
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(SpecOverrides(epochs: 2)), as: UTF8.self) == #"{"epochs":2}"#)
        #expect(String(decoding: try encoder.encode(SpecOverrides(settings: ["a=1"])), as: UTF8.self) == #"{"set":["a=1"]}"#)
    }
}
