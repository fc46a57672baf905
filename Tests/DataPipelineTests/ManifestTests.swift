import DataPipeline
import Foundation
import Kernels
import Testing

/// A CSV file that lists images (a manifest), category columns, normalised targets, images
/// normalised with statistics fitted on the training split, and augmented training batches.
@Suite struct ManifestTests {
    /// `data/manifest.csv` over 12 RGB 16x16 images in `data/img/` (PNG, and one JPEG from the
    /// JPEG goldens), with a label, a float target, and a category column whose value `Oslo`
    /// appears in one row only.
    struct Manifest {
        let dir = TemporaryDirectory()
        let rows = 12
        var csv: String { dir.file("data/manifest.csv") }
        static let jpeg = loadGolden("jpeg_decode", as: JPEGDecodeTests.File.self).cases.first { $0.name == "rgb_444_16x16" }!

        init() throws {
            dir.makeFolder("data/img")
            var lines = ["file,shape,weight,city"]
            for r in 0..<rows {
                let file = r == 5 ? "img/photo.jpg" : "img/\(r).png"
                if r == 5 {
                    dir.write(Self.jpeg.bytes, to: "data/\(file)")
                } else {
                    try PNG.write(testImage(width: 16, height: 16, channels: 3, seed: r), to: dir.file("data/\(file)"))
                }
                let city = r == 7 ? "Oslo" : ["Lima", "Pune", "Kyiv"][r % 3]
                lines.append("\(file),\(["round", "square"][r % 2]),\(100 + 10 * r),\(city)")
            }
            dir.write(lines.joined(separator: "\n") + "\n", to: "data/manifest.csv")
        }

        func config(_ fields: [FieldConfig], test: Double = 0.25, augmentation: [ImageTransform] = []) -> DataConfig {
            DataConfig(source: .csv(CSVSource(path: "manifest.csv")), fields: fields, split: SplitConfig(test: test, seed: 3),
                       augmentation: augmentation)
        }

        func load(_ fields: [FieldConfig], test: Double = 0.25, augmentation: [ImageTransform] = [],
                  fitted: DataStatistics? = nil) throws -> Dataset {
            try Dataset(config: config(fields, test: test, augmentation: augmentation), dataRoot: dir.file("data"), fitted: fitted)
        }
    }

    static let image = FieldConfig("image", .image(ImageField(channels: 3, column: "file")))

    @Test func imagesAreReadFromTheFilesTheRowsName() throws {
        let m = try Manifest()
        defer { m.dir.remove() }
        let data = try m.load([Self.image, FieldConfig("shape", .label("shape")), FieldConfig("w", .target(column: "weight"))])
        #expect(data.fields.map(\.shape) == [[3, 16, 16], [], [1]])
        let batch = try data.batch([0, 5])
        let pixels = try #require(batch["image"]?.floats?.array)
        // Row 0 is the PNG written from testImage; row 5 is the JPEG, decoded as PIL decodes it.
        let png = testImage(width: 16, height: 16, channels: 3, seed: 0)
        #expect(Array(pixels[0..<3]) == [0, 1, 2].map { x in Float(png.pixels[x * 3]) / 255 })
        let jpeg = try JPEG.decode(Manifest.jpeg.bytes, channels: 3, path: "photo.jpg")
        #expect(pixels[768] == Float(jpeg.pixels[0]) / 255 && pixels[768 + 256] == Float(jpeg.pixels[1]) / 255)
        #expect(batch["shape"]?.int32s == [0, 1])
        #expect(data.origin(ofSample: 5) == m.csv + ":7")
    }

    @Test func aMissingImageIsReportedWithItsLine() throws {
        let m = try Manifest()
        defer { m.dir.remove() }
        try FileManager.default.removeItem(atPath: m.dir.file("data/img/3.png"))
        #expect(dataError { _ = try m.load([Self.image]) }
                == DataError("line 5, column 'file': no such image file 'img/3.png' (image paths are relative to the CSV file's folder)", path: m.csv))
        let noColumn = FieldConfig("image", .image(ImageField(channels: 3)))
        #expect(dataError { _ = try m.load([noColumn]) }
                == DataError("field 'image' is an image, but names no column of the CSV file with its path", path: m.csv))
    }

    @Test func categoriesAreNumberedByTheTrainingSplit() throws {
        let m = try Manifest()
        defer { m.dir.remove() }
        let strict = FieldConfig("city", .category(CategoryField(columns: ["city"])))
        let open = FieldConfig("city", .category(CategoryField(columns: ["city"], unknown: .index)))
        // Which split row 7 (the only Oslo) lands in decides whether the test split meets an unseen value.
        let probe = try m.load([open])
        let osloInTraining = probe.splits.train.contains(7)
        let vocabulary = try #require(probe.statistics.categories["city"])
        #expect(vocabulary.values == (osloInTraining ? ["Kyiv", "Lima", "Oslo", "Pune"] : ["Kyiv", "Lima", "Pune"]))
        #expect(vocabulary.count == vocabulary.values.count + 1)
        let all = try probe.batch(Array(0..<m.rows))["city"]!.floats!.array
        #expect(all[0] == Float(vocabulary.values.firstIndex(of: "Lima")! + 1))
        #expect(all[7] == (osloInTraining ? 3 : 0))
        if !osloInTraining {
            #expect(dataError { _ = try m.load([strict]) }?.message
                    == "line 9, column 'city': 'Oslo' is not among the 3 values of the training split (unknown: error; `unknown: index` maps unseen values to index 0)")
        }
        // Evaluation with the saved vocabulary numbers values as training did, whatever its own split.
        let saved = try JSONDecoder().decode(DataStatistics.self, from: JSONEncoder().encode(probe.statistics))
        let again = try m.load([open], test: 0.5, fitted: saved)
        #expect(try again.batch(Array(0..<m.rows))["city"]!.floats!.array == all)
    }

    @Test func targetsAreNormalisedWithTrainingStatistics() throws {
        let m = try Manifest()
        defer { m.dir.remove() }
        let data = try m.load([FieldConfig("w", .target(column: "weight", normalization: .zscore))])
        let stats = try #require(data.statistics.targets["w"])
        let train = data.splits.train.map { Double(100 + 10 * $0) }
        let mean = train.reduce(0, +) / Double(train.count)
        let std = (train.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(train.count)).squareRoot()
        #expect(abs(stats.shift[0] - mean) < 1e-9 && abs(stats.scale[0] - std) < 1e-9)
        #expect(data.statistics.targetScaling(of: "w") == stats)
        let values = try data.batch(Array(0..<m.rows))["w"]!.floats!.array
        for r in 0..<m.rows { #expect(abs(Double(values[r]) - (Double(100 + 10 * r) - mean) / std) < 1e-6) }
        // Statistics saved before targets were normalised still read, with nothing to undo.
        let old = try JSONDecoder().decode(DataStatistics.self, from: Data(#"{"classes": {}, "features": {}}"#.utf8))
        #expect(old == DataStatistics() && old.targetScaling(of: "w") == nil)
        #expect(dataError { _ = try m.load([FieldConfig("w", .target(column: "weight", normalization: .zscore))], fitted: old) }?.message
                == "target field 'w' is normalised (zscore), but the saved statistics have no normalisation for it: were the weights trained with another spec?")
    }

    @Test func imagesAreNormalisedPerChannelWithTrainingStatistics() throws {
        let m = try Manifest()
        defer { m.dir.remove() }
        let zscore = FieldConfig("image", .image(ImageField(channels: 3, normalization: .zscore, column: "file")))
        let data = try m.load([zscore])
        let stats = try #require(data.statistics.images["image"])
        #expect(stats.shift.count == 3 && stats.normalization == .zscore)
        // Over the training split's pixels each channel now has mean 0 and deviation 1.
        let train = try data.batch(data.splits.train)["image"]!.floats!.array
        let plane = 256
        for c in 0..<3 {
            var values: [Double] = []
            for s in 0..<data.splits.train.count { values += train[(s * 768 + c * plane)..<(s * 768 + (c + 1) * plane)].map(Double.init) }
            let mean = values.reduce(0, +) / Double(values.count)
            let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
            #expect(abs(mean) < 1e-5 && abs(sd - 1) < 1e-5, "channel \(c): mean \(mean), deviation \(sd)")
        }
        // As torchvision's Normalize with those numbers: (x - mean) / std in Float32.
        let raw = try m.load([Self.image]).batch([0])["image"]!.floats!.array
        let normalised = try data.batch([0])["image"]!.floats!.array
        #expect(normalised[0] == (raw[0] - Float(stats.shift[0])) / Float(stats.scale[0]))
        // Evaluation and prediction reuse the statistics instead of fitting their own images.
        let reused = try m.load([zscore], test: 0.5, fitted: data.statistics)
        #expect(reused.statistics.images == data.statistics.images)
        #expect(try reused.batch([0])["image"]!.floats!.array == normalised)
    }

    static let transforms: [ImageTransform] = [
        .randomCrop(RandomCrop(padding: [2, 2, 2, 2])), .horizontalFlip(p: 0.5),
        .randomAffine(RandomAffine(degrees: [-10, 10], translate: [0.1, 0.1], interpolation: .bilinear)),
        .colorJitter(ColorJitter(brightness: [0.8, 1.2], contrast: [0.8, 1.2])), .randomErasing(RandomErasing(p: 0.5)),
    ]

    /// The same seed and epoch give the same batch, however the samples are grouped into batches
    /// or threads; another epoch or seed gives other draws; without a draw nothing changes.
    @Test func augmentationIsReproducible() throws {
        let m = try Manifest()
        defer { m.dir.remove() }
        let data = try m.load([Self.image], augmentation: Self.transforms)
        let indices = Array(0..<m.rows)
        let draw = AugmentationDraw(seed: 7, epoch: 2)
        let a = try data.batch(indices, augmentation: draw)["image"]!.floats!.array
        #expect(try data.batch(indices, augmentation: draw)["image"]!.floats!.array == a)
        let alone = try data.batch([4], augmentation: draw)["image"]!.floats!.array
        #expect(alone == Array(a[(4 * 768)..<(5 * 768)]))
        #expect(try data.batch(indices, augmentation: AugmentationDraw(seed: 7, epoch: 3))["image"]!.floats!.array != a)
        #expect(try data.batch(indices, augmentation: AugmentationDraw(seed: 8, epoch: 2))["image"]!.floats!.array != a)
        let plain = try data.batch(indices)["image"]!.floats!.array
        #expect(plain == (try m.load([Self.image]).batch(indices)["image"]!.floats!.array))
        #expect(plain != a)
        // A stream with a prefetching thread gives the batches the caller would assemble.
        for prefetch in [0, 2] {
            let stream = data.batches(indices, epoch: 2, options: BatchOptions(batchSize: 5, shuffle: true, seed: 7, prefetch: prefetch, augment: true))
            var streamed: [Float] = [], order: [Int] = []
            while let batch = try stream.next() {
                streamed += batch["image"]!.floats!.array
                order += batch.indices
            }
            #expect(streamed == (try data.batch(order, augmentation: draw)["image"]!.floats!.array))
        }
    }
}
