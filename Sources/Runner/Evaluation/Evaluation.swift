import DataPipeline
import NN

/// Loss and metrics of a model on a split, in evaluation mode: running statistics, no dropout,
/// nothing recorded for backward. In a data-parallel run each process evaluates its share of
/// every batch and the losses and metric counts are summed.
enum Evaluation {
    /// `confusion`: keep each classification head's confusion matrix in the result (`eval`).
    static func run(model: GraphModel, objective: Objective, data: DataBinding, indices: [Int], split: String, epoch: Int,
                    batchSize: Int, prefetch: Int, learningRate: Double = 0, confusion: Bool = false,
                    replicas: Replicas? = nil) throws(RunError) -> EpochResult {
        let wasTraining = model.isTraining
        model.eval()
        defer { if wasTraining { model.train() } }
        let stream = data.dataset.batches(indices, epoch: 0, options: BatchOptions(batchSize: batchSize, prefetch: prefetch, shard: replicas.shard))
        defer { stream.stop() }
        var accumulator = EpochAccumulator(objective, keepsConfusion: confusion)
        let started = MonotonicClock.seconds()
        var batchNumber = 0
        while let batch = try next(stream, data) {
            batchNumber += 1
            let outputs = model(data.inputs(batch, names: model.inputNames))
            let targets = data.targets(batch, for: objective)
            var losses = objective.losses(outputs, targets).map(\.scalar), stop = Interrupt.isRequested
            let share = stream.share(ofBatch: batchNumber - 1)
            if let replicas { (losses, stop) = replicas.batchLosses(losses, rows: share.rows, of: share.batchRows) }
            if let bad = losses.firstIndex(where: { !$0.isFinite }) {
                throw notFinite("loss of output `\(objective.heads[bad].name)`", Double(losses[bad]), split: split, epoch: epoch,
                                where: "batch \(batchNumber) of \(stream.batchCount)", data: data)
            }
            accumulator.add(batchSize: share.batchRows, losses: losses, predictions: objective.heads.map { outputs[$0.name]! }, targets: targets)
            if stop { throw RunError(.interrupted, "interrupted during evaluation of the \(split) split") }
        }
        accumulator.sumStatistics(over: replicas)
        let result = accumulator.result(epoch: epoch, split: split, seconds: MonotonicClock.seconds() - started, learningRate: learningRate)
        for head in result.heads {
            if let bad = head.metrics.first(where: { !$0.value.isFinite }) {
                throw notFinite("\(bad.name) of output `\(head.name)`", bad.value, split: split, epoch: epoch, where: "the end", data: data)
            }
        }
        return result
    }

    /// A NaN or infinite loss or metric on a held-out split: as in training, the numbers would be
    /// meaningless, so evaluation stops instead of reporting them.
    private static func notFinite(_ what: String, _ value: Double, split: String, epoch: Int, where place: String,
                                  data: DataBinding) -> RunError {
        let shown = value.isNaN ? "NaN" : (value > 0 ? "+infinity" : "-infinity")
        return RunError(.divergence, "\(data.file.path): the \(split) \(what) is \(shown) at \(place) of the evaluation"
                        + (epoch > 0 ? " after epoch \(epoch)" : "") + "; the model's outputs are not finite on this split")
    }

    /// The next batch, with a data error (a corrupt image met for the first time) as a run error
    /// that names the file and the spec line.
    static func next(_ stream: BatchStream, _ data: DataBinding) throws(RunError) -> Batch? {
        do { return try stream.next() } catch { throw data.error(error) }
    }
}
