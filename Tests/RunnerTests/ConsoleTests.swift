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
            #expect(written.hasSuffix("epoch 1/2  loss 0.5000  train acc 0.750  1.50s\n"))
        }
    }

    static func result(_ split: String, epoch: Int = 2, loss: Double, heads: [(String, Double, [(String, Double)])]) -> EpochResult {
        EpochResult(epoch: epoch, split: split, loss: loss,
                    heads: heads.map { .init(name: $0.0, loss: $0.1, metrics: $0.2.map { (name: $0.0, value: $0.1) }) },
                    samples: 3872, seconds: 4.2, learningRate: 0.01)
    }

    /// Issue 10: epoch lines were 160-190 characters and wrapped mid-number at 80 columns, and a
    /// one-output model printed its loss twice.
    @Test func epochLinesFitTheTerminalAndSayEachNumberOnce() {
        let train = Self.result("train", loss: 3.41234, heads: [("alphabet", 1.2, [("accuracy", 0.61)]), ("character", 2.2, [("accuracy", 0.41)])])
        let test = Self.result("test", loss: 3.50119, heads: [("alphabet", 1.3, [("accuracy", 0.5981)]), ("character", 2.2, [("accuracy", 0.0869)])])
        let line = ConsoleReporter.epochLine(train, heldOut: [test], epochs: 10, elapsed: 12.34, width: 80)
        #expect(line == "epoch  2/10  loss 3.4123/3.5012  alphabet acc 0.598  character acc 0.087  12.3s")
        #expect(line.count <= 80)
        // Narrower: metrics are left out from the last (they are all in metrics.jsonl).
        #expect(ConsoleReporter.epochLine(train, heldOut: [test], epochs: 10, elapsed: 12.34, width: 60)
                == "epoch  2/10  loss 3.4123/3.5012  alphabet acc 0.598  12.3s")
        // One output: its loss is the loss, and its name goes without saying.
        let water = Self.result("train", epoch: 7, loss: 0.67123, heads: [("potability", 0.67123, [("accuracy", 0.6), ("f1", 0.4)])])
        let held = Self.result("test", epoch: 7, loss: 0.66011, heads: [("potability", 0.66011, [("accuracy", 0.6213), ("f1", 0.4122)])])
        #expect(ConsoleReporter.epochLine(water, heldOut: [held], epochs: 100, elapsed: 0.42, width: 100)
                == "epoch   7/100  loss 0.6712/0.6601  acc 0.621 f1 0.412  0.42s")
        // An epoch without evaluation shows the training split's metrics, marked as such.
        #expect(ConsoleReporter.epochLine(water, heldOut: [], epochs: 100, elapsed: 0.42, width: 100)
                == "epoch   7/100  loss 0.6712  train acc 0.600 f1 0.400  0.42s")
    }
}
