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

    /// `live`: redraw a progress bar (when stdout is a terminal).
    public init(live: Bool = Terminal.isInteractive(), write: @escaping (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) }) {
        self.live = live
        self.write = write
    }

    public func note(_ text: String) { write(text + "\n") }

    public func batchFinished(epoch: Int, epochs: Int, batch: Int, batches: Int, loss: Double) {
        guard live else { return }
        if batch == 1 { bar = ProgressBar() }
        if let line = bar.line(label: "epoch \(epoch)/\(epochs)", done: batch, total: batches, detail: String(format: "loss %.4f", loss)) {
            write(line)
        }
    }

    public func epochFinished(_ train: EpochResult, heldOut: [EpochResult], epochs: Int, elapsed: Double) {
        let width = String(epochs).count
        var line = (live ? "\r\u{1B}[2K" : "") + "epoch \(String(repeating: " ", count: width - String(train.epoch).count))\(train.epoch)/\(epochs)"
        for result in [train] + heldOut { line += "  " + Self.summary(result) }
        line += String(format: "  %.0f samples/s  ", train.samplesPerSecond) + DurationText.format(elapsed)
        write(line + "\n")
    }

    /// `train loss 1.2345 (alphabet 0.5000 accuracy 0.812, character 0.7345 accuracy 0.321)`
    static func summary(_ r: EpochResult) -> String {
        let heads = r.heads.map { h in
            ([h.name, String(format: "%.4f", h.loss)] + h.metrics.map { "\($0.name) " + String(format: "%.4f", $0.value) }).joined(separator: " ")
        }
        let detail = r.heads.count == 1 && r.heads[0].metrics.isEmpty ? "" : " (" + heads.joined(separator: ", ") + ")"
        return "\(r.split) loss " + String(format: "%.4f", r.loss) + detail
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
