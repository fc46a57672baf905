import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The everyday run (issue 10), as a user runs it: a CPU limit, Ctrl-C and --resume, a Python
/// on PATH.
@Suite struct FirstRunCLITests {
    /// A data root with a made-up water_potability.csv of `rows` rows (every seventh misses its ph).
    static func waterRoot(rows: Int) throws -> TemporaryFolder {
        let root = try TemporaryFolder()
        let folder = root.url.appendingPathComponent("water")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try WaterCSV.text(rows: rows).write(to: folder.appendingPathComponent("water_potability.csv"), atomically: true, encoding: .utf8)
        return root
    }

    /// Output and errors sent to one pipe (`2>&1 | tee log`, CI logs) keep their order: what was
    /// printed before an error comes before it (stdout is buffered when it is not a terminal).
    /// Here the announcement of a fetch, then its failure (a port nothing listens on).
    @Test func anErrorFollowsWhatWasPrintedBeforeIt() throws {
        let root = try TemporaryFolder()
        let binary = try #require(CLITests.binary)
        let run = try CLITests.run(["-c", "\"$0\" train specs/water_mlp.yaml --data-root \"$1\" 2>&1", binary.path, root.url.path],
                                   environment: ["SPECRUN_OFFLINE": "0", "SPECRUN_FETCH_BASE_URL": "http://127.0.0.1:9"],
                                   executable: URL(fileURLWithPath: "/bin/sh"))
        let lines = run.stdout.split(separator: "\n").map(String.init)
        let announced = try #require(lines.firstIndex { $0.contains("is missing; fetching it") }, "\(run.stdout)")
        let error = try #require(lines.firstIndex { $0.hasPrefix("error: fetch water: ") }, "\(run.stdout)")
        #expect(announced < error, "\(run.stdout)")
    }

    /// `taskset -c 0` leaves the process one CPU, and specrun starts one thread.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/taskset")))
    func theThreadCountFollowsTheAffinityMask() throws {
        let root = try Self.waterRoot(rows: 40)
        let binary = try #require(CLITests.binary)
        let run = try CLITests.run(["-c", "0", binary.path, "train", "specs/water_mlp.yaml", "--epochs", "1",
                                    "--data-root", root.url.path, "--out", root.url.appendingPathComponent("run").path],
                                   executable: URL(fileURLWithPath: "/usr/bin/taskset"))
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains(", seed 0\n1 thread, BLAS"), "\(run.stdout)")
    }

    /// `--compare-torch python3` finds python3 on PATH (this one has no torch, so the twin fails
    /// there, with Python's own reason); a name that is nowhere is a usage error.
    @Test func compareTorchSearchesPATH() throws {
        let missing = try CLITests.run(["bench", "specs/water_mlp.yaml", "--steps", "1", "--warmup", "0", "--compare-torch", "no-such-python-3"])
        #expect(missing.status == 2)
        #expect(missing.stderr.hasPrefix("Error: --compare-torch: no executable 'no-such-python-3' on PATH; give its path, e.g. /tmp/torchenv/bin/python.\n"),
                "\(missing.stderr)")
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else { return }
        let found = try CLITests.run(["bench", "specs/water_mlp.yaml", "--steps", "1", "--warmup", "0", "--compare-torch", "python3"],
                                     environment: ["PATH": "/nowhere:/usr/bin:/bin"])
        #expect(!found.stderr.contains("no executable"), "\(found.stderr)")
        #expect(found.status == 0 || found.stderr.contains("/usr/bin/python3 specrun-twin-"), "\(found.stderr)")
    }

    /// Ctrl-C in the middle of epoch 2 of a spec without checkpoint settings, then --resume: the
    /// same metrics (but the timings) and the same weights, to the bit, as a run never stopped.
    @Test func interruptedInEpochTwoThenResumedIsTheUninterruptedRun() throws {
        let root = try Self.waterRoot(rows: 6000)
        let whole = root.url.appendingPathComponent("whole"), stopped = root.url.appendingPathComponent("stopped")
        let common = ["train", "specs/water_mlp.yaml", "--epochs", "3", "--data-root", root.url.path]
        let reference = try CLITests.run(common + ["--out", whole.path])
        #expect(reference.status == 0, "\(reference.stderr)")

        // SIGINT as soon as epoch 1's line is out, so it lands in epoch 2.
        let interrupted = try CLITests.run(common + ["--out", stopped.path], signalWhen: "epoch 1/3")
        #expect(interrupted.status == 130, "\(interrupted.stdout)\(interrupted.stderr)")
        #expect(interrupted.stderr.contains("error: interrupted at epoch 2, batch "), "\(interrupted.stderr)")
        #expect(interrupted.stderr.contains("; continue from epoch-0001 with: specrun train --resume "), "\(interrupted.stderr)")
        let resumed = try CLITests.run(["train", "--resume", stopped.path])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("resuming after epoch 1"))

        #expect(try Self.metricsWithoutTimings(stopped) == (try Self.metricsWithoutTimings(whole)))
        #expect(try Data(contentsOf: stopped.appendingPathComponent("weights.safetensors"))
                == (try Data(contentsOf: whole.appendingPathComponent("weights.safetensors"))))
        // Checkpoints by default: the last and the best, nothing else.
        let kept = try FileManager.default.contentsOfDirectory(atPath: whole.appendingPathComponent("checkpoints").path).sorted()
        #expect(kept.contains("epoch-0003") && kept.count <= 2 && kept.allSatisfy { $0.hasPrefix("epoch-") }, "\(kept)")
    }

    /// metrics.jsonl with the timing fields taken out.
    static func metricsWithoutTimings(_ run: URL) throws -> [String] {
        try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n").map { line in
            var object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            for key in ["seconds", "samples_per_s", "elapsed_s"] { object.removeValue(forKey: key) }
            return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }
    }
}

/// A made-up water potability CSV: the real file's columns, features that carry the label a
/// little, and a missing ph in every seventh row (as the real file has gaps).
enum WaterCSV {
    static let columns = ["ph", "Hardness", "Solids", "Chloramines", "Sulfate", "Conductivity", "Organic_carbon",
                          "Trihalomethanes", "Turbidity", "Potability"]

    static func text(rows: Int) -> String {
        var text = columns.joined(separator: ",") + "\n"
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for r in 0..<rows {
            let label = r % 2
            let cells = (0..<9).map { k -> String in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let u = Double(state >> 11) / Double(1 << 53)
                return r % 7 == 3 && k == 0 ? "" : String(format: "%.4f", (u * 0.8 + Double(label) * 0.2) * 100)
            }
            text += cells.joined(separator: ",") + ",\(label)\n"
        }
        return text
    }
}
