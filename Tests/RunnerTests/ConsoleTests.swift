import Runner
import Testing

@Suite struct ConsoleTests {
    @Test func durations() {
        #expect(DurationText.format(0.4213) == "0.42s")
        #expect(DurationText.format(12.34) == "12.3s")
        #expect(DurationText.format(245) == "4m05s")
        #expect(DurationText.format(7385) == "2h03m")
        #expect(DurationText.format(.nan) == "?")
    }

    @Test func barThrottlesAndShowsETA() {
        var bar = ProgressBar(width: 10, interval: 0.1, now: 0)
        #expect(bar.line(label: "epoch 1", done: 5, total: 20, now: 1) == "\r\u{1B}[2Kepoch 1 [==>       ] 5/20 eta 3.00s")
        #expect(bar.line(label: "epoch 1", done: 6, total: 20, now: 1.05) == nil, "redraws at most every 0.1 s")
        #expect(bar.line(label: "epoch 1", done: 20, total: 20, now: 1.06) == "\r\u{1B}[2Kepoch 1 [==========] 20/20 1.06s")
        #expect(bar.line(label: "get", done: 1024, total: nil, unit: " B", now: 2) == "\r\u{1B}[2Kget 1024 B 2.00s")
    }

    /// A terminal gets a redrawn bar and the epoch line over it; a pipe gets only plain lines.
    @Test func reporterDrawsABarOnlyOnATerminal() {
        let train = EpochResult(epoch: 1, split: "train", loss: 0.5, heads: [.init(name: "y", loss: 0.5, metrics: [(name: "accuracy", value: 0.75)])],
                                samples: 100, seconds: 0.5, learningRate: 0.1)
        for live in [true, false] {
            var written = ""
            let reporter = ConsoleReporter(live: live) { written += $0 }
            reporter.batchFinished(epoch: 1, epochs: 2, batch: 1, batches: 4, loss: 0.7)
            reporter.epochFinished(train, heldOut: [], epochs: 2, elapsed: 1.5)
            #expect(written.contains("\r") == live)
            #expect(written.hasSuffix("epoch 1/2  train loss 0.5000 (y 0.5000 accuracy 0.7500)  200 samples/s  1.50s\n"))
        }
    }
}
