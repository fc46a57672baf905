import Foundation

/// Where a run's progress goes: a terminal gets a live bar per epoch, anything else (a log, a
/// pipe, CI) gets one plain line per epoch. Tests pass their own.
public protocol TrainingReporter: AnyObject {
    /// A line of information (the setup, a note about the data).
    func note(_ text: String)
    /// After each training batch.
    func batchFinished(epoch: Int, epochs: Int, batch: Int, batches: Int, loss: Double)
    /// After an epoch, with the training result and the held-out ones evaluated this epoch.
    func epochFinished(_ train: EpochResult, heldOut: [EpochResult], epochs: Int, elapsed: Double)
}

/// Writes progress to standard output.
public final class ConsoleReporter: TrainingReporter {
    private let live: Bool
    private var bar = ProgressBar()
    private let write: (String) -> Void
    /// The columns an epoch line may take: the terminal's width, or 100 in a log.
    private let width: Int

    /// `live`: redraw a progress bar (when stdout is a terminal).
    public init(live: Bool = Terminal.isInteractive(), width: Int? = nil,
                write: @escaping (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) }) {
        self.live = live
        self.write = write
        self.width = width ?? (live ? Terminal.columns() : 100)
        bar = ProgressBar(width: Self.barWidth(self.width))
    }

    /// The bar's own width: what a line of `columns` leaves after the label, counts, ETA and loss.
    static func barWidth(_ columns: Int) -> Int { max(10, min(28, columns - 52)) }

    public func note(_ text: String) { write(text + "\n") }

    public func batchFinished(epoch: Int, epochs: Int, batch: Int, batches: Int, loss: Double) {
        guard live else { return }
        if batch == 1 { bar = ProgressBar(width: Self.barWidth(width)) }
        if let line = bar.line(label: "epoch \(epoch)/\(epochs)", done: batch, total: batches, detail: String(format: "loss %.4f", loss)) {
            write(line)
        }
    }

    public func epochFinished(_ train: EpochResult, heldOut: [EpochResult], epochs: Int, elapsed: Double) {
        write((live ? "\r\u{1B}[2K" : "") + Self.epochLine(train, heldOut: heldOut, epochs: epochs, elapsed: elapsed, width: width) + "\n")
    }

    /// `epoch  2/10  loss 3.4123/3.5012  alphabet acc 0.598  character acc 0.087  12.3s`: the
    /// objective on the training split and the first held-out one, then each output's metrics on
    /// that held-out split (on the training split, marked `train`, in an epoch that evaluated
    /// none), and the time so far. Each number once: one output's own loss is the loss, and
    /// its name is left out. Metrics that do not fit `width` are left out from the last; every
    /// value of every split is in metrics.jsonl.
    public static func epochLine(_ train: EpochResult, heldOut: [EpochResult], epochs: Int, elapsed: Double, width: Int) -> String {
        let digits = String(epochs).count
        let head = "epoch \(String(repeating: " ", count: max(0, digits - String(train.epoch).count)))\(train.epoch)/\(epochs)"
        let loss = "loss " + String(format: "%.4f", train.loss) + (heldOut.first.map { "/" + String(format: "%.4f", $0.loss) } ?? "")
        let time = DurationText.format(elapsed)
        let measured = heldOut.first ?? train
        var metrics: [String] = []
        for h in measured.heads where !h.metrics.isEmpty {
            let values = h.metrics.map { "\(shortName($0.name)) " + String(format: "%.3f", $0.value) }.joined(separator: " ")
            let named = train.heads.count == 1 ? values : "\(h.name) \(values)"
            metrics.append(metrics.isEmpty && heldOut.isEmpty ? "train " + named : named)
        }
        var parts = [head, loss]
        var length = head.count + 2 + loss.count + 2 + time.count
        for m in metrics where length + 2 + m.count <= width {
            parts.append(m)
            length += 2 + m.count
        }
        return (parts + [time]).joined(separator: "  ")
    }

    /// Metric names as epoch lines show them.
    static func shortName(_ metric: String) -> String { metric == "accuracy" ? "acc" : metric }

    /// What the epoch lines show, said once before the first: `splits` are the held-out splits.
    public static func legend(heldOut splits: [String], outputs: Int) -> String {
        let metrics = outputs > 1 ? "each output's" : "the"
        guard let first = splits.first else { return "epoch lines: loss and \(metrics) train metrics; all in metrics.jsonl" }
        return "epoch lines: loss train/\(first), \(metrics) \(first) metrics; all in metrics.jsonl"
    }

    /// The final table of held-out metrics per output.
    public static func table(_ result: EpochResult) -> String {
        let names = Array(Set(result.heads.flatMap { $0.metrics.map(\.name) })).sorted()
        var rows = [["output", "loss"] + names]
        for h in result.heads {
            rows.append([h.name, String(format: "%.4f", h.loss)] + names.map { n in
                h.metrics.first { $0.name == n }.map { String(format: "%.4f", $0.value) } ?? ""
            })
        }
        if result.heads.count > 1 { rows.append(["total", String(format: "%.4f", result.loss)] + names.map { _ in "" }) }
        let widths = rows[0].indices.map { c in rows.map { $0[c].count }.max()! }
        let lines = rows.map { row in
            row.enumerated().map { c, cell in c == 0 ? cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                : String(repeating: " ", count: widths[c] - cell.count) + cell }.joined(separator: "  ")
        }
        return "\(result.split) metrics after epoch \(result.epoch) (\(result.samples) samples)\n" + lines.joined(separator: "\n")
    }
}

/// Reports nothing: the processes of a data-parallel run other than rank 0, which prints.
public final class QuietReporter: TrainingReporter {
    public init() {}
    public func note(_ text: String) {}
    public func batchFinished(epoch: Int, epochs: Int, batch: Int, batches: Int, loss: Double) {}
    public func epochFinished(_ train: EpochResult, heldOut: [EpochResult], epochs: Int, elapsed: Double) {}
}
