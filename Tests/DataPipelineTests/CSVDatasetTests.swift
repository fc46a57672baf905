import DataPipeline
import Foundation
import Testing

/// CSV sources through `Dataset`: columns, missing values, normalisation, labels and reuse of the
/// fitted statistics.
@Suite struct CSVDatasetTests {
    /// 10 rows; `b` is missing on line 4 and not a number on line 7; `label` has classes 10, 2, 7.
    static let csv = """
        a,b,label,weight
        1,10,2,0.5
        2,20,10,1.5
        3,,7,2.5
        4,40,2,3.5
        5,50,10,4.5
        6,oops,7,5.5
        7,70,2,6.5
        8,80,10,7.5
        9,90,7,8.5
        10,100,2,9.5

        """

    func load(_ text: String = csv, missing: MissingValues, fields: [FieldConfig], split: SplitConfig = SplitConfig(),
              fitted: DataStatistics? = nil) throws -> Dataset {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        dir.write(text, to: "data/t.csv")
        let config = DataConfig(source: .csv(CSVSource(path: "data/t.csv", missing: missing)), fields: fields, split: split)
        return try Dataset(config: config, dataRoot: dir.path, fitted: fitted)
    }

    func values(_ data: Dataset, _ field: String, _ indices: [Int]? = nil) throws -> [Float] {
        let batch = try data.batch(indices ?? Array(0..<data.count))
        if let floats = batch[field]?.floats { return floats.array }
        return batch[field]!.int32s!.map(Float.init)
    }

    let allFeatures = FieldConfig("x", .features(FeatureField(columns: .allExcept(["weight"]))))
    let label = FieldConfig("y", .label("label"))

    @Test func missingErrorNamesLineAndColumn() {
        let error = dataError { _ = try load(missing: .error, fields: [allFeatures, label]) }
        #expect(error?.message == "line 4, column 'b': missing value (missing: error)")
        #expect(error?.path.hasSuffix("/data/t.csv") == true)
        let text = Self.csv.replacingOccurrences(of: "3,,7", with: "3,30,7")
        #expect(dataError { _ = try load(text, missing: .error, fields: [allFeatures, label]) }?.message
                == "line 7, column 'b': non-numeric value 'oops' (missing: error)")
    }

    @Test func dropLeavesOutIncompleteRows() throws {
        let data = try load(missing: .drop, fields: [allFeatures, label])
        #expect(data.count == 8)
        #expect(try values(data, "x") == [1, 10, 2, 20, 4, 40, 5, 50, 7, 70, 8, 80, 9, 90, 10, 100])
        #expect(data.origin(ofSample: 2).hasSuffix("t.csv:5"))
    }

    @Test func meanImputesFromTheTrainingSplitOnly() throws {
        let split = SplitConfig(test: 0.3, seed: 4)
        let data = try load(missing: .mean, fields: [allFeatures, label], split: split)
        #expect(data.count == 10)
        let b = try values(data, "x").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        let train = data.splits.train
        let known = train.filter { $0 != 2 && $0 != 5 }.map { Double(($0 + 1) * 10) }
        let mean = known.reduce(0, +) / Double(known.count)
        #expect(data.statistics.features["x"]?.imputed == [train.map { Double($0 + 1) }.reduce(0, +) / Double(train.count), mean])
        #expect(b[2] == Float(mean) && b[5] == Float(mean))
    }

    @Test func labelsAndTargetsAreNeverImputed() {
        let text = Self.csv.replacingOccurrences(of: "8,80,10", with: "8,80,")
        #expect(dataError { _ = try load(text, missing: .mean, fields: [allFeatures, label]) }?.message
                == "line 9, column 'label': missing label value, which cannot be imputed (missing: drop leaves such rows out)")
        let target = FieldConfig("w", .target(column: "weight"))
        let bad = Self.csv.replacingOccurrences(of: "9,90,7,8.5", with: "9,90,7,x")
        #expect(dataError { _ = try load(bad, missing: .mean, fields: [target]) }?.message
                == "line 10, column 'weight': non-numeric target value 'x', which cannot be imputed (missing: drop leaves such rows out)")
    }

    @Test func normalisationIsFittedOnTrainingRowsAndAppliedToAll() throws {
        let minmax = FieldConfig("x", .features(FeatureField(columns: .named(["weight", "a"]), normalization: .minmax)))
        let data = try load(missing: .drop, fields: [minmax], split: SplitConfig(test: 0.5, seed: 9))
        let train = data.splits.train, test = data.splits.test
        // `drop` looks only at the columns used, so all ten rows stay.
        #expect(data.count == 10)
        let weight: (Int) -> Double = { Double($0) + 0.5 }
        let lo = train.map(weight).min()!, hi = train.map(weight).max()!
        let stats = try #require(data.statistics.features["x"])
        #expect(stats.columns == ["weight", "a"])
        #expect(stats.shift[0] == lo && stats.scale[0] == hi - lo)
        let x = try values(data, "x")
        for i in train + test { #expect(x[2 * i] == Float((weight(i) - lo) / (hi - lo))) }
        #expect(train.map { x[2 * $0] }.min() == 0 && train.map { x[2 * $0] }.max() == 1)
        #expect(test.contains { x[2 * $0] < 0 || x[2 * $0] > 1 } || test.allSatisfy { (lo...hi).contains(weight($0)) })
    }

    @Test func zscoreUsesThePopulationStd() throws {
        let z = FieldConfig("x", .features(FeatureField(columns: .named(["a"]), normalization: .zscore)))
        let data = try load(missing: .drop, fields: [z])
        let a = (1...10).map(Double.init)
        let mean = a.reduce(0, +) / 10
        let std = (a.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 10).squareRoot()
        #expect(data.statistics.features["x"]?.shift == [mean] && data.statistics.features["x"]?.scale == [std])
        #expect(try values(data, "x") == a.map { Float(($0 - mean) / std) })
    }

    @Test func labelClassesAreSortedByValue() throws {
        let data = try load(missing: .drop, fields: [label, FieldConfig("y1", .onehot("label"))])
        #expect(data.statistics.classes["label"] == ["2", "7", "10"])
        #expect(data.fields == [FieldInfo(name: "y", type: .int32, shape: []), FieldInfo(name: "y1", type: .float32, shape: [3])])
        #expect(try values(data, "y") == [0, 2, 1, 0, 2, 1, 0, 2, 1, 0])
        #expect(try values(data, "y1", [0, 1, 5]) == [1, 0, 0, 0, 0, 1, 0, 1, 0])
    }

    @Test func allExceptLeavesOutLabelsTargetsAndNamedColumns() throws {
        let fields = [FieldConfig("x", .features(FeatureField(columns: .allExcept([])))), FieldConfig("t", .target(column: "weight"))]
        let data = try load(missing: .drop, fields: fields)
        #expect(data.statistics.features["x"]?.columns == ["a", "b", "label"])
        #expect(data.fields[1] == FieldInfo(name: "t", type: .float32, shape: [1]))
        #expect(try values(data, "t", [0, 7]) == [0.5, 9.5])
        #expect(dataError { _ = try load(missing: .drop, fields: [FieldConfig("x", .features(FeatureField(columns: .allExcept(["wieght"]))))]) }?
            .message == "no column 'wieght'; did you mean 'weight'?")
    }

    @Test func wrongFieldKindsAreErrors() {
        #expect(dataError { _ = try load(missing: .drop, fields: [FieldConfig("i", .image(ImageField()))]) }?.message
                == "field 'i' is an image, but names no column of the CSV file with its path")
        #expect(dataError { _ = try load(missing: .drop, fields: [FieldConfig("y", .label("lable"))]) }?.message
                == "no column 'lable'; did you mean 'label'?")
    }

    @Test func fittedStatisticsAreReusedForPrediction() throws {
        let features = FieldConfig("x", .features(FeatureField(columns: .allExcept(["weight"]), normalization: .zscore)))
        let trained = try load(missing: .mean, fields: [features, label], split: SplitConfig(test: 0.2, seed: 1))
        // The statistics survive JSON, as the runner stores them.
        let saved = try JSONDecoder().decode(DataStatistics.self, from: JSONEncoder().encode(trained.statistics))
        #expect(saved == trained.statistics)
        // A prediction file without the label column, columns in another order, one value missing.
        let predict = "weight,b,a\n0,,3\n0,55,100\n"
        let reused = try load(predict, missing: .mean, fields: [features], fitted: saved)
        let stats = saved.features["x"]!
        let expected: [Double] = [3, stats.imputed![1], 100, 55]
        #expect(try values(reused, "x") == expected.enumerated().map { Float(($1 - stats.shift[$0 % 2]) / stats.scale[$0 % 2]) })
        #expect(reused.statistics == saved)
    }

    @Test func unknownClassAtEvaluationIsAnError() throws {
        let trained = try load(missing: .drop, fields: [label])
        let text = "a,b,label,weight\n1,2,3,4\n"
        #expect(dataError { _ = try load(text, missing: .drop, fields: [label], fitted: trained.statistics) }?.message
                == "line 2, column 'label': class '3' of 'label' was not among the 3 classes seen in training")
    }

    @Test func emptyResultsAreErrors() {
        #expect(dataError { _ = try load("a,b,label,weight\n", missing: .drop, fields: [allFeatures]) }?.message == "no data rows below the header")
        #expect(dataError { _ = try load("a,b,label,weight\n1,,2,3\n", missing: .drop, fields: [allFeatures]) }?.message
                == "all 1 rows have a missing value in the columns used (missing: drop)")
    }
}
