import DataPipeline
import Foundation
import Testing

/// The real data in ../shared/data (see its README), when it is there: Omniglot's folder and both
/// water CSVs load as the reference loads them.
@Suite(.enabled(if: sharedDataRoot != nil, "needs ../shared/data"))
struct RealDataTests {
    static let root = sharedDataRoot

    static let omniglot = DataConfig(
        source: .imageFolder(ImageFolderSource(root: "omniglot/images_background", levels: ["alphabet", "character"])),
        fields: [FieldConfig("image", .image(ImageField(channels: 1, size: [64, 64]))),
                 FieldConfig("alphabet", .label("alphabet")), FieldConfig("character", .label("character"))],
        split: SplitConfig(test: 0.2, seed: 1))

    @Test func omniglotScansDecodesAndBatches() throws {
        let data = try Dataset(config: Self.omniglot, dataRoot: Self.root!)
        #expect(data.count == 4840)
        #expect(data.classCount("alphabet") == 8)
        #expect(data.classCount("character") == 242)
        #expect(data.statistics.classes["character"]?.first == "Balinese/character01")
        #expect(data.splits.test.count == 968)
        try data.preload()
        #expect(data.imageCacheBytes == 4840 * 64 * 64 * 4)
        let stream = data.batches(data.splits.train, options: BatchOptions(batchSize: 32, shuffle: true, seed: 0))
        var seen = 0
        while let batch = try stream.next() {
            let pixels = try #require(batch["image"]?.floats).buffer
            #expect(pixels.allSatisfy { $0 >= 0 && $0 <= 1 })
            #expect(batch["image"]?.shape == [batch.count, 1, 64, 64])
            seen += batch.count
        }
        #expect(seen == 3872)
    }

    func water(_ file: String, missing: MissingValues, normalization: Normalization = .none) throws -> Dataset {
        let fields = [FieldConfig("features", .features(FeatureField(columns: .allExcept([]), normalization: normalization))),
                      FieldConfig("potability", .target(column: "Potability"))]
        let config = DataConfig(source: .csv(CSVSource(path: "water/\(file)", missing: missing)), fields: fields,
                                split: SplitConfig(test: 0.2, seed: 1, stratify: "potability"))
        return try Dataset(config: config, dataRoot: Self.root!)
    }

    @Test func waterCSVsLoad() throws {
        let normalised = try water("water_normalized.csv", missing: .error)
        #expect(normalised.count == 1508)
        #expect(normalised.fields[0].shape == [9])
        #expect(try water("water_potability.csv", missing: .drop).count == 2011)
        let imputed = try water("water_potability.csv", missing: .mean, normalization: .zscore)
        #expect(imputed.count == 3276)
        #expect(imputed.statistics.features["features"]?.columns.first == "ph")
        let error = dataError { _ = try water("water_potability.csv", missing: .error) }
        #expect(error?.message == "line 2, column 'ph': missing value (missing: error)")
    }
}

/// ../shared/data next to the repository, if present.
private let sharedDataRoot: String? = {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("../shared/data").standardized.path
    return FileManager.default.fileExists(atPath: path + "/README.md") ? path : nil
}()
