import DataPipeline
import Diagnostics
import Foundation
import GraphIR
import Kernels
import NN
import SpecLanguage

/// `specrun train`: everything a training run does, from the spec file to the run folder.
public enum TrainSession {
    public struct Options {
        /// The spec to train (ignored with `resume`, which trains the run folder's copy).
        public var specPath: String?
        public var overrides = SpecOverrides()
        /// `--data-root` (else `SPECRUN_DATA`, else ./data; a resumed run reuses its own).
        public var dataRoot: String?
        /// `--out`: the run folder; default `runs/<spec name>/<timestamp>/`.
        public var out: String?
        public var runsBase = "runs"
        /// `--resume`: a run folder to continue from its latest checkpoint.
        public var resume: String?
        /// `--force`: let `out` be a folder that holds other files (never another run).
        public var force = false
        /// When the process started (`MonotonicClock`), for the time to the first batch.
        public var startedAt: Double?
        /// What to do about data the spec reads that is missing (fetch a public data set, or say
        /// how); nil leaves it to the data pipeline's error.
        public var supply: DataSupply?

        public init(specPath: String? = nil) { self.specPath = specPath }
    }

    public struct Outcome {
        /// Nil on the processes of a data-parallel run other than rank 0.
        public var runFolder: URL?
        /// The held-out results after the last epoch.
        public var heldOut: [EpochResult]
        public var epochs: Int
    }

    public static let version = "0.1.0"

    public static func run(_ options: Options, reporter: TrainingReporter, replicas: Replicas? = nil) throws(RunError) -> Outcome {
        // What to train: a spec file, or a run folder to continue. In a data-parallel run rank 0
        // reads them and sends the others what they need to build the same model on the same data.
        var resumeFolder: RunDirectory?
        var saved: RunSettings?
        let plan = try replicas.fromLeader { () throws(RunError) -> RunPlan in
            let resolved = try resolve(options)
            (resumeFolder, saved) = (resolved.folder, resolved.settings)
            return resolved.plan
        }
        // Rank 0 has fetched any missing public data (in `resolve`), so every process finds it.
        // Every process builds the model on the same data; then rank 0 opens the run folder and
        // reads the checkpoint, and every process starts from its weights, optimizer and loop state.
        let (prepared, optimizer) = try replicas.agree { () throws(RunError) in
            // Images are decoded as the batches first need them, in the prefetch thread: training starts
            // at once and decoding overlaps the first epoch's steps (a corrupt file stops the run there).
            let prepared = try PreparedModel.prepare(path: plan.specPath, text: plan.specText, overrides: plan.overrides,
                                                     dataRoot: plan.dataRoot, fitted: plan.fitted, preload: false)
            return (prepared, try prepared.makeOptimizer())
        }
        try replicas?.requireSameData(prepared.data)
        let opened = try replicas.agree { () throws(RunError) -> OpenedRun? in
            guard replicas?.isLeader ?? true else { return nil }
            return try openRunFolder(prepared, optimizer: optimizer, plan: plan, resumeFolder: resumeFolder, saved: saved,
                                     options: options, reporter: reporter, replicas: replicas)
        }
        let spec = prepared.spec
        var resumed = opened?.resumed
        if let replicas { resumed = try replicas.broadcastState(model: prepared.model, optimizer: optimizer, resumed: resumed) }

        let splits = prepared.data.dataset.splits
        let skipSingle = prepared.hasPerFeatureBatchNorm && splits.train.count % spec.data.batchSize == 1
        if skipSingle {
            reporter.note("note: the last training batch would hold 1 sample, which batchnorm cannot normalise; it is skipped each epoch "
                          + "(PyTorch would stop with an error)")
        }
        prepared.model.replicas = replicas
        let trainer = Trainer(
            model: prepared.model, objective: prepared.objective, optimizer: optimizer,
            schedule: prepared.schedule, data: prepared.data,
            settings: .init(epochs: spec.train.epochs, batchSize: spec.data.batchSize, shuffle: spec.data.shuffle,
                            seed: UInt64(bitPattern: Int64(spec.seed)), evalEvery: spec.train.evalEvery,
                            checkpointEvery: spec.train.checkpointEvery, clipGradNorm: spec.train.clipGradNorm,
                            baseLearningRate: spec.optimizer.options.number("lr"),
                            earlyStopping: spec.train.earlyStopping, skipSingleSampleBatch: skipSingle,
                            prefetch: prepared.prefetchDepth, specPath: plan.specPath),
            runFolder: opened?.folder, reporter: reporter, resumed: resumed, metricsLog: opened?.metricsLog ?? [], replicas: replicas)
        let heldOut = try trainer.run()
        if let startedAt = options.startedAt, let first = trainer.firstBatchAt {
            reporter.note(String(format: "startup: first batch %.2fs after start", first - startedAt))
        }

        guard let opened else { return Outcome(runFolder: nil, heldOut: heldOut, epochs: trainer.state.epoch) }
        try writeWeights(prepared, settings: opened.settings, epoch: trainer.weightsEpoch, to: opened.folder)
        for result in heldOut { reporter.note(ConsoleReporter.table(result)) }
        reporter.note("weights: \(shown(opened.folder.weights))")
        return Outcome(runFolder: opened.folder.url, heldOut: heldOut, epochs: trainer.state.epoch)
    }

    /// What a run reads from its files before anything is built: the spec, and for `--resume` the
    /// run folder and its settings.
    struct Resolved {
        var plan: RunPlan
        var folder: RunDirectory?
        var settings: RunSettings?
    }

    static func resolve(_ options: Options) throws(RunError) -> Resolved {
        let specPath = options.specPath ?? ""
        guard let resume = options.resume else {
            let plan = RunPlan(specPath: specPath, specText: try? String(contentsOfFile: specPath, encoding: .utf8),
                               overrides: options.overrides, dataRoot: DataBinding.dataRoot(flag: options.dataRoot))
            try ensureData(plan, supply: options.supply)
            return Resolved(plan: plan)
        }
        if let problem = ResumeOverrides.problem(options.overrides) { throw RunError(.spec, problem) }
        let folder = try RunDirectory(existing: URL(fileURLWithPath: resume))
        let settings: RunSettings
        do { settings = try JSON.decode(RunSettings.self, from: FileContents.read(folder.settings)) } catch let error as FileError {
            throw RunError(.file, "\(error)")
        } catch {
            throw RunError(.file, "\(folder.settings.path): cannot read the run's settings: \(JSONProblem.describe(error))")
        }
        // The run's own overrides stay; the command line may extend the epochs. Its settings
        // (`--set`) are recorded but not applied again: spec.yaml is the spec as run.
        var overrides = settings.overrides
        overrides.epochs = options.overrides.epochs ?? settings.overrides.epochs
        overrides.settings = []
        let plan = RunPlan(specPath: folder.spec.path, specText: try? String(contentsOf: folder.spec, encoding: .utf8),
                           overrides: overrides, dataRoot: options.dataRoot ?? settings.dataRoot, fitted: settings.data)
        var supply = options.supply
        if options.dataRoot == nil { supply?.rootOrigin = "from the run's settings.json" }
        try ensureData(plan, supply: supply)
        return Resolved(plan: plan, folder: folder, settings: settings)
    }

    /// Fetches the public data sets the plan's spec reads and its data root lacks, or says how
    /// (see `DataSupply`). Rank 0 alone does this, before any process reads data.
    static func ensureData(_ plan: RunPlan, supply: DataSupply?) throws(RunError) {
        guard var supply else { return }
        supply.fetcher?.dataRoot = URL(fileURLWithPath: plan.dataRoot).standardizedFileURL
        try PreparedModel.ensureData(path: plan.specPath, text: plan.specText, overrides: plan.overrides, dataRoot: plan.dataRoot,
                                     supply: supply)
    }

    /// The run folder as a run opens it: the spec copy, settings.json, and, resuming, the latest
    /// checkpoint restored into the model and optimizer and the metrics log up to it.
    struct OpenedRun {
        var folder: RunDirectory
        var settings: RunSettings
        var resumed: LoopState?
        var metricsLog: [Data]
    }

    static func openRunFolder(_ prepared: PreparedModel, optimizer: any Optimizer, plan: RunPlan, resumeFolder: RunDirectory?,
                              saved: RunSettings?, options: Options, reporter: TrainingReporter,
                              replicas: Replicas?) throws(RunError) -> OpenedRun {
        let spec = prepared.spec
        let folder: RunDirectory
        if let resumeFolder {
            folder = resumeFolder
        } else if let out = options.out {
            folder = try RunDirectory(creating: URL(fileURLWithPath: out), force: options.force)
        } else {
            folder = try RunDirectory.create(base: URL(fileURLWithPath: options.runsBase), name: spec.name)
        }
        let blas = (try? BLAS.load().description) ?? "none"
        // A resumed run keeps the `--set` it was started with on record.
        var recorded = plan.overrides
        if let saved { recorded.settings = saved.overrides.settings }
        let settings = RunSettings(
            spec: spec.name, specFile: saved?.specFile ?? plan.specPath,
            extends: saved.map(\.extends) ?? Self.extended(prepared.file), seed: spec.seed, epochs: spec.train.epochs,
            batchSize: spec.data.batchSize, learningRate: spec.optimizer.options.number("lr"), dataRoot: plan.dataRoot,
            overrides: recorded, classCounts: prepared.data.classCounts, data: prepared.data.dataset.statistics,
            objective: prepared.objective.description, threads: Parallel.threadCount, blas: blas, specrunVersion: version,
            processes: replicas?.count)
        if resumeFolder == nil {
            try folder.write(Data((prepared.composedText ?? prepared.file.text).utf8), to: folder.spec)
            if prepared.composedText != nil { try folder.write(Data(prepared.file.text.utf8), to: folder.originalSpec) }
        }
        try folder.write(JSON.encode(settings), to: folder.settings)

        // Resume: the latest checkpoint, and the metrics log up to it.
        var resumed: LoopState?
        var metricsLog: [Data] = []
        if resumeFolder != nil {
            let (state, notes) = try Checkpoint.restoreLatest(in: folder, model: prepared.model, optimizer: optimizer)
            for note in notes { reporter.note(note) }
            reporter.note(ResumeOverrides.note(settings, epochs: options.overrides.epochs))
            resumed = state
            metricsLog = keptMetrics(folder, throughEpoch: state.epoch)
            if state.epoch >= spec.train.epochs {
                reporter.note("\(folder.url.path) already trained \(state.epoch) of \(spec.train.epochs) epochs; pass --epochs to train further")
            }
        }
        reporter.note(setupSummary(prepared, settings: settings, folder: folder, resumedAt: resumed?.epoch, replicas: replicas))
        return OpenedRun(folder: folder, settings: settings, resumed: resumed, metricsLog: metricsLog)
    }

    /// The final weights, with what `eval` and `predict` need to use them in the metadata.
    static func writeWeights(_ prepared: PreparedModel, settings: RunSettings, epoch: Int, to folder: RunDirectory) throws(RunError) {
        let metadata = [
            "format": "pt",
            "specrun.spec": settings.spec,
            "specrun.epoch": "\(epoch)",
            "specrun.data": String(decoding: JSON.encode(settings.data, pretty: false), as: UTF8.self),
        ]
        try folder.write(SafeTensors(entries: StateDict.entries(of: prepared.model), metadata: metadata).encoded(), to: folder.weights)
    }

    /// The files a spec extends, nearest first; nil when none.
    static func extended(_ file: SourceFile) -> [String]? {
        let files = file.composedFrom.filter { $0.origin == .file }.map(\.path)
        return files.isEmpty ? nil : files
    }

    /// metrics.jsonl lines of epochs up to `epoch` (a resumed run rewrites what came after its checkpoint).
    static func keptMetrics(_ folder: RunDirectory, throughEpoch epoch: Int) -> [Data] {
        guard let text = try? String(contentsOf: folder.metrics, encoding: .utf8) else { return [] }
        struct Row: Decodable { var epoch: Int }
        return text.split(separator: "\n").compactMap { line in
            let data = Data(line.utf8)
            guard let row = try? JSONDecoder().decode(Row.self, from: data), row.epoch <= epoch else { return nil }
            return data
        }
    }

    /// A path as it would be typed here: relative when under the working directory (shorter lines).
    static func shown(_ url: URL) -> String {
        let here = FileManager.default.currentDirectoryPath + "/"
        return url.path.hasPrefix(here) ? String(url.path.dropFirst(here.count)) : url.path
    }

    static func setupSummary(_ p: PreparedModel, settings: RunSettings, folder: RunDirectory, resumedAt: Int?,
                             replicas: Replicas? = nil) -> String {
        let s = p.data.dataset.splits
        var splits = "train \(s.train.count)"
        if !s.validation.isEmpty { splits += ", validation \(s.validation.count)" }
        if !s.test.isEmpty { splits += ", test \(s.test.count)" }
        let classes = p.data.classCounts.keys.sorted().map { "\($0) \(p.data.classCounts[$0]!)" }.joined(separator: ", ")
        let params = p.model.parameters.reduce(0) { $0 + $1.tensor.count }
        // Short lines, each one thing, so that an 80-column terminal does not wrap them.
        var lines = [
            "\(p.spec.name): \(p.data.dataset.count) samples (\(splits))" + String(format: ", indexed in %.2fs", p.dataSeconds),
        ]
        if !classes.isEmpty { lines.append("classes: \(classes)") }
        lines += [
            "model: \(params.formatted()) parameters",
            p.objective.description,
            "optimizer \(p.spec.optimizer.name) lr \(settings.learningRate), batch \(settings.batchSize), \(settings.epochs) epochs, seed \(settings.seed)",
            "\(settings.threads) thread\(settings.threads == 1 ? "" : "s")\(replicas == nil ? "" : " each"), BLAS \(settings.blas)",
        ]
        if let replicas {
            let n = settings.batchSize, k = replicas.count
            let share = n % k == 0 ? "\(n / k)" : "\(n / k) or \(n / k + 1)"
            lines.append("data parallel: \(k) processes (\(replicas.communicator.library))")
            lines.append("each takes \(share) of every batch of \(n) samples")
        }
        lines.append("run folder: \(shown(folder.url))")
        if let resumedAt { lines.append("resuming after epoch \(resumedAt)") }
        let heldOut = [("validation", s.validation), ("test", s.test)].filter { !$0.1.isEmpty }.map(\.0)
        lines.append(ConsoleReporter.legend(heldOut: heldOut, outputs: p.objective.heads.count))
        return lines.joined(separator: "\n")
    }
}
