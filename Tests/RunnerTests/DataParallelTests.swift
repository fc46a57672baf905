import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `mpirun -n K specrun train SPEC` against one process, as a user would run them: the same
/// spec, seed and global batch must give the same model (weights within 1e-5, relative, per
/// tensor) and the same metrics to 4 decimals; resuming, a dying rank and a hung one end as the
/// README says. Fixtures are tiny (40 rows of water data, 34 without missing values: 27 to train,
/// 7 to test) so that each case takes a second or two on CI's 2 cores, where every collective may
/// wait for a time slice.
@Suite(.serialized) struct DataParallelTests {
    /// The water MLP with dropout after its first layer, Adam, batch 8.
    static let dropoutSpec = """
        name: water_dropout
        seed: 3
        data:
          source: {csv: {path: water/water_potability.csv}}
          fields:
            features: {features: [ph, Hardness, Solids, Chloramines, Sulfate, Conductivity, Organic_carbon, Trihalomethanes, Turbidity]}
            potability: {column: Potability}
          preprocessing: {missing: drop, normalize: minmax}
          split: {test: 0.2, seed: 1}
          batch_size: 8
          shuffle: true
        model:
          inputs:
            features: [9]
          nodes:
            mlp:
              from: features
              layers: [{linear: {out: 16}}, relu, {dropout: {p: 0.3}}, {linear: {out: 1}}, sigmoid]
          outputs:
            potability: {from: mlp, target: potability, loss: bce, metrics: [accuracy]}
        optimizer: {adam: {lr: 0.01}}
        train: {epochs: 2, checkpoint_every: 1}
        """

    /// The dropout model stopped early after its second epoch (a loss that falls is "no
    /// improvement" in mode max): every process must take the first epoch's weights back.
    static let earlyStoppingSpec = dropoutSpec.replacingOccurrences(
        of: "train: {epochs: 2, checkpoint_every: 1}",
        with: "train: {epochs: 5, early_stopping: {metric: potability.loss, mode: max, patience: 1}}")

    /// water_bn with SGD: batchnorm's statistics synchronised across processes.
    static var batchNormSGDSpec: String {
        (try? String(contentsOfFile: shippedSpec("water_bn"), encoding: .utf8))!
            .replacingOccurrences(of: "optimizer: {adam: {lr: 0.001}}", with: "optimizer: {sgd: {lr: 0.05, momentum: 0.9}}")
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var spec: String
        /// Written by the test into the fixture root, or nil for a shipped spec.
        var text: String?
        var arguments: [String]
        var testDescription: String { spec }
    }

    static let cases: [Case] = [
        // Batch 2 on 3 processes: rank 0's share of every batch is empty.
        Case(spec: "water_mlp", text: nil, arguments: ["--epochs", "2"]),
        // Batch 8 of 27 rows: shares of 2, 3 and 3 rows, and the last batch of 3 gives each process
        // one row for batchnorm (which only the synchronised statistics can normalise).
        Case(spec: "water_bn_sgd", text: batchNormSGDSpec, arguments: ["--epochs", "2", "--batch-size", "8"]),
        Case(spec: "water_dropout", text: dropoutSpec, arguments: []),
        Case(spec: "water_early_stopping", text: earlyStoppingSpec, arguments: []),
        Case(spec: "omniglot_two_output", text: nil, arguments: ["--epochs", "2", "--batch-size", "8"]),
    ]

    func specPath(_ c: Case, _ root: FixtureRoot) throws -> String {
        guard let text = c.text else { return shippedSpec(c.spec) }
        let path = root.url.appendingPathComponent("\(c.spec).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test(arguments: cases) func severalProcessesTrainTheModelOneProcessTrains(_ c: Case) throws {
        let root = try FixtureRoot(water: 40)
        defer { root.remove() }
        let spec = try specPath(c, root)
        var folders: [Int: URL] = [:]
        for processes in [1, 2, 3] {
            let out = root.url.appendingPathComponent("run-\(processes)")
            let arguments = ["train", spec, "--data-root", root.path, "--out", out.path] + c.arguments
            let run = processes == 1 ? try MPIRun.alone(arguments) : try MPIRun.run(processes, arguments)
            try #require(run.status == 0, "\(processes) processes: \(run.stderr)")
            if processes > 1 { #expect(run.stdout.contains("data parallel: \(processes) processes (Open MPI"), "\(run.stdout)") }
            if c.text == Self.earlyStoppingSpec { #expect(run.stdout.contains("restored the best weights, from epoch 1"), "\(run.stdout)") }
            folders[processes] = out
        }
        let one = try savedTensors(folders[1]!), metrics = try metricValues(folders[1]!)
        for processes in [2, 3] {
            for (name, difference) in relativeDifferences(one, try savedTensors(folders[processes]!)) {
                #expect(difference <= 1e-5, "\(c.spec), \(processes) processes: \(name) differs by \(difference) (relative)")
            }
            let differing = differencesToFourDecimals(metrics, try metricValues(folders[processes]!))
            #expect(differing.isEmpty, "\(c.spec), \(processes) processes: \(differing.joined(separator: "; "))")
        }
    }

    /// water_bn as shipped, with Adam: every parameter the loss has a gradient for matches. The
    /// linear biases just before a batchnorm do not: batchnorm subtracts the batch mean, so their
    /// gradient is zero but for rounding, which differs with the summation order (one process
    /// sums 16 rows, two sum 8 each and add); Adam divides that noise by its own size (plus eps)
    /// and takes steps of about lr from it, which the running means then follow. The training
    /// metrics stay identical; the held-out loss, read with the running means, moves in its 4th
    /// decimal. (SGD turns the same noise into nothing: water_bn_sgd above matches throughout.)
    @Test func batchNormWithAdamMatchesInEveryParameterThatHasAGradient() throws {
        let root = try FixtureRoot(water: 40)
        defer { root.remove() }
        var folders: [URL] = []
        for processes in [1, 2] {
            let out = root.url.appendingPathComponent("run-\(processes)")
            let arguments = ["train", shippedSpec("water_bn"), "--data-root", root.path, "--out", out.path, "--epochs", "2"]
            let run = processes == 1 ? try MPIRun.alone(arguments) : try MPIRun.run(processes, arguments)
            try #require(run.status == 0, "\(run.stderr)")
            folders.append(out)
        }
        let noiseDriven: Set = ["mlp.0.bias", "mlp.3.bias", "mlp.1.running_mean", "mlp.4.running_mean"]
        for (name, difference) in relativeDifferences(try savedTensors(folders[0]), try savedTensors(folders[1])) {
            #expect(difference <= (noiseDriven.contains(name) ? 0.1 : 1e-5), "\(name) differs by \(difference) (relative)")
        }
        let one = try metricValues(folders[0]), two = try metricValues(folders[1])
        let differing = differencesToFourDecimals(one, two)
        #expect(differing.allSatisfy { $0.contains(" test ") && $0.contains(" loss: ") }, "\(differing)")
        for (key, value) in one where key.contains(" test ") { #expect(abs(two[key]! - value) <= 2e-3, "\(key): \(value) and \(two[key]!)") }
    }

    /// A 2-process run resumed after epoch 1 is the 2-process run of 2 epochs, bit for bit.
    @Test func resumingATwoProcessRunEqualsRunningStraight() throws {
        let root = try FixtureRoot(water: 40)
        defer { root.remove() }
        let spec = root.url.appendingPathComponent("water_dropout.yaml").path
        try Self.dropoutSpec.write(toFile: spec, atomically: true, encoding: .utf8)
        let straight = root.url.appendingPathComponent("straight"), resumed = root.url.appendingPathComponent("resumed")
        var run = try MPIRun.run(2, ["train", spec, "--data-root", root.path, "--out", straight.path])
        try #require(run.status == 0, "\(run.stderr)")
        run = try MPIRun.run(2, ["train", spec, "--data-root", root.path, "--out", resumed.path, "--epochs", "1"])
        try #require(run.status == 0, "\(run.stderr)")
        run = try MPIRun.run(2, ["train", "--resume", resumed.path, "--epochs", "2"])
        try #require(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("resuming after epoch 1"), "\(run.stdout)")
        #expect(try savedTensors(resumed) == savedTensors(straight))
        #expect(try metricsWithoutTimings(resumed) == metricsWithoutTimings(straight))
    }

    /// A loss that turns NaN on the processes that hold rows (rank 0's shares are empty) stops
    /// every process at the batch one process stops at, with its message, printed once.
    @Test func aNaNStopsEveryProcessAtTheSameBatch() throws {
        let root = try FixtureRoot(water: 40)
        defer { root.remove() }
        var errors: [String] = []
        for processes in [1, 3] {
            let arguments = ["train", shippedSpec("water_mlp"), "--data-root", root.path, "--lr", "1e30",
                             "--out", root.url.appendingPathComponent("run-\(processes)").path]
            let run = processes == 1 ? try MPIRun.alone(arguments) : try MPIRun.run(processes, arguments)
            #expect(run.status == 1)
            // The same message but for the run folder in it.
            errors.append(run.stderr.split(separator: "\n").filter { $0.hasPrefix("error: ") }.joined(separator: "\n")
                .replacingOccurrences(of: "/run-\(processes)/", with: "/run-K/"))
        }
        #expect(errors[0].contains("the loss of output `potability` is NaN at epoch 1, batch "), "\(errors[0])")
        #expect(errors[1] == errors[0])
    }

    /// A long run whose checkpoints are written every epoch, for killing and stopping.
    func startLongRun(_ root: FixtureRoot, environment: [String: String] = [:]) throws -> (MPIRun.Job, URL, [Int: Int32]) {
        let spec = root.url.appendingPathComponent("water_dropout.yaml").path
        try Self.dropoutSpec.replacingOccurrences(of: "epochs: 2", with: "epochs: 100000").write(toFile: spec, atomically: true, encoding: .utf8)
        let out = root.url.appendingPathComponent("long")
        let job = try MPIRun.start(2, ["train", spec, "--data-root", root.path, "--out", out.path], environment: environment)
        // Wait until two checkpoints exist: the run is training, and writing more.
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: out.appendingPathComponent("checkpoints/epoch-0002").path), Date() < deadline,
              job.process.isRunning {
            usleep(20_000)
        }
        let ranks = MPIRun.ranks(of: job)
        try #require(ranks.count == 2, "the job's processes by rank: \(ranks)")
        return (job, out, ranks)
    }

    @Test func killingOneProcessEndsTheJobAndKeepsTheLastCheckpoint() throws {
        let root = try FixtureRoot(water: 40)
        defer { root.remove() }
        let (job, out, ranks) = try startLongRun(root)
        let killed = Date()
        kill(ranks[1]!, SIGKILL)
        let end = job.wait(limit: 30)
        #expect(Date().timeIntervalSince(killed) < 10, "the job ended \(Date().timeIntervalSince(killed)) s after the kill")
        #expect(end.status != 0)
        #expect(end.stderr.contains("rank 1"), "\(end.stderr)")
        // Every checkpoint left is whole: resuming (in one process) passes over none.
        let last = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("checkpoints").path)
            .filter { $0.hasPrefix("epoch-") }.compactMap { Int($0.dropFirst(6)) }.max()!
        let resume = try MPIRun.alone(["train", "--resume", out.path, "--epochs", "\(last + 1)"])
        #expect(resume.status == 0, "\(resume.stderr)")
        #expect(resume.stdout.contains("resuming after epoch \(last)") && !resume.stdout.contains("skipped"), "\(resume.stdout)")
    }

    /// Ctrl-C reaching one process (`kill -INT`) stops every process after the same batch, with
    /// rank 0's message and the command to resume.
    @Test func interruptingOneProcessStopsAllOfThem() throws {
        let root = try FixtureRoot(water: 40)
        defer { root.remove() }
        let (job, out, ranks) = try startLongRun(root)
        kill(ranks[1]!, SIGINT)
        let end = job.wait(limit: 30)
        #expect(end.status == 130)
        let errors = end.stderr.split(separator: "\n").filter { $0.hasPrefix("error: ") }
        #expect(errors.count == 1 && errors[0].hasPrefix("error: interrupted at epoch ")
                && errors[0].hasSuffix("with: specrun train --resume \(out.path)"), "\(end.stderr)")
    }

    @Test func aHungProcessEndsTheJobAfterTheTimeout() throws {
        let root = try FixtureRoot(water: 40)
        defer { root.remove() }
        let (job, _, ranks) = try startLongRun(root, environment: ["SPECRUN_MPI_TIMEOUT": "2"])
        let stopped = Date()
        kill(ranks[1]!, SIGSTOP)
        defer { kill(ranks[1]!, SIGKILL) }
        let end = job.wait(limit: 30)
        let seconds = Date().timeIntervalSince(stopped)
        #expect(seconds >= 2 && seconds < 10, "the job ended \(seconds) s after one process stopped")
        #expect(end.status != 0)
        #expect(end.stderr.contains("rank 0: error: waited 2 s for the other processes in an allreduce"), "\(end.stderr)")
        #expect(end.stderr.contains("SPECRUN_MPI_TIMEOUT=2 seconds"), "\(end.stderr)")
    }

    /// Setup errors end the job normally, printed once: a process that alone cannot load the data
    /// says so with its rank; processes whose data differ are stopped before anything is written.
    @Test func processesThatCannotStartTogetherStopTogether() throws {
        let root = try FixtureRoot(water: 40), other = try FixtureRoot(water: 30)
        defer { root.remove(); other.remove() }
        let empty = temporaryFolder("no-data")
        defer { try? FileManager.default.removeItem(at: empty) }
        let out = root.url.appendingPathComponent("run").path
        let arguments = ["train", shippedSpec("water_mlp"), "--data-root", ".", "--out", out]
        // The data root is relative: each process reads it in its own folder, as on its own machine.
        var run = try MPIRun.start(contexts: [(1, root.path, arguments), (1, empty.path, arguments)]).wait()
        #expect(run.status == 1)
        #expect(run.stderr.hasPrefix("error: rank 1: \(shippedSpec("water_mlp")):9:11: ./water/water_potability.csv: cannot open: "
                                     + "No such file or directory\n"), "\(run.stderr)")
        #expect(run.stderr.components(separatedBy: "error:").count == 2, "one message: \(run.stderr)")
        #expect(!run.stderr.contains("MPI_ABORT"), "\(run.stderr)")
        run = try MPIRun.start(contexts: [(1, root.path, arguments), (1, other.path, arguments)]).wait()
        #expect(run.status == 1)
        #expect(run.stderr.contains(": rank 1 loaded other data than rank 0: 26 samples (train 21, validation 0, test 5) against "
                                    + "34 samples (train 27, validation 0, test 7); every process must read the same data"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out), "nothing was written")
    }

    /// `bench` under mpirun times the step with the gradient sum; rank 0 alone prints. Other
    /// commands refuse to run as several processes (each would do the whole work).
    @Test func benchTimesTheGradientSumAndOtherCommandsRefuse() throws {
        let run = try MPIRun.run(2, ["bench", shippedSpec("water_bn"), "--steps", "3", "--warmup", "1", "--format", "json"])
        try #require(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count == 1, "\(run.stdout)")
        let report = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
        #expect(report["processes"] as? Int == 2 && report["batch_size"] as? Int == 16)
        #expect((report["exchange_ms_median"] as? Double ?? -1) >= 0 && (report["allreduce_ms_median"] as? Double ?? -1) >= 0)
        let refused = try MPIRun.run(2, ["summary", shippedSpec("water_bn")])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("error: this command runs as one process; only `specrun train` and `specrun bench` run "
                                        + "data-parallel under Open MPI's mpirun (OMPI_COMM_WORLD_SIZE=2)"), "\(refused.stderr)")
    }

    /// A binary built against Open MPI, started by another MPI's launcher, sees a job of one:
    /// it refuses instead of training alone (and K copies of it writing K runs).
    @Test func aLauncherOfAnotherMPIIsRefused() throws {
        let out = temporaryFolder("mismatch")
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try MPIRun.alone(["train", shippedSpec("water_mlp"), "--out", out.path], environment: ["PMI_SIZE": "2", "PMI_RANK": "0"])
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix("error: specrun was started by a PMI launcher (MPICH's mpiexec, srun --mpi=pmi2) as one of 2 "
                                     + "processes (PMI_SIZE=2), but its MPI library (Open MPI v"), "\(run.stderr)")
        #expect(run.stderr.contains(") sees a job of 1: the launcher belongs to another MPI."), "\(run.stderr)")
    }
}
