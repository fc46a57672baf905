import Report
import Testing

/// Axis ticks: nice numbers, labels with the decimals they need, log scales by 1-2-5 or decades.
@Suite struct ScaleTests {
    func labels(_ s: Scale) -> [String] { s.ticks.map(s.label) }

    @Test func linearTicksAreNiceAndCoverTheData() {
        #expect(labels(.linear(0.551, 0.798)) == ["0.55", "0.60", "0.65", "0.70", "0.75", "0.80"])
        #expect(labels(.linear(5.2353, 5.5235)) == ["5.2", "5.3", "5.4", "5.5", "5.6"])
        #expect(labels(.linear(0, 71.5)) == ["0", "20", "40", "60", "80"])
        #expect(labels(.linear(-0.3, 0.2)) == ["-0.3", "-0.2", "-0.1", "0.0", "0.1", "0.2"])
        // A flat series gets a band around it.
        #expect(labels(.linear(7, 7)) == ["6.0", "6.5", "7.0", "7.5", "8.0"])
        #expect(labels(.linear(0, 0)) == ["-1.0", "-0.5", "0.0", "0.5", "1.0"])
        let s = Scale.linear(0.551, 0.798)
        #expect(s.fraction(0.55) == 0 && s.fraction(0.8) == 1)
    }

    @Test func epochTicksAreWholeNumbers() {
        #expect(Scale.integers(1, 15).ticks == [2, 4, 6, 8, 10, 12, 14])
        #expect(Scale.integers(1, 5).ticks == [1, 2, 3, 4, 5])
        #expect(Scale.integers(1, 100).ticks == [20, 40, 60, 80, 100])
        let one = Scale.integers(1, 1)
        #expect(one.ticks == [1] && one.fraction(1) == 0.5)
    }

    @Test func logScalesForValuesSpanningDecades() {
        #expect(labels(.logarithmic(0.05, 2.3)) == ["0.05", "0.1", "0.2", "0.5", "1", "2", "5"])
        #expect(labels(.logarithmic(2e-6, 0.7)) == ["1e-6", "1e-5", "1e-4", "0.001", "0.01", "0.1", "1"])
        #expect(labels(.logarithmic(1e-9, 1e3)) == ["1e-9", "1e-7", "1e-5", "0.001", "0.1", "10", "1000"])
        #expect(Scale.fitting([2.3, 0.9, 0.21], allowLog: true).isLog)   // 11 times
        #expect(!Scale.fitting([2.3, 0.9, 0.3], allowLog: true).isLog)   // less than a decade
        #expect(!Scale.fitting([2.3, 0.01], allowLog: false).isLog)      // a metric
        #expect(!Scale.fitting([2.3, 0], allowLog: true).isLog)          // zero cannot be drawn on a log axis
        // A constant learning rate sits between its 1-2-5 neighbours.
        #expect(labels(.fitting([0.01, 0.01], allowLog: true)) == ["0.005", "0.01", "0.02"])
        let log = Scale.logarithmic(0.1, 10)
        #expect(abs(log.fraction(1) - 0.5) < 1e-12)
    }
}
