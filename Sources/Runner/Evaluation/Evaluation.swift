import DataPipeline
import NN

/// Loss and metrics of a model on a split, in evaluation mode: running statistics, no dropout,
/// nothing recorded for backward.
enum Evaluation {
    static func run(model: GraphModel, objective: Objective, data: DataBinding, indices: [Int], split: String, epoch: Int,
                    batchSize: Int, prefetch: Int, learningRate: Double = 0) throws(RunError) -> EpochResult {
        let wasTraining = model.isTraining
        model.eval()
        defer { if wasTraining { model.train() } }
        let stream = data.dataset.batches(indices, epoch: 0, options: BatchOptions(batchSize: batchSize, prefetch: prefetch))
        defer { stream.stop() }
        var accumulator = EpochAccumulator(objective)
        let started = MonotonicClock.seconds()
        while let batch = try next(stream, data) {
            let outputs = model(data.inputs(batch, names: model.inputNames))
            let targets = data.targets(batch, for: objective)
            let losses = objective.losses(outputs, targets).map(\.scalar)
            accumulator.add(batchSize: batch.count, losses: losses, predictions: objective.heads.map { outputs[$0.name]! }, targets: targets)
            if Interrupt.isRequested { throw RunError(.interrupted, "interrupted during evaluation of the \(split) split") }
        }
        return accumulator.result(epoch: epoch, split: split, seconds: MonotonicClock.seconds() - started, learningRate: learningRate)
    }

    /// The next batch, with a data error (a corrupt image met for the first time) as a run error
    /// that names the file and the spec line.
    static func next(_ stream: BatchStream, _ data: DataBinding) throws(RunError) -> Batch? {
        do { return try stream.next() } catch { throw data.error(error) }
    }
}
