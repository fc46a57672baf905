import Foundation
import Testing

/// What a user saw in a real terminal of 80 columns (issue 10): `specrun specs/omniglot_two_output.yaml`
/// run in tmux (`tmux new-session -d -x 80 -y 30`, `send-keys`, `capture-pane -p -J`) from a
/// clean clone, fetching its data from a loopback server, while the progress bar was drawn and
/// after the run. `-J` joins wrapped rows, so a line that wrapped would be longer than 80 here.
/// Recapture with the commands in Transcripts/tmux-80-columns.txt's first lines after changing
/// what a run prints.
@Suite struct TerminalTranscriptTests {
    static let transcript = CLITests.transcripts.appendingPathComponent("tmux-80-columns.txt")

    /// The screens as captured, without the comment lines (`#`) that say how and when.
    static func screen() throws -> [String] {
        try String(contentsOf: transcript, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
    }

    @Test func nothingWrappedAt80Columns() throws {
        let lines = try Self.screen()
        #expect(lines.count > 10)
        for line in lines { #expect(line.count <= 80, "\(line.count) columns: \(line)") }
    }

    /// The screen shows a progress bar, the epoch lines, and the run's final lines.
    @Test func theScreenShowsABarEpochLinesAndTheEnd() throws {
        let lines = try Self.screen()
        #expect(lines.contains { $0.hasPrefix("epoch ") && $0.contains("[") && $0.contains("] ") && $0.contains(" eta ") }, "a progress bar")
        let epochs = lines.filter { $0.range(of: #"^epoch +\d+/\d+  loss \d\.\d{4}/\d\.\d{4}  alphabet acc \d\.\d{3}  character acc \d\.\d{3}  "#,
                                             options: .regularExpression) != nil }
        #expect(epochs.count >= 2, "\(lines)")
        #expect(lines.contains("epoch lines: loss train/test, each output's test metrics; all in metrics.jsonl"))
        #expect(lines.contains { $0.hasPrefix("weights: ") && $0.contains("runs/omniglot_two_output/") })
    }
}
