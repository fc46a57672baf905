import Autograd
import DataPipeline
import Foundation
import Kernels
import NN
import SpecLanguage

/// The training loop: epochs of shuffled batches (forward, weighted losses, backward, clipping,
/// optimizer step), evaluation on the held-out splits, the metrics log, checkpoints, early
/// stopping, and a stop with a precise message on a non-finite loss or Ctrl-C.
///
/// Checkpoints: one of the initial state before the first epoch, then one after every epoch,
/// keeping the last, the best (by the early-stopping metric, else the first output's loss, on
/// the first held-out split) and every `checkpointEvery`-th. So a Ctrl-C or a NaN stop always
/// leaves one that `--resume` continues from, and early stopping can restore the best weights.
/// In a data-parallel run every process runs this loop on its share of each batch (see
/// `TrainingStep`); only the one with the run folder (rank 0) writes it.
final class Trainer {
    struct Settings {
        var epochs: Int
        var batchSize: Int
        var shuffle: Bool
        var seed: UInt64
        var evalEvery: Int
        var checkpointEvery: Int
        var clipGradNorm: Double?
        /// The optimizer's lr in the spec, which the schedule scales (never the optimizer's current
        /// rate: a resumed optimizer holds the last epoch's scheduled one).
        var baseLearningRate: Double
        var earlyStopping: EarlyStoppingSpec?
        /// Skip a last training batch of one sample (batchnorm over features cannot train on it).
        var skipSingleSampleBatch: Bool
        /// Batches assembled ahead in a background thread (0: on demand).
        var prefetch: Int
        var specPath: String
    }

    let model: GraphModel
    let objective: Objective
    let optimizer: any Optimizer
    let schedule: LearningRateSchedule
    let data: DataBinding
    let settings: Settings
    let runFolder: RunDirectory?
    let reporter: TrainingReporter
    let replicas: Replicas?
    private(set) var state: LoopState
    /// The epoch whose weights the model holds at the end: the last one, or the best one that
    /// early stopping restored.
    private(set) var weightsEpoch = 0
    /// When the first training batch was ready (`MonotonicClock`).
    private(set) var firstBatchAt: Double?
    private var metricsLog: [Data]
    private let tensorBoard: TensorBoardLog?
    private let start = MonotonicClock.seconds()

    init(model: GraphModel, objective: Objective, optimizer: any Optimizer, schedule: LearningRateSchedule, data: DataBinding,
         settings: Settings, runFolder: RunDirectory?, reporter: TrainingReporter, resumed: LoopState? = nil, metricsLog: [Data] = [],
         replicas: Replicas? = nil) {
        self.model = model
        self.objective = objective
        self.optimizer = optimizer
        self.schedule = schedule
        self.data = data
        self.settings = settings
        self.runFolder = runFolder
        self.reporter = reporter
        self.replicas = replicas
        self.metricsLog = metricsLog
        tensorBoard = runFolder.map { TensorBoardLog(run: $0, resumedAfter: resumed?.epoch ?? 0) }
        self.state = resumed ?? LoopState(epoch: 0, dropoutState: model.rng.state,
                                          best: nil, bestEpoch: nil, evaluationsWithoutImprovement: 0)
        if let resumed { model.rng = RandomGenerator(state: resumed.dropoutState) }
    }

    /// The held-out splits by name, in the order reported.
    var heldOutSplits: [(name: String, indices: [Int])] {
        [("validation", data.dataset.splits.validation), ("test", data.dataset.splits.test)].filter { !$0.indices.isEmpty }
    }

    /// Trains from the epoch after `state.epoch` to the last, returning the last held-out results.
    func run() throws(RunError) -> [EpochResult] {
        do { return try epochs() } catch { throw replicas?.shared(error) ?? error }
    }

    private func epochs() throws(RunError) -> [EpochResult] {
        var lastHeldOut: [EpochResult] = []
        var epoch = state.epoch
        weightsEpoch = epoch
        if epoch == 0, let runFolder, epoch < settings.epochs {
            try Checkpoint.write(model: model, optimizer: optimizer, state: state, in: runFolder)
        }
        while epoch < settings.epochs {
            epoch += 1
            let lr = schedule.learningRate(epoch: epoch - 1, baseLR: settings.baseLearningRate)
            optimizer.learningRate = lr
            let train = try trainEpoch(epoch, learningRate: lr)
            var heldOut: [EpochResult] = []
            if epoch % settings.evalEvery == 0 || epoch == settings.epochs {
                for split in heldOutSplits {
                    heldOut.append(try evaluate(split.indices, split: split.name, epoch: epoch, learningRate: lr))
                }
                lastHeldOut = heldOut
            }
            state.epoch = epoch
            state.dropoutState = model.rng.state
            weightsEpoch = epoch
            let stop = earlyStoppingDecision(heldOut)
            reporter.epochFinished(train, heldOut: heldOut, epochs: settings.epochs, elapsed: MonotonicClock.seconds() - start)
            try log([train] + heldOut)
            if let runFolder {
                try Checkpoint.write(model: model, optimizer: optimizer, state: state, in: runFolder)
                Checkpoint.prune(in: runFolder, keeping: { [state, settings] e in
                    e == state.epoch || e == state.bestEpoch || (e > 0 && settings.checkpointEvery > 0 && e % settings.checkpointEvery == 0)
                })
            }
            if stop {
                reporter.note("early stopping: \(watched.metric) has not improved for \(state.evaluationsWithoutImprovement) evaluations "
                              + "(best \(format(state.best)) at epoch \(state.bestEpoch ?? 0))")
                if let restored = try restoreBest() { lastHeldOut = restored }
                break
            }
        }
        if weightsEpoch == state.epoch, let best = state.bestEpoch, best != state.epoch, let runFolder {
            reporter.note("best: epoch \(best), \(watchedSplit ?? "held-out") \(watched.metric) \(format(state.best)) "
                          + "(\(Checkpoint.folderName(epoch: best)) in \(runFolder.checkpoints.lastPathComponent)/); weights.safetensors holds the last epoch's")
        }
        return lastHeldOut
    }

    /// The metric that picks the best epoch: the early-stopping one, else the first output's loss.
    var watched: (metric: String, mode: EarlyStoppingSpec.Mode, minDelta: Double) {
        settings.earlyStopping.map { ($0.metric, $0.mode, $0.minDelta) } ?? ("\(objective.heads[0].name).loss", .min, 0)
    }

    /// The split it is measured on: validation, else test; nil when nothing is held out.
    var watchedSplit: String? { heldOutSplits.first?.name }

    /// After early stopping: the best epoch's weights back in the model (from its checkpoint), as
    /// Keras's `restore_best_weights` does, and its held-out results; nil when the last epoch was
    /// the best.
    private func restoreBest() throws(RunError) -> [EpochResult]? {
        // A data-parallel run's processes decide this alike (their loop states are the same, from
        // summed metrics); rank 0 alone has the run folder and reads the checkpoint.
        guard let best = state.bestEpoch, best != state.epoch, runFolder != nil || replicas != nil else {
            reporter.note("the last epoch was the best; weights.safetensors holds its weights")
            return nil
        }
        let checkpoint = Checkpoint.folderName(epoch: best)
        try replicas.agree { () throws(RunError) in
            guard let runFolder else { return }
            // The optimizer is loaded too (the checkpoint is checked whole); nothing trains after this.
            _ = try Checkpoint.read(runFolder.checkpoints.appendingPathComponent(checkpoint), epoch: best, model: model, optimizer: optimizer)
        }
        // Then every process holds those weights, so that the held-out results below are theirs.
        if let replicas { _ = try replicas.broadcastState(model: model, optimizer: optimizer, resumed: state) }
        weightsEpoch = best
        var results: [EpochResult] = []
        for split in heldOutSplits {
            results.append(try evaluate(split.indices, split: split.name, epoch: best, learningRate: optimizer.learningRate))
        }
        reporter.note("restored the best weights, from epoch \(best), into weights.safetensors "
                      + "(the last epoch's stay in checkpoints/\(Checkpoint.folderName(epoch: state.epoch)))")
        return results
    }

    private func trainEpoch(_ epoch: Int, learningRate: Double) throws(RunError) -> EpochResult {
        model.train()
        let indices = data.dataset.splits.train
        let stream = data.dataset.batches(indices, epoch: epoch - 1, options: BatchOptions(
            batchSize: settings.batchSize, shuffle: settings.shuffle, seed: settings.seed, prefetch: settings.prefetch, augment: true,
            shard: replicas.shard))
        defer { stream.stop() }
        var accumulator = EpochAccumulator(objective)
        let started = MonotonicClock.seconds()
        var batchNumber = 0
        let step = TrainingStep(model: model, objective: objective, optimizer: optimizer, clipGradNorm: settings.clipGradNorm,
                                replicas: replicas)
        while let batch = try Evaluation.next(stream, data) {
            if firstBatchAt == nil { firstBatchAt = MonotonicClock.seconds() }
            batchNumber += 1
            let share = stream.share(ofBatch: batchNumber - 1)
            if share.batchRows == 1 && settings.skipSingleSampleBatch { continue }
            let targets = data.targets(batch, for: objective)
            model.firstRow = share.firstRow
            let result = step(data.inputs(batch, names: model.inputNames), targets, rows: share.rows, batchRows: share.batchRows)
            if let bad = result.nonFinite {
                throw divergence(head: objective.heads[bad].name, value: result.losses[bad], epoch: epoch, batch: batchNumber, of: stream.batchCount)
            }
            accumulator.add(batchSize: share.batchRows, losses: result.losses, predictions: objective.heads.map { result.outputs[$0.name]! },
                            targets: targets)
            reporter.batchFinished(epoch: epoch, epochs: settings.epochs, batch: batchNumber, batches: stream.batchCount,
                                   loss: Double(result.total))
            if result.stop || (replicas == nil && Interrupt.isRequested) { throw interrupted(epoch: epoch, batch: batchNumber, of: stream.batchCount) }
        }
        accumulator.sumStatistics(over: replicas)
        return accumulator.result(epoch: epoch, split: "train", seconds: MonotonicClock.seconds() - started, learningRate: learningRate)
    }

    func evaluate(_ indices: [Int], split: String, epoch: Int, learningRate: Double) throws(RunError) -> EpochResult {
        do {
            return try Evaluation.run(model: model, objective: objective, data: data, indices: indices, split: split, epoch: epoch,
                                      batchSize: settings.batchSize, prefetch: settings.prefetch, learningRate: learningRate,
                                      replicas: replicas)
        } catch {
            guard error.kind == .divergence else { throw error }
            throw RunError(.divergence, error.message + "; training stopped." + whatIsKept())
        }
    }


    /// Updates the record of the best epoch with this epoch's held-out results (every run keeps
    /// one, for its best checkpoint); true when early stopping says to stop now.
    private func earlyStoppingDecision(_ heldOut: [EpochResult]) -> Bool {
        let rule = watched
        guard let result = heldOut.first, let value = result.value(of: rule.metric), value.isFinite else { return false }
        let improved: Bool
        if let best = state.best {
            improved = rule.mode == .min ? value < best - rule.minDelta : value > best + rule.minDelta
        } else {
            improved = true
        }
        if improved {
            state.best = value
            state.bestEpoch = result.epoch
            state.evaluationsWithoutImprovement = 0
        } else {
            state.evaluationsWithoutImprovement += 1
        }
        guard let patience = settings.earlyStopping?.patience else { return false }
        return state.evaluationsWithoutImprovement >= patience
    }

    private func log(_ results: [EpochResult]) throws(RunError) {
        guard let runFolder else { return }
        let elapsed = MonotonicClock.seconds() - start
        metricsLog += results.map { $0.record(elapsed: elapsed) }
        var text = Data()
        for line in metricsLog { text.append(line); text.append(0x0A) }
        try runFolder.write(text, to: runFolder.metrics)
        try tensorBoard?.append(results)
    }

    private func divergence(head: String, value: Float, epoch: Int, batch: Int, of batches: Int) -> RunError {
        let shown = value.isNaN ? "NaN" : (value > 0 ? "+infinity" : "-infinity")
        var message = "\(settings.specPath): the loss of output `\(head)` is \(shown) at epoch \(epoch), batch \(batch) of \(batches); training stopped."
        message += whatIsKept()
        message += " A lower learning rate (now \(format(optimizer.learningRate))) or gradient clipping (train.clip_grad_norm) usually helps."
        return RunError(.divergence, message)
    }

    /// ` The last good checkpoint is ... Metrics so far: ...`, after a run stopped on a non-finite value.
    private func whatIsKept() -> String {
        guard let runFolder else { return "" }
        var text = Checkpoint.latest(in: runFolder).map { " The last good checkpoint is \($0.path)." }
            ?? " No checkpoint was written before it."
        if FileManager.default.fileExists(atPath: runFolder.metrics.path) { text += " Metrics so far: \(runFolder.metrics.path)." }
        return text
    }

    func interrupted(epoch: Int, batch: Int?, of batches: Int?) -> RunError {
        var message = "interrupted at epoch \(epoch)" + (batch.map { ", batch \($0) of \(batches!)" } ?? ", during evaluation")
        if let runFolder {
            if let checkpoint = Checkpoint.latest(in: runFolder) {
                message += "; continue from \(checkpoint.lastPathComponent) with: specrun train --resume \(runFolder.url.path)"
            } else {
                message += "; no checkpoint yet, the run folder keeps its metrics: \(runFolder.url.path)"
            }
        }
        return RunError(.interrupted, message)
    }

    private func format(_ x: Double?) -> String { x.map { String(format: "%.6g", $0) } ?? "none" }
}
