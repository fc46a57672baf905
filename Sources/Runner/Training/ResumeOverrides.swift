/// What `--resume` takes from the command line. A resumed run continues bit for bit, which only
/// its own seed (initialisation, shuffling, dropout), batch size (the batches, the batchnorm
/// statistics) and learning rate (the optimizer state holds the scheduled one) can give: those
/// come from settings.json, and a command line that asks for others is refused rather than
/// silently ignored. `--epochs` (train further, or stop sooner) and `--data-root` (the data moved)
/// are honoured. `--set` is refused too: the run's spec.yaml already holds the spec as it was run,
/// settings included, and a changed spec would not continue the run.
public enum ResumeOverrides {
    /// Why `overrides` cannot be applied to a resumed run, or nil.
    public static func problem(_ overrides: SpecOverrides) -> String? {
        var refused: [String] = []
        if overrides.batchSize != nil { refused.append("--batch-size") }
        if overrides.seed != nil { refused.append("--seed") }
        if overrides.learningRate != nil { refused.append("--lr") }
        if !overrides.settings.isEmpty { refused.append("--set") }
        guard !refused.isEmpty else { return nil }
        let keeps = overrides.settings.isEmpty ? "its own seed, batch size and learning rate (settings.json)"
            : "its own spec as run (spec.yaml), seed, batch size and learning rate"
        return "--resume continues a run with \(keeps), so it cannot take "
            + refused.joined(separator: ", ") + "; it takes --epochs and --data-root. Start a new run to change them"
    }

    /// The note a resumed run prints: what it keeps and what it was given.
    static func note(_ settings: RunSettings, epochs: Int?) -> String {
        "resuming with the run's own seed \(settings.seed), batch size \(settings.batchSize) and learning rate \(settings.learningRate)"
            + (epochs.map { "; --epochs \($0)" } ?? "")
    }
}
