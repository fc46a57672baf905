import Foundation
import Runner
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Runs the specrun binary alone or under Open MPI's `mpirun`, as a user would, for the
/// data-parallel tests. CI runs as root on one 2-core machine: `--allow-run-as-root` and
/// `--oversubscribe` (more processes than cores) are what mpirun needs there.
enum MPIRun {
    /// `mpirun` on PATH, where `.ci/install` puts it (Debian's openmpi-bin).
    static let launcher: URL? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent("mpirun") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
        var seconds: Double
    }

    /// A started run: its process, and its output once it has ended.
    final class Job {
        let process = Process()
        private let out = Pipe(), err = Pipe()
        private var collected: (Data, Data)?
        private let started = Date()
        private let readers = DispatchGroup()
        private let buffers = Buffers()

        private final class Buffers: @unchecked Sendable {
            var out = Data(), err = Data()
        }

        init(executable: URL, arguments: [String], environment: [String: String]) throws {
            process.executableURL = executable
            process.arguments = arguments
            var env = ProcessInfo.processInfo.environment
            for (k, v) in environment { env[k] = v }
            process.environment = env
            process.standardOutput = out
            process.standardError = err
            process.standardInput = FileHandle.nullDevice
            try process.run()
            // Read both pipes while the job runs, so a chatty one cannot block it.
            for (pipe, isOut) in [(out, true), (err, false)] {
                let handle = pipe.fileHandleForReading, buffers = self.buffers
                readers.enter()
                DispatchQueue.global().async { [readers] in
                    let data = handle.readDataToEndOfFile()
                    if isOut { buffers.out = data } else { buffers.err = data }
                    readers.leave()
                }
            }
        }

        /// Waits for the end (killing the job after `limit` seconds, which fails the test).
        func wait(limit: Double = 120) -> Output {
            let deadline = Date().addingTimeInterval(limit)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning {
                Issue.record("the job ran longer than \(limit) s; stopped")
                process.terminate()  // mpirun ends its processes on SIGTERM
                for _ in 0..<150 where process.isRunning { usleep(20_000) }
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            }
            process.waitUntilExit()
            let seconds = Date().timeIntervalSince(started)
            readers.wait()
            return Output(status: process.terminationStatus, stdout: String(decoding: buffers.out, as: UTF8.self),
                          stderr: String(decoding: buffers.err, as: UTF8.self), seconds: seconds)
        }
    }

    /// `specrun ARGUMENTS` as one process.
    static func alone(_ arguments: [String], environment: [String: String] = [:]) throws -> Output {
        try Job(executable: specrunBinary, arguments: arguments, environment: environment).wait()
    }

    /// `mpirun -n PROCESSES specrun ARGUMENTS`, started.
    static func start(_ processes: Int, _ arguments: [String], environment: [String: String] = [:]) throws -> Job {
        try start(contexts: [(processes, nil, arguments)], environment: environment)
    }

    /// `mpirun -n N1 [-wdir DIR1] specrun ARGUMENTS1 : -n N2 ...`: processes started in different
    /// folders or with different arguments, as on machines that differ.
    static func start(contexts: [(processes: Int, folder: String?, arguments: [String])], environment: [String: String] = [:]) throws -> Job {
        let mpirun = try #require(launcher, "mpirun is not installed (.ci/install installs openmpi-bin)")
        var arguments = ["--allow-run-as-root", "--oversubscribe", "--bind-to", "none"]
        for (i, context) in contexts.enumerated() {
            if i > 0 { arguments.append(":") }
            arguments += ["-n", "\(context.processes)"] + (context.folder.map { ["-wdir", $0] } ?? []) + [specrunBinary.path] + context.arguments
        }
        return try Job(executable: mpirun, arguments: arguments, environment: environment)
    }

    /// `mpirun -n PROCESSES specrun ARGUMENTS`, to its end.
    static func run(_ processes: Int, _ arguments: [String], environment: [String: String] = [:]) throws -> Output {
        try start(processes, arguments, environment: environment).wait()
    }

    /// The process ids of a job's processes, by rank (read from their environment).
    static func ranks(of job: Job) -> [Int: Int32] {
        var found: [Int: Int32] = [:]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry), pid != job.process.processIdentifier,
                  let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                  status.contains("PPid:\t\(job.process.processIdentifier)\n"),
                  let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { continue }
            for variable in environ.split(separator: 0) {
                let text = String(decoding: variable, as: UTF8.self)
                if text.hasPrefix("OMPI_COMM_WORLD_RANK="), let rank = Int(text.dropFirst("OMPI_COMM_WORLD_RANK=".count)) {
                    found[rank] = pid
                }
            }
        }
        return found
    }
}

/// A run folder's final weights by name (F32 tensors; counters as their values).
func savedTensors(_ folder: URL) throws -> [String: [Float]] {
    let file = try SafeTensors(decoding: Data(contentsOf: folder.appendingPathComponent("weights.safetensors")))
    var tensors: [String: [Float]] = [:]
    for entry in file.entries {
        tensors[entry.name] = entry.floats ?? entry.int64s.map { $0.map(Float.init) }
    }
    return tensors
}

/// The largest difference between two runs' tensors, relative to the largest magnitude in the
/// first, per tensor.
func relativeDifferences(_ a: [String: [Float]], _ b: [String: [Float]]) -> [String: Double] {
    var result: [String: Double] = [:]
    for (name, x) in a {
        guard let y = b[name], y.count == x.count else { result[name] = .infinity; continue }
        let scale = max(x.map { abs(Double($0)) }.max() ?? 0, 1e-12)
        result[name] = zip(x, y).map { abs(Double($0) - Double($1)) }.max().map { $0 / scale } ?? 0
    }
    return result
}

/// Every loss and metric of metrics.jsonl (and each split's sample count), by `epoch split output name`.
func metricValues(_ folder: URL) throws -> [String: Double] {
    let text = try String(contentsOf: folder.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
    var values: [String: Double] = [:]
    for line in text.split(separator: "\n") {
        let row = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        let place = "epoch \(row["epoch"]!) \(row["split"]!)"
        values["\(place) loss"] = row["loss"] as? Double
        values["\(place) samples"] = row["samples"] as? Double
        for (output, metrics) in row["outputs"] as! [String: [String: Double]] {
            for (name, value) in metrics { values["\(place) \(output) \(name)"] = value }
        }
    }
    return values
}

/// The values that differ to 4 decimals, as `key: a and b`. Two values a rounding in the last
/// float bit apart can straddle a 4-decimal boundary (2.71345019 and 2.71344995): those count as
/// the same when they agree to 1e-6, relative.
func differencesToFourDecimals(_ a: [String: Double], _ b: [String: Double]) -> [String] {
    Set(a.keys).union(b.keys).sorted().compactMap { key in
        guard let x = a[key], let y = b[key] else { return "\(key): \(a[key].map { "\($0)" } ?? "none") and \(b[key].map { "\($0)" } ?? "none")" }
        let same = String(format: "%.4f", x) == String(format: "%.4f", y) || abs(x - y) <= 1e-6 * max(1, abs(x))
        return same ? nil : "\(key): \(x) and \(y)"
    }
}
