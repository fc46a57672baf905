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
        public var runFolder: URL
        /// The held-out results after the last epoch.
        public var heldOut: [EpochResult]
        public var epochs: Int
    }

    public static let version = "0.1.0"

    public static func run(_ options: Options, reporter: TrainingReporter) throws(RunError) -> Outcome {
        // What to train: a spec file, or a run folder to continue.
        var overrides = options.overrides
        var specPath = options.specPath ?? ""
        var specText: String?
        var dataRoot = DataBinding.dataRoot(flag: options.dataRoot)
        var resumeFolder: RunDirectory?
        var saved: RunSettings?
        var supply = options.supply
        if let resume = options.resume {
            if let problem = ResumeOverrides.problem(options.overrides) { throw RunError(.spec, problem) }
            let folder = try RunDirectory(existing: URL(fileURLWithPath: resume))
            let settings: RunSettings
            do { settings = try JSON.decode(RunSettings.self, from: FileContents.read(folder.settings)) } catch let error as FileError {
                throw RunError(.file, "\(error)")
            } catch {
                throw RunError(.file, "\(folder.settings.path): cannot read the run's settings: \(JSONProblem.describe(error))")
            }
            specPath = folder.spec.path
            specText = try? String(contentsOf: folder.spec, encoding: .utf8)
            dataRoot = options.dataRoot ?? settings.dataRoot
            if options.dataRoot == nil { supply?.rootOrigin = "from the run's settings.json" }
            // The run's own overrides stay; the command line may extend the epochs. Its settings
            // (`--set`) are recorded but not applied again: spec.yaml is the spec as run.
            overrides = settings.overrides
            overrides.epochs = options.overrides.epochs ?? settings.overrides.epochs
            resumeFolder = folder
            saved = settings
        }
        supply?.fetcher?.dataRoot = URL(fileURLWithPath: dataRoot).standardizedFileURL
        // Images are decoded as the batches first need them, in the prefetch thread: training starts
        // at once and decoding overlaps the first epoch's steps (a corrupt file stops the run there).
        var applied = overrides
        if resumeFolder != nil { applied.settings = [] }
        let prepared = try PreparedModel.prepare(path: specPath, text: specText, overrides: applied, dataRoot: dataRoot,
                                                 fitted: saved?.data, preload: false, supply: supply)
        let spec = prepared.spec
        let optimizer = try prepared.makeOptimizer()

        // The run folder, its spec copy and settings.
        let folder: RunDirectory
        if let resumeFolder {
            folder = resumeFolder
        } else if let out = options.out {
            folder = try RunDirectory(creating: URL(fileURLWithPath: out), force: options.force)
        } else {
            folder = try RunDirectory.create(base: URL(fileURLWithPath: options.runsBase), name: spec.name)
        }
        let blas = (try? BLAS.load().description) ?? "none"
        let settings = RunSettings(
            spec: spec.name, specFile: saved?.specFile ?? specPath,
            extends: saved.map(\.extends) ?? Self.extended(prepared.file), seed: spec.seed, epochs: spec.train.epochs,
            batchSize: spec.data.batchSize, learningRate: spec.optimizer.options.number("lr"), dataRoot: dataRoot,
            overrides: overrides, classCounts: prepared.data.classCounts, data: prepared.data.dataset.statistics,
            objective: prepared.objective.description, threads: Parallel.threadCount, blas: blas, specrunVersion: version)
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

        let splits = prepared.data.dataset.splits
        reporter.note(setupSummary(prepared, settings: settings, folder: folder, resumedAt: resumed?.epoch))
        let skipSingle = prepared.hasPerFeatureBatchNorm && splits.train.count % spec.data.batchSize == 1
        if skipSingle {
            reporter.note("note: the last training batch would hold 1 sample, which batchnorm cannot normalise; it is skipped each epoch "
                          + "(PyTorch would stop with an error)")
        }
        let trainer = Trainer(
            model: prepared.model, objective: prepared.objective, optimizer: optimizer,
            schedule: prepared.schedule, data: prepared.data,
            settings: .init(epochs: spec.train.epochs, batchSize: spec.data.batchSize, shuffle: spec.data.shuffle,
                            seed: UInt64(bitPattern: Int64(spec.seed)), evalEvery: spec.train.evalEvery,
                            checkpointEvery: spec.train.checkpointEvery, clipGradNorm: spec.train.clipGradNorm,
                            baseLearningRate: spec.optimizer.options.number("lr"),
                            earlyStopping: spec.train.earlyStopping, skipSingleSampleBatch: skipSingle,
                            prefetch: prepared.prefetchDepth, specPath: specPath),
            runFolder: folder, reporter: reporter, resumed: resumed, metricsLog: metricsLog)
        let heldOut = try trainer.run()
        if let startedAt = options.startedAt, let first = trainer.firstBatchAt {
            reporter.note(String(format: "startup: first batch %.2fs after start", first - startedAt))
        }

        try writeWeights(prepared, settings: settings, epoch: trainer.weightsEpoch, to: folder)
        for result in heldOut { reporter.note(ConsoleReporter.table(result)) }
        reporter.note("weights: \(shown(folder.weights))")
        return Outcome(runFolder: folder.url, heldOut: heldOut, epochs: trainer.state.epoch)
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

    /// A path as it would be typed here: relative when under the working directory (shorter lines).
    static func shown(_ url: URL) -> String {
        let here = FileManager.default.currentDirectoryPath + "/"
        return url.path.hasPrefix(here) ? String(url.path.dropFirst(here.count)) : url.path
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

    static func setupSummary(_ p: PreparedModel, settings: RunSettings, folder: RunDirectory, resumedAt: Int?) -> String {
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
            "\(settings.threads) threads, BLAS \(settings.blas)",
            "run folder: \(shown(folder.url))",
        ]
        if let resumedAt { lines.append("resuming after epoch \(resumedAt)") }
        let heldOut = [("validation", s.validation), ("test", s.test)].filter { !$0.1.isEmpty }.map(\.0)
        lines.append(ConsoleReporter.legend(heldOut: heldOut, outputs: p.objective.heads.count))
        return lines.joined(separator: "\n")
    }
}
