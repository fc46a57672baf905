import DataPipeline
import Testing

@Suite struct SplitTests {
    func check(_ s: DataSplits, covers count: Int) {
        #expect((s.train + s.validation + s.test).sorted() == Array(0..<count))
        #expect(s.train == s.train.sorted() && s.validation == s.validation.sorted() && s.test == s.test.sorted())
    }

    @Test func randomSplitsAreDeterministicAndSized() {
        let a = DataSplits(count: 103, config: SplitConfig(test: 0.2, validation: 0.1, seed: 7))
        check(a, covers: 103)
        #expect(a.test.count == 21 && a.validation.count == 10 && a.train.count == 72)  // round(20.6), round(10.3)
        #expect(DataSplits(count: 103, config: SplitConfig(test: 0.2, validation: 0.1, seed: 7)) == a)
        #expect(DataSplits(count: 103, config: SplitConfig(test: 0.2, validation: 0.1, seed: 8)) != a)
    }

    @Test func countsRoundHalvesToEvenAsPython() {
        #expect(DataSplits(count: 10, config: SplitConfig(test: 0.25)).test.count == 2)   // round(2.5) = 2
        #expect(DataSplits(count: 14, config: SplitConfig(test: 0.25)).test.count == 4)   // round(3.5) = 4
        #expect(DataSplits(count: 5, config: SplitConfig()).train == [0, 1, 2, 3, 4])
        #expect(DataSplits(count: 5, config: SplitConfig(test: 1)).test.count == 5)
    }

    @Test func stratifiedSplitsKeepEveryClassProportion() {
        // Classes of 50, 31, 12 and 7 samples, interleaved.
        let sizes = [50, 31, 12, 7]
        var strata: [Int] = [], left = sizes
        while left.contains(where: { $0 > 0 }) {
            for c in left.indices where left[c] > 0 { strata.append(c); left[c] -= 1 }
        }
        let config = SplitConfig(test: 0.25, validation: 0.15, seed: 11)
        let s = DataSplits(count: strata.count, config: config, strata: strata)
        check(s, covers: strata.count)
        #expect(s.test.count == 25 && s.validation.count == 15)
        for (c, n) in sizes.enumerated() {
            let test = s.test.filter { strata[$0] == c }.count
            let validation = s.validation.filter { strata[$0] == c }.count
            #expect(abs(Double(test) - Double(n) * 0.25) < 1, "class \(c): \(test) of \(n) in test")
            #expect(abs(Double(validation) - Double(n) * 0.15) < 1, "class \(c): \(validation) of \(n) in validation")
        }
        #expect(DataSplits(count: strata.count, config: config, strata: strata) == s)
    }

    @Test func stratifyingByAFieldOfTheData() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var text = "x,y\n"
        for i in 0..<40 { text += "\(i),\(i < 10 ? 1 : 0)\n" }
        dir.write(text, to: "d.csv")
        let fields = [FieldConfig("x", .features(FeatureField(columns: .named(["x"])))), FieldConfig("y", .target(column: "y"))]
        let config = DataConfig(source: .csv(CSVSource(path: "d.csv")), fields: fields,
                                split: SplitConfig(test: 0.5, seed: 2, stratify: "y"))
        let data = try Dataset(config: config, dataRoot: dir.path)
        #expect(data.splits.test.filter { $0 < 10 }.count == 5)
        var bad = config
        bad.split.stratify = "x"
        #expect(dataError { _ = try Dataset(config: bad, dataRoot: dir.path) }?.message
                == "cannot stratify by 'x': only a label, onehot or target field has classes")
        bad.split.stratify = "yy"
        #expect(dataError { _ = try Dataset(config: bad, dataRoot: dir.path) }?.message
                == "cannot stratify by 'yy': no such field; did you mean 'y'?")
    }

    @Test func epochOrderDependsOnlyOnSeedAndEpoch() {
        let indices = Array(stride(from: 0, to: 200, by: 2))
        let e3 = epochOrder(indices, seed: 5, epoch: 3)
        #expect(e3.sorted() == indices)
        #expect(epochOrder(indices, seed: 5, epoch: 3) == e3)
        #expect(epochOrder(indices, seed: 5, epoch: 4) != e3)
        #expect(epochOrder(indices, seed: 6, epoch: 3) != e3)
    }
}
