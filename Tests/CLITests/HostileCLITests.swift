import Foundation
import Testing

/// Careless command lines (issue 13), run as a user runs them: a clear one-line error and a
/// usage exit status, never a trap, "Missing value" or a Foundation error code.
@Suite struct HostileCLITests {
    /// `--seed -1` read "Missing value for '--seed <seed>'": `-1` was taken for an option.
    @Test func negativeNumbersAreValuesNotOptions() throws {
        let empty = try TemporaryFolder()
        let run = try CLITests.run(["train", "specs/water_mlp.yaml", "--seed", "-1", "--data-root", empty.url.path,
                                    "--out", empty.url.appendingPathComponent("run").path])
        #expect(run.status == 1, "the seed is accepted; the data is missing")
        #expect(run.stderr.contains("water/water_potability.csv is missing; SPECRUN_OFFLINE=1 forbids fetching it"), "\(run.stderr)")
        #expect(!run.stderr.contains("Missing value"))
        let negative = try CLITests.run(["train", "specs/water_mlp.yaml", "--epochs", "-2"])
        #expect(negative.status == 2 && negative.stderr.hasPrefix("Error: --epochs must be at least 1, got -2."))
    }

    /// `--lr 1e400` became an infinite learning rate.
    @Test func anInfiniteLearningRateIsAUsageError() throws {
        let run = try CLITests.run(["train", "specs/water_mlp.yaml", "--lr", "1e400"])
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix("Error: --lr must be a positive finite number, got inf.\n"))
    }

    @Test func resumeSaysWhatItTakes() throws {
        let folder = try TemporaryFolder()
        for (arguments, message) in [
            (["--lr", "0.1"], "Error: --resume continues a run with its own seed, batch size and learning rate (settings.json), so it cannot take --lr; "
                + "it takes --epochs and --data-root. Start a new run to change them.\n"),
            (["--seed", "3", "--batch-size", "4"], "Error: --resume continues a run with its own seed, batch size and learning rate (settings.json), "
                + "so it cannot take --batch-size, --seed; it takes --epochs and --data-root. Start a new run to change them.\n"),
            (["specs/water_mlp.yaml"], "Error: --resume trains the run folder's own spec.yaml; leave out 'specs/water_mlp.yaml'.\n"),
            (["--out", "x"], "Error: --resume continues the run in its own folder; leave out --out and --force.\n"),
        ] {
            let run = try CLITests.run(["train", "--resume", folder.url.path] + arguments)
            #expect(run.status == 2)
            #expect(run.stderr.hasPrefix(message), "\(run.stderr)")
        }
        let force = try CLITests.run(["train", "specs/water_mlp.yaml", "--force"])
        #expect(force.status == 2 && force.stderr.hasPrefix("Error: --force applies to --out; give --out too.\n"))
    }

    @Test func theImageLimitVariableIsCheckedBeforeAnythingRuns() throws {
        let process = Process()
        guard let binary = CLITests.binary else { throw MissingBinary(near: "the test bundle") }
        process.executableURL = binary
        process.arguments = ["train", "specs/omniglot_two_output.yaml"]
        process.currentDirectoryURL = CLITests.repositoryRoot
        process.environment = ["SPECRUN_MAX_IMAGE_PIXELS": "lots", "PATH": "/usr/bin:/bin"]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 2)
        #expect(text.hasPrefix("Error: SPECRUN_MAX_IMAGE_PIXELS: must be a positive whole number of pixels (width times height), got 'lots'\n"))
    }

    /// `--weights` naming a folder read "NSCocoaErrorDomain error 256"; `docs --write` into a missing
    /// folder printed Foundation's whole error dump.
    @Test func noFoundationErrorCodesReachTheUser() throws {
        let folder = try TemporaryFolder()
        let run = try CLITests.run(["eval", "specs/water_mlp.yaml", "--weights", folder.url.path])
        #expect(run.status == 1)
        #expect(run.stderr == "error: \(folder.url.path): is a folder, expected a file\n")
        let docs = try CLITests.run(["docs", "--write", folder.url.path + "/none"])
        #expect(docs.status == 1)
        #expect(docs.stderr == "error: \(folder.url.path)/none/spec-language.md: No such file or directory\n")
    }
}
