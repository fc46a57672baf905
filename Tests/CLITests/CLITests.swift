import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `specrun` binary as a user would, from the repository root, and compares the
/// whole transcript (command, standard output, standard error, exit status) with a reviewed
/// file in Transcripts/. Set SPECRUN_UPDATE_SNAPSHOTS=1 to rewrite them, then review the diff.
@Suite struct CLITests {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let transcripts = testsDirectory.appendingPathComponent("Transcripts")
    static let repositoryRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()

    /// The binary next to the test bundle (SwiftPM builds it because this target depends on it).
    static let binary: URL? = {
        let starts = [Bundle.main.bundleURL, Bundle.main.executableURL?.deletingLastPathComponent(),
                      URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()].compactMap { $0 }
        for start in starts {
            var dir = start.resolvingSymlinksInPath()
            for _ in 0..<4 {
                let candidate = dir.appendingPathComponent("specrun")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                dir = dir.deletingLastPathComponent()
            }
        }
        return nil
    }()

    struct Run {
        var stdout: String
        var stderr: String
        var status: Int32
    }

    /// Runs the binary from the repository root. Offline unless `environment` says otherwise:
    /// tests never reach the network (a spec's missing public data would be fetched).
    /// `executable` runs another program instead (`taskset` with the binary as an argument);
    /// `signalWhen` sends SIGINT once standard output contains that text.
    static func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
                    in directory: URL? = nil, executable: URL? = nil, signalWhen: String? = nil) throws -> Run {
        let process = Process()
        guard let binary else { throw MissingBinary(near: Bundle.main.bundleURL.path) }
        process.executableURL = executable ?? binary
        process.arguments = arguments
        process.currentDirectoryURL = directory ?? repositoryRoot
        // Help text wraps at the terminal width; fix it so transcripts do not depend on the terminal.
        process.environment = ["COLUMNS": "100", "PATH": "/usr/bin:/bin", "SPECRUN_OFFLINE": "1"].merging(environment) { $1 }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(Data((stdin ?? "").utf8))
        try input.fileHandleForWriting.close()
        // Read both pipes to the end before waiting, so a large output cannot block the child.
        var stdoutData = Data()
        if let signalWhen {
            while case let piece = out.fileHandleForReading.availableData, !piece.isEmpty {
                let before = String(decoding: stdoutData, as: UTF8.self).contains(signalWhen)
                stdoutData += piece
                if !before && String(decoding: stdoutData, as: UTF8.self).contains(signalWhen) { kill(process.processIdentifier, SIGINT) }
            }
        }
        stdoutData += out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(stdout: String(decoding: stdoutData, as: UTF8.self), stderr: String(decoding: stderrData, as: UTF8.self),
                   status: process.terminationStatus)
    }

    /// Name of the transcript, the arguments, and standard input if any.
    static let cases: [(String, [String], String?)] = [
        ("help", ["--help"], nil),
        ("help-validate", ["validate", "--help"], nil),
        ("help-train", ["train", "--help"], nil),
        ("help-eval", ["eval", "--help"], nil),
        ("help-predict", ["predict", "--help"], nil),
        ("help-fetch", ["fetch", "--help"], nil),
        ("help-bench", ["bench", "--help"], nil),
        ("help-summary", ["summary", "--help"], nil),
        ("help-graph", ["graph", "--help"], nil),
        ("help-schema", ["schema", "--help"], nil),
        ("help-explain", ["explain", "--help"], nil),
        ("help-docs", ["docs", "--help"], nil),
        ("help-export-torch", ["export-torch", "--help"], nil),
        ("help-export-onnx", ["export-onnx", "--help"], nil),
        ("help-report", ["report", "--help"], nil),
        ("version", ["--version"], nil),
        ("validate-shipped", ["validate", "specs/omniglot_two_input.yaml", "specs/omniglot_two_output.yaml", "specs/water_bn.yaml",
                              "specs/water_mlp.yaml"], nil),
        ("validate-errors", ["validate", "specs/water_mlp.yaml", "Tests/SpecLanguageTests/Snapshots/E030_linear_in.yaml",
                             "Tests/SpecLanguageTests/Snapshots/W023_unused_node.yaml"], nil),
        ("validate-json", ["validate", "--format", "json", "specs/water_mlp.yaml", "Tests/SpecLanguageTests/Snapshots/E030_linear_in.yaml"], nil),
        ("validate-github", ["validate", "--format", "github", "Tests/SpecLanguageTests/Snapshots/E030_linear_in.yaml",
                             "Tests/SpecLanguageTests/Snapshots/W023_unused_node.yaml"], nil),
        ("validate-deny-warnings", ["validate", "--deny-warnings", "Tests/SpecLanguageTests/Snapshots/W023_unused_node.yaml"], nil),
        ("validate-missing-file", ["validate", "specs/no_such_spec.yaml", "specs"], nil),
        ("validate-stdin", ["validate", "-"], "name: x\nseed: [1]\n"),
        ("validate-no-files", ["validate"], nil),
        ("validate-bad-format", ["validate", "--format", "xml", "specs/water_mlp.yaml"], nil),
        ("unknown-command", ["train-it", "specs/water_mlp.yaml"], nil),
        ("misspelt-command", ["trian", "specs/water_mlp.yaml"], nil),
        ("no-arguments", [], nil),
        ("summary-two-output", ["summary", "specs/omniglot_two_output.yaml"], nil),
        ("summary-two-input-bound", ["summary", "--classes", "alphabet=8", "--classes", "character=242", "specs/omniglot_two_input.yaml"], nil),
        ("summary-water-bn", ["summary", "specs/water_bn.yaml"], nil),
        ("summary-invalid", ["summary", "Tests/SpecLanguageTests/Snapshots/E030_linear_in.yaml"], nil),
        ("summary-missing-class-count", ["summary", "--classes", "alphabet=8", "specs/omniglot_two_input.yaml"], nil),
        ("summary-bad-classes", ["summary", "--classes", "alphabet", "specs/omniglot_two_input.yaml"], nil),
        ("graph-dot", ["graph", "specs/omniglot_two_input.yaml"], nil),
        ("graph-mermaid", ["graph", "--format", "mermaid", "specs/omniglot_two_output.yaml"], nil),
        ("export-torch-invalid", ["export-torch", "Tests/SpecLanguageTests/Snapshots/E030_linear_in.yaml"], nil),
        ("export-torch-unwritable", ["export-torch", "specs/water_mlp.yaml", "-o", "no_such_directory/water_mlp.py"], nil),
        ("export-onnx-no-output", ["export-onnx", "specs/water_mlp.yaml", "--weights", "no_such_run/weights.safetensors"], nil),
        ("explain", ["explain", "E030"], nil),
        ("explain-warning", ["explain", "w44"], nil),
        ("explain-list", ["explain"], nil),
        ("explain-unknown", ["explain", "E999"], nil),
        ("docs-usage", ["docs"], nil),
        ("report-not-a-run", ["report", "specs"], nil),
        ("report-no-runs", ["report"], nil),
        ("validate-set", ["validate", "specs/water_bn.yaml", "--set", "optimizer.adam.lr=-3e-4", "--set", "data.batchsize=64",
                          "--set", "train.epochs=ten"], nil),
        ("validate-set-json", ["validate", "--format", "json", "specs/water_mlp.yaml", "--set", "data.batch_size=0"], nil),
        ("validate-extends", ["validate", "Tests/SpecLanguageTests/Snapshots/Composed/E015_extends_two_files.yaml",
                              "Tests/SpecLanguageTests/Snapshots/Composed/E009_extends_cycle.yaml"], nil),
        ("validate-extends-github", ["validate", "--format", "github", "Tests/SpecLanguageTests/Snapshots/Composed/E011_extends_wrong_key.yaml",
                                     "--set", "optimizer.adam.lr=0"], nil),
        ("summary-set", ["summary", "specs/water_bn.yaml", "--set", "model.nodes.mlp.layers.0.linear.out=32"], nil),
        ("train-set-wrong-key", ["train", "specs/water_bn.yaml", "--set", "optimizer.adma.lr=0.1"], nil),
        ("train-set-malformed", ["train", "specs/water_bn.yaml", "--set", "optimizer.adam.lr"], nil),
        ("train-resume-set", ["train", "--resume", "runs/water_bn/x", "--set", "train.epochs=3"], nil),
    ]

    static func transcript(_ arguments: [String], _ run: Run) -> String {
        "$ specrun " + arguments.joined(separator: " ") + "\n" + run.stdout
            + (run.stderr.isEmpty ? "" : "--- stderr\n" + run.stderr) + "--- exit \(run.status)\n"
    }

    @Test(arguments: cases.map(\.0))
    func transcriptMatches(_ name: String) throws {
        let (_, arguments, stdin) = try #require(Self.cases.first { $0.0 == name })
        let text = Self.transcript(arguments, try Self.run(arguments, stdin: stdin))
        let url = Self.transcripts.appendingPathComponent(name + ".txt")
        if ProcessInfo.processInfo.environment["SPECRUN_UPDATE_SNAPSHOTS"] != nil {
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        #expect(text == (try String(contentsOf: url, encoding: .utf8)))
    }

    /// Exit statuses: 0 valid, 1 invalid, 2 usage. Checked apart from the transcripts so that a
    /// regenerated transcript cannot silently change them.
    @Test func exitStatuses() throws {
        #expect(try Self.run(["validate", "specs/water_mlp.yaml"]).status == 0)
        #expect(try Self.run(["validate", "Tests/SpecLanguageTests/Snapshots/W023_unused_node.yaml"]).status == 0)
        #expect(try Self.run(["validate", "--deny-warnings", "Tests/SpecLanguageTests/Snapshots/W023_unused_node.yaml"]).status == 1)
        #expect(try Self.run(["validate", "specs/water_mlp.yaml", "Tests/SpecLanguageTests/Snapshots/E030_linear_in.yaml"]).status == 1)
        #expect(try Self.run(["validate", "specs/no_such_spec.yaml"]).status == 1)
        #expect(try Self.run(["validate"]).status == 2)
        #expect(try Self.run(["validate", "--format", "xml", "specs/water_mlp.yaml"]).status == 2)
        #expect(try Self.run(["explain", "E999"]).status == 2)
        #expect(try Self.run(["summary", "--classes", "a", "specs/water_mlp.yaml"]).status == 2)
        #expect(try Self.run(["nope"]).status == 2)
    }

    @Test func schemaIsJSON() throws {
        let run = try Self.run(["schema"])
        #expect(run.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        #expect(object?["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
    }

    @Test func docsPrintsTheCommittedDocuments() throws {
        for (document, file) in [("language", "spec-language.md"), ("errors", "errors.md")] {
            let run = try Self.run(["docs", document])
            #expect(run.status == 0)
            #expect(run.stdout == (try String(contentsOf: Self.repositoryRoot.appendingPathComponent("docs/" + file), encoding: .utf8)))
        }
    }

    /// The export as printed and as written with -o is the reviewed snapshot of the generator's tests.
    @Test func exportTorchPrintsOrWritesTheSnapshot() throws {
        let snapshot = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("Tests/SpecLanguageTests/TorchExport/water_bn.py"),
                                  encoding: .utf8)
        let printed = try Self.run(["export-torch", "specs/water_bn.yaml"])
        #expect(printed.status == 0 && printed.stderr.isEmpty)
        #expect(printed.stdout == snapshot)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("specrun-export-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("water_bn.py")
        let written = try Self.run(["export-torch", "specs/water_bn.yaml", "-o", file.path])
        #expect(written.status == 0 && written.stdout.isEmpty && written.stderr.isEmpty)
        #expect((try String(contentsOf: file, encoding: .utf8)) == snapshot)
    }

    /// `report` writes the page where -o says and names it; an unwritable place is a one-line error.
    @Test func reportWritesOneSelfContainedPage() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("specrun-report-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let runs = ["water_bn-lr0.001", "water_bn-lr0.05", "omniglot_two_output-1epoch"].map { "Tests/ReportTests/Fixtures/" + $0 }
        let file = dir.appendingPathComponent("report.html")
        let written = try Self.run(["report"] + runs + ["-o", file.path])
        #expect(written.status == 0 && written.stderr.isEmpty)
        #expect(written.stdout == "\(file.path): 3 runs, 9 charts\n")
        #expect((try String(contentsOf: file, encoding: .utf8)).hasPrefix("<!DOCTYPE html>"))
        let unwritable = try Self.run(["report", runs[0], "-o", "no_such_directory/report.html"])
        #expect(unwritable.status == 1 && unwritable.stdout.isEmpty)
        #expect(unwritable.stderr.hasPrefix("error: no_such_directory/report.html: cannot write the report: "))
    }

    @Test func docsWritesBothDocuments() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("specrun-docs-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Self.run(["docs", "--write", dir.path])
        #expect(run.status == 0)
        for file in ["spec-language.md", "errors.md"] {
            #expect((try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8))
                    == (try String(contentsOf: Self.repositoryRoot.appendingPathComponent("docs/" + file), encoding: .utf8)))
        }
    }
}

struct MissingBinary: Error, CustomStringConvertible {
    var near: String
    var description: String { "no specrun binary next to \(near)" }
}
