import Diagnostics

extension SpecBuilder {
    mutating func buildTrain(_ a: SpecOptions?, outputs: [OutputSpec], split: SplitSpec) -> TrainSpec {
        guard let a else { return TrainSpec(epochs: 1, evalEvery: 1, checkpointEvery: 0, clipGradNorm: nil, earlyStopping: nil) }
        var early: EarlyStoppingSpec?
        if let e = a.record("early_stopping"), let metric = e.string("metric") {
            checkMonitored(metric, at: e.range(of: "metric"), outputs: outputs)
            if split.test + split.validation == 0 {
                error(.conflictingOptions, "`train.early_stopping` needs held-out data, but `data.split` holds none out",
                      at: a.range(of: "early_stopping"), notes: [Note("set `data.split.validation` (or `test`) above 0")])
            }
            let isLoss = metric == "loss" || metric.hasSuffix(".loss")
            let mode: EarlyStoppingSpec.Mode = switch e.string("mode") {
            case "min": .min
            case "max": .max
            default: isLoss ? .min : .max
            }
            early = EarlyStoppingSpec(metric: metric, patience: e.int("patience") ?? 1, mode: mode, minDelta: e.number("min_delta"), range: e.range)
        }
        return TrainSpec(epochs: a.int("epochs") ?? 1, evalEvery: a.int("eval_every") ?? 1, checkpointEvery: a.int("checkpoint_every") ?? 0,
                         clipGradNorm: a.double("clip_grad_norm"), earlyStopping: early)
    }

    /// `loss`, `<output>.loss` or `<output>.<one of its metrics>`.
    private mutating func checkMonitored(_ metric: String, at range: SourceRange, outputs: [OutputSpec]) {
        var known = ["loss"]
        for output in outputs {
            known.append("\(output.name).loss")
            known += output.metrics.map { "\(output.name).\($0.name)" }
        }
        guard !known.contains(metric) else { return }
        let parts = metric.split(separator: ".", maxSplits: 1).map(String.init)
        if parts.count == 2, incomplete.outputs.contains(parts[0]) { return }
        var notes = [Suggestion.note(for: metric, among: known)].compactMap { $0 }
        if parts.count == 2, let output = outputs.first(where: { $0.name == parts[0] }), decoder.vocabulary.kind(parts[1], in: .metric) != nil {
            notes = [Note("add `\(parts[1])` to the metrics of output '\(output.name)'", at: output.nameRange)]
        }
        error(.undefinedReference, "`train.early_stopping.metric` is '\(metric)', which no output reports", at: range, notes: notes)
    }
}
