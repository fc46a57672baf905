import Foundation
import Runner
import Testing

/// Careless and hostile use of run folders, checkpoints and weights (issue 13): no crash, no lost
/// or mixed run, and a one-line message that says what and where.
@Suite struct HostileRunTests {
    /// water_mlp with a checkpoint after every epoch, and mse (no sigmoid) so that large weights
    /// can overflow the loss.
    static func spec(in folder: URL, name: String = "water_mlp") throws -> String {
        let path = folder.appendingPathComponent("\(name.replacingOccurrences(of: "/", with: "_")).yaml")
        try String(contentsOfFile: shippedSpec("water_mlp"), encoding: .utf8)
            .replacingOccurrences(of: "name: water_mlp", with: "name: \(name)")
            .replacingOccurrences(of: "train: {epochs: 10}", with: "train: {epochs: 10, checkpoint_every: 1}")
            .replacingOccurrences(of: "loss: bce, metrics: [accuracy]", with: "loss: mse")
            .replacingOccurrences(of: "        - sigmoid\n", with: "")
            .write(to: path, atomically: true, encoding: .utf8)
        return path.path
    }

    static func options(_ spec: String, root: FixtureRoot, out: URL?, epochs: Int = 2) -> TrainSession.Options {
        var options = TrainSession.Options(specPath: spec)
        options.overrides = SpecOverrides(epochs: epochs, batchSize: 8)
        options.dataRoot = root.path
        options.out = out?.path
        return options
    }

    static func resume(_ out: URL, root: FixtureRoot, epochs: Int, reporter: RecordingReporter = RecordingReporter()) throws -> TrainSession.Outcome {
        var options = TrainSession.Options()
        options.resume = out.path
        options.overrides = SpecOverrides(epochs: epochs)
        options.dataRoot = root.path
        return try TrainSession.run(options, reporter: reporter)
    }

    /// The message of the run error `body` throws (nil when it throws none or another kind).
    static func runError(_ body: () throws -> Void) -> RunError? {
        do { try body() } catch let error as RunError { return error } catch { return nil }
        return nil
    }

    // MARK: run folders

    /// Two runs on one folder mixed their weights, metrics and checkpoints; the second now stops
    /// at once, naming the process that holds the folder, and changes nothing in it.
    @Test func aSecondRunOnTheSameFolderIsRefusedNamingTheHolder() throws {
        let root = try FixtureRoot(alphabets: 0)
        defer { root.remove() }
        let folder = temporaryFolder("locked")
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("run")
        let spec = try Self.spec(in: folder)
        do {
            let holder = try RunDirectory(creating: out)
            let expected = "\(out.path): in use by another specrun run (pid \(getpid())); wait for it to finish, or choose another --out"
            #expect(Self.runError { _ = try TrainSession.run(Self.options(spec, root: root, out: out), reporter: RecordingReporter()) }?.message == expected)
            #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == [".specrun-lock"])
            withExtendedLifetime(holder) {}
        }
        // Released with its holder: the folder can be used, then resumed, once the holder is gone.
        _ = try TrainSession.run(Self.options(spec, root: root, out: out, epochs: 1), reporter: RecordingReporter())
        do {
            let running = try RunDirectory(existing: out)
            #expect(Self.runError { _ = try Self.resume(out, root: root, epochs: 2) }?.message
                    == "\(out.path): in use by another specrun run (pid \(getpid())); wait for it to finish before resuming")
            withExtendedLifetime(running) {}
        }
        #expect(try Self.resume(out, root: root, epochs: 2).epochs == 2)
    }

    /// `--out` into a folder holding the user's own spec.yaml, settings.json and weights used to
    /// overwrite them all, silently.
    @Test func outRefusesAFolderHoldingOtherFilesUnlessForced() throws {
        let root = try FixtureRoot(alphabets: 0)
        defer { root.remove() }
        let folder = temporaryFolder("own-files")
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("mine")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        for name in ["spec.yaml", "settings.json", "weights.safetensors"] {
            try Data("the user's own \(name)".utf8).write(to: out.appendingPathComponent(name))
        }
        let spec = try Self.spec(in: folder)
        #expect(Self.runError { _ = try TrainSession.run(Self.options(spec, root: root, out: out), reporter: RecordingReporter()) }?.message
                == "\(out.path): is not empty (holds 'settings.json', 'spec.yaml', 'weights.safetensors'); a run needs a new or empty folder: "
                + "choose another --out, or pass --force to write into this one")
        #expect(try String(contentsOf: out.appendingPathComponent("weights.safetensors"), encoding: .utf8) == "the user's own weights.safetensors")

        var forced = Self.options(spec, root: root, out: out, epochs: 1)
        forced.force = true
        _ = try TrainSession.run(forced, reporter: RecordingReporter())
        #expect(try SavedWeights(path: out.appendingPathComponent("weights.safetensors").path).specName == "water_mlp")
        // A folder that holds a run is never written into, --force or not: its checkpoints would mix with the new run's.
        #expect(Self.runError { _ = try TrainSession.run(forced, reporter: RecordingReporter()) }?.message
                == "\(out.path): already holds a run (use --resume \(out.path) to continue it, or another --out)")
    }

    /// The spec name becomes a folder under runs/: `../../x` put the run outside it. `validate`
    /// refuses such a name at its place, so `train` stops before anything is written.
    @Test func aSpecNameThatIsNotOneFolderNameCannotNameARunFolder() throws {
        let root = try FixtureRoot(alphabets: 0)
        defer { root.remove() }
        let folder = temporaryFolder("names")
        defer { try? FileManager.default.removeItem(at: folder) }
        let runs = folder.appendingPathComponent("deep/runs")
        for name in ["../../escaped", "a/b", ".."] {
            var options = Self.options(try Self.spec(in: folder, name: name), root: root, out: nil)
            options.runsBase = runs.path
            let error = Self.runError { _ = try TrainSession.run(options, reporter: RecordingReporter()) }
            #expect(error?.diagnostics?.list.map(\.message) == ["`name` is '\(name)', but it names the run folder under runs/: use one plain "
                + "folder name, without '/' and other than '.' or '..'"])
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("escaped").path))
    }

    // MARK: checkpoints

    static func editJSON(_ file: URL, _ edit: (inout [String: Any]) -> Void) throws {
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]
        edit(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: file)
    }

    /// Each of these trapped (SIGILL) on resume. Now the damaged checkpoint is passed over for the
    /// one before it, with a note; when none is left, the error lists why.
    @Test(arguments: ["epoch -3", "dropout []", "dropout zeros", "optimizer I32", "optimizer F64", "bit flip", "no state.json"])
    func aDamagedCheckpointIsPassedOverForTheOneBefore(_ damage: String) throws {
        let run = try CheckpointedRun("damaged")
        let out = run.out
        let expected = try Self.damage(damage, out.appendingPathComponent("checkpoints/epoch-0002"))
        let reporter = RecordingReporter()
        let outcome = try run.resume(epochs: 3, reporter: reporter)
        #expect(outcome.epochs == 3)
        let note = try #require(reporter.notes.first { $0.hasPrefix("note: skipped checkpoint epoch-0002 (") })
        #expect(note.contains(expected) && note.hasSuffix("; resuming from epoch-0001"), "\(note)")
        #expect(reporter.notes.contains { $0.contains("resuming after epoch 1") })

        // The resumed run wrote epochs 2 and 3 afresh. With 3 gone, 2 damaged again and 1 too,
        // nothing is left to resume from: one line says why.
        try FileManager.default.removeItem(at: out.appendingPathComponent("checkpoints/epoch-0003"))
        _ = try Self.damage(damage, out.appendingPathComponent("checkpoints/epoch-0002"))
        try FileManager.default.removeItem(at: out.appendingPathComponent("checkpoints/epoch-0001/state.json"))
        let error = try #require(Self.runError { _ = try run.resume(epochs: 3) })
        #expect(error.message.hasPrefix("\(out.path): no complete, verified checkpoint to resume from: epoch-0002 ("))
        #expect(error.message.contains(expected))
        #expect(error.message.hasSuffix("; epoch-0001 (state.json: cannot read: No such file or directory)"))
        #expect(!error.message.contains("\n") && error.message.count < 400)
    }

    /// Damages a checkpoint folder as `kind` says; returns what the refusal says about it.
    static func damage(_ kind: String, _ checkpoint: URL) throws -> String {
        let state = checkpoint.appendingPathComponent("state.json")
        switch kind {
        case "epoch -3":
            try editJSON(state) { $0["epoch"] = -3 }
            return "state.json: epoch is -3, the folder says 2"
        case "dropout []", "dropout zeros":
            try editJSON(state) { $0["dropout_state"] = kind == "dropout []" ? [] : [0, 0, 0, 0] }
            return "state.json: dropout_state must be four numbers, not all zero"
        case "optimizer I32", "optimizer F64":
            let file = checkpoint.appendingPathComponent("optimizer.safetensors")
            var tensors = try SafeTensors(decoding: Data(contentsOf: file))
            let first = tensors.entries[0]
            let dtype: SafeTensors.DType = kind.hasSuffix("I32") ? .i32 : .f64
            tensors.entries[0] = .init(name: first.name, dtype: dtype, shape: first.shape,
                                       bytes: Data(count: first.shape.reduce(1, *) * dtype.size))
            try tensors.encoded().write(to: file)
            try editJSON(state) { $0["checksums"] = nil }  // as a checkpoint from before checksums
            return "optimizer.safetensors: '\(first.name)' is \(dtype.rawValue), optimizer state is F32"
        case "bit flip":
            let file = checkpoint.appendingPathComponent("model.safetensors")
            var bytes = try Data(contentsOf: file)
            bytes[bytes.count - 3] ^= 0x10
            try bytes.write(to: file)
            return "model.safetensors: checksum"
        default:
            try FileManager.default.removeItem(at: state)
            return "state.json: cannot read: No such file or directory"
        }
    }

    /// A stray empty folder (a copy interrupted, a mkdir by hand) used to block --resume.
    @Test func aStrayEmptyCheckpointFolderDoesNotBlockResume() throws {
        let run = try CheckpointedRun("stray")
        try FileManager.default.createDirectory(at: run.out.appendingPathComponent("checkpoints/epoch-0009"), withIntermediateDirectories: true)
        let reporter = RecordingReporter()
        #expect(try run.resume(epochs: 3, reporter: reporter).epochs == 3)
        #expect(reporter.notes.contains("note: skipped checkpoint epoch-0009 (state.json: cannot read: No such file or directory); resuming from epoch-0002"))
    }

    /// Checkpoints carry CRC-32s of their tensor files; one written before that still resumes.
    @Test func checkpointsCarryChecksumsAndOlderOnesStillResume() throws {
        let run = try CheckpointedRun("checksums")
        let state = run.out.appendingPathComponent("checkpoints/epoch-0002/state.json")
        let checksums = try #require((try JSONSerialization.jsonObject(with: Data(contentsOf: state)) as! [String: Any])["checksums"] as? [String: String])
        #expect(checksums.keys.sorted() == ["model.safetensors", "optimizer.safetensors"])
        #expect(checksums.values.allSatisfy { $0.hasPrefix("crc32:") && $0.count == 14 })
        try Self.editJSON(state) { $0["checksums"] = nil }
        let reporter = RecordingReporter()
        #expect(try run.resume(epochs: 3, reporter: reporter).epochs == 3)
        #expect(!reporter.notes.contains { $0.hasPrefix("note: skipped") })
    }

    /// `--resume` silently ignored --lr, --batch-size and --seed; it now says what it takes.
    @Test func resumeRefusesOverridesItCannotHonour() throws {
        let run = try CheckpointedRun("overrides")
        var options = TrainSession.Options()
        options.resume = run.out.path
        options.overrides = SpecOverrides(epochs: 3, batchSize: 4, learningRate: 0.5)
        options.dataRoot = run.root.path
        #expect(Self.runError { _ = try TrainSession.run(options, reporter: RecordingReporter()) }?.message
                == "--resume continues a run with its own seed, batch size and learning rate (settings.json), so it cannot take "
                + "--batch-size, --lr; it takes --epochs and --data-root. Start a new run to change them")
        let reporter = RecordingReporter()
        _ = try run.resume(epochs: 3, reporter: reporter)
        #expect(reporter.notes.contains("resuming with the run's own seed 0, batch size 8 and learning rate 0.001; --epochs 3"))
    }

    // MARK: weights

    /// Weights whose metadata says fewer scales than columns crashed `eval` (index out of range).
    @Test func weightsWithDamagedMetadataAreRefused() throws {
        let run = try CheckpointedRun("metadata")
        try run.editWeights { file in
            var stats = try JSONSerialization.jsonObject(with: Data(file.metadata["specrun.data"]!.utf8)) as! [String: Any]
            var features = stats["features"] as! [String: [String: Any]]
            features["features"]!["scale"] = [1.0, 2.0, 3.0]
            stats["features"] = features
            file.metadata["specrun.data"] = String(decoding: try JSONSerialization.data(withJSONObject: stats), as: UTF8.self)
        }
        #expect(Self.runError { _ = try run.evaluate() }?.message
                == "\(run.weights.path): metadata specrun.data: features field 'features': 9 columns but 9 shifts, 3 scales")
        try run.editWeights { $0.metadata["specrun.data"] = "{\"classes\": 5}" }
        #expect(Self.runError { _ = try run.evaluate() }?.message == "\(run.weights.path): metadata specrun.data: \"classes\" must be an object")
    }

    /// `eval` with NaN weights reported `loss: nan` and exited 0.
    @Test func nonFiniteWeightsAreRefused() throws {
        let run = try CheckpointedRun("nan-weights")
        var name = ""
        try run.editWeights { file in
            var values = file.entries[0].floats!
            values[3] = .nan
            name = file.entries[0].name
            file.entries[0] = .init(name: name, shape: file.entries[0].shape, floats: values)
        }
        #expect(Self.runError { _ = try run.evaluate() }?.message
                == "\(run.weights.path): \(name) holds nan at index 3; these weights come from a diverged run")
    }

    /// Finite weights whose outputs overflow: the held-out loss is infinite, and evaluation stops
    /// the way training does instead of reporting it.
    @Test func aNonFiniteHeldOutLossIsAnError() throws {
        let run = try CheckpointedRun("inf-loss")
        try run.editWeights { file in
            file.entries = file.entries.map { e in .init(name: e.name, shape: e.shape, floats: e.floats!.map { $0 == 0 ? 1e15 : $0 * 1e15 }) }
        }
        let error = try #require(Self.runError { _ = try run.evaluate() })
        #expect(error.kind == .divergence)
        #expect(error.message.hasPrefix("\(run.spec): the test loss of output `potability` is "))
        #expect(error.message.contains(" at batch 1 of "))
        #expect(error.message.hasSuffix(" of the evaluation after epoch 2; the model's outputs are not finite on this split"))
    }

    /// A weights path that is a folder read "NSCocoaErrorDomain error 256".
    @Test func unreadableWeightsSayWhyInPlainWords() throws {
        let folder = temporaryFolder("weights-folder")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(Self.runError { _ = try SavedWeights(path: folder.path) }?.message == "\(folder.path): is a folder, expected a file")
        #expect(Self.runError { _ = try SavedWeights(path: "/dev/zero") }?.message == "/dev/zero: is not a regular file")
        #expect(Self.runError { _ = try SavedWeights(path: folder.path + "/none") }?.message
                == "\(folder.path)/none: cannot read: No such file or directory")
    }
}

/// A run of the checkpointing water_mlp variant on fixtures (a checkpoint after every epoch),
/// removed with its data root when released.
final class CheckpointedRun {
    let root: FixtureRoot
    let folder: URL
    let spec: String
    let out: URL
    var weights: URL { out.appendingPathComponent("weights.safetensors") }

    init(_ label: String, epochs: Int = 2) throws {
        root = try FixtureRoot(alphabets: 0)
        folder = temporaryFolder(label)
        spec = try HostileRunTests.spec(in: folder)
        out = folder.appendingPathComponent("run")
        _ = try TrainSession.run(HostileRunTests.options(spec, root: root, out: out, epochs: epochs), reporter: RecordingReporter())
    }

    deinit {
        root.remove()
        try? FileManager.default.removeItem(at: folder)
    }

    func resume(epochs: Int, reporter: RecordingReporter = RecordingReporter()) throws -> TrainSession.Outcome {
        try HostileRunTests.resume(out, root: root, epochs: epochs, reporter: reporter)
    }

    /// `eval` of the run's weights on the test split.
    func evaluate() throws -> EpochResult {
        try EvalSession.run(specPath: spec, weightsPath: weights.path, dataRoot: root.path, split: .test)
    }

    /// Rewrites the run's final weights.
    func editWeights(_ edit: (inout SafeTensors) throws -> Void) throws {
        var file = try SafeTensors(decoding: Data(contentsOf: weights))
        try edit(&file)
        try file.encoded().write(to: weights)
    }
}
