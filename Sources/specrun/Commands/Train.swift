import ArgumentParser
import Collectives
import Datasets
import Diagnostics
import Foundation
import Runner

/// Options that train, eval, predict and bench share.
struct DataOptions: ParsableArguments {
    @Option(help: "Where data paths in the spec are relative to (default: $SPECRUN_DATA, else ./data).")
    var dataRoot: String?

    func validate() throws {
        // Read by the image decoder deep inside a run: a typo must stop the command here, not be ignored there.
        if let problem = DataBinding.environmentProblem() { throw ValidationError(problem) }
    }
}

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a spec's model on its data (the default command: `specrun SPEC` trains).",
        discussion: """
            Prints one line per epoch (a live progress bar on a terminal) and a final table of \
            held-out metrics, and leaves a run folder (runs/<spec name>/<timestamp>/, or --out) \
            with the spec as run, settings.json, metrics.jsonl, checkpoints and weights.safetensors. \
            A NaN or infinite loss stops the run with the output, epoch and batch it came from. \
            Ctrl-C stops after the current batch; --resume continues from the last checkpoint. \
            Started by an MPI launcher (`mpirun -n K specrun train SPEC`), K processes train the \
            same model data-parallel, each on its share of every batch, with the results of one.
            """)

    @Argument(help: "The spec to train.")
    var spec: String?

    @OptionGroup var data: DataOptions

    // `.unconditional`: `--seed -1` is a value, not an unknown option `-1` ("Missing value").
    @Option(parsing: .unconditional, help: "Train this many epochs instead of the spec's train.epochs.")
    var epochs: Int?

    @Option(parsing: .unconditional, help: "Batch size instead of the spec's data.batch_size.")
    var batchSize: Int?

    @Option(parsing: .unconditional, help: "Seed for initialisation, shuffling and dropout instead of the spec's seed.")
    var seed: Int?

    @Option(parsing: .unconditional, help: "Learning rate instead of the optimizer's lr.")
    var lr: Double?

    @OptionGroup var set: SettingOptions

    @Option(help: "The run folder to write (default runs/<spec name>/<timestamp>/); it must be new or empty.")
    var out: String?

    @Flag(help: "Let --out be a folder that holds other files (those named like the run's are overwritten; never a folder holding a run).")
    var force = false

    @Option(help: "Continue the run in this folder from its last verified checkpoint (takes --epochs and --data-root, not --set).")
    var resume: String?

    @Flag(help: "Never download: stop if the spec's public data set is missing (also SPECRUN_OFFLINE=1).")
    var offline = false

    func validate() throws {
        if spec == nil && resume == nil { throw ValidationError("Give a spec to train, or --resume RUN_FOLDER.") }
        if let spec, !spec.contains("/"), !spec.contains("."), !FileManager.default.fileExists(atPath: spec) {
            let names = Specrun.commands.map { $0._commandName }
            let guess = Suggestion.closest(to: spec, among: names).map { " Did you mean '\($0)'?" } ?? ""
            throw ValidationError("'\(spec)' is neither a command nor a spec file.\(guess) See 'specrun --help'.")
        }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1, got \(epochs).") }
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1, got \(batchSize).") }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be a positive finite number, got \(lr).") }
        if resume != nil {
            if let spec { throw ValidationError("--resume trains the run folder's own spec.yaml; leave out '\(spec)'.") }
            if out != nil || force { throw ValidationError("--resume continues the run in its own folder; leave out --out and --force.") }
            if let problem = ResumeOverrides.problem(overrides) { throw ValidationError(problem + ".") }
        }
        if force && out == nil { throw ValidationError("--force applies to --out; give --out too.") }
    }

    /// Missing public data is fetched into the data root, from `SPECRUN_FETCH_BASE_URL` when set,
    /// unless --offline or SPECRUN_OFFLINE says not to.
    func supply() throws -> DataSupply {
        let live = Terminal.isInteractive()
        let root = URL(fileURLWithPath: DataBinding.dataRoot(flag: data.dataRoot))
        let base: URL?, catalogue: Catalogue
        do {
            base = try Fetcher.baseURL(flag: nil)
            catalogue = try Catalogue.active()
        } catch { throw ValidationError("\(error)") }
        let offline = self.offline ? "--offline" : DataSupply.offlineRequested() ? "\(DataSupply.offlineEnvironmentVariable)=1" : nil
        return DataSupply(rootOrigin: DataSupply.origin(flag: data.dataRoot),
                          fetcher: Fetcher(dataRoot: root, baseURL: base, catalogue: catalogue, progress: Fetch.progressDisplay(live: live)),
                          offline: offline,
                          announce: { print((live ? "\r\u{1B}[2K" : "") + $0) })
    }

    var overrides: SpecOverrides {
        SpecOverrides(epochs: epochs, batchSize: batchSize, seed: seed, learningRate: lr, settings: set.settings)
    }

    func run() throws {
        var options = TrainSession.Options(specPath: spec)
        options.startedAt = processStart
        options.overrides = overrides
        options.dataRoot = data.dataRoot
        options.out = out
        options.force = force
        options.resume = resume
        options.supply = try supply()
        let world = try joinJob()
        defer { world.finish() }
        Interrupt.install()
        // Rank 0 prints; a launcher gives every process a terminal, so no live bar under one.
        let reporter: TrainingReporter = world.rank > 0 ? QuietReporter() : ConsoleReporter(live: world.size == 1 && Terminal.isInteractive())
        do {
            _ = try TrainSession.run(options, reporter: reporter, replicas: Replicas(world))
        } catch {
            throw report(error, in: world)
        }
    }
}

/// This process's part in its job: one of a data-parallel job's when an MPI launcher started it,
/// with its share of the machine's cores, else the job of one. Call before anything computes.
func joinJob() throws -> any Communicator {
    do {
        let world = try Launcher.communicator()
        Replicas.shareCores(world)
        return world
    } catch {
        printError("error: \(error)\n")
        throw ExitCode(2)
    }
}

/// When `main` began, for the time to the first batch.
let processStart = MonotonicClock.seconds()

/// Prints a run error as the user should see it and returns the exit code: spec diagnostics in
/// full, everything else as one `error:` line; 130 after Ctrl-C, 1 otherwise.
///
/// In a data-parallel job, an error every process stopped with is printed once, by rank 0 (or by
/// the process it concerns); one this process met alone, while the others wait for it in the next
/// collective, is printed with its rank and ends the whole job.
func report(_ error: RunError, in world: any Communicator) -> ExitCode {
    guard world.size > 1 else { return report(error) }
    let code = ExitCode(error.kind == .interrupted ? 130 : 1)
    if !error.isShared {
        printError("error: rank \(world.rank): \(error.message)\n")
        world.abort(code: code.rawValue)
    }
    return error.isSilent ? code : report(error, live: false)
}

func report(_ error: RunError, live: Bool = Terminal.isInteractive()) -> ExitCode {
    if live { print("") }  // end a progress bar's line
    if let (file, list) = error.diagnostics {
        printError(list.map { DiagnosticRenderer.human($0, in: file) + "\n" }.joined())  // they say what and where
    } else {
        printError("error: \(error.message)\n")
    }
    return error.kind == .interrupted ? ExitCode(130) : ExitCode(1)
}
