import DataPipeline
import Testing

/// Image-folder sources: class numbering from the levels, errors about the folder, and the
/// decoded, resized, cached pixels.
@Suite struct ImageFolderTests {
    static let levels = ["alphabet", "character"]
    let folder = DataSource.imageFolder(ImageFolderSource(root: "images", levels: levels))

    /// Two alphabets that reuse the character folder names, as Omniglot does.
    func makeFolder(_ dir: TemporaryDirectory) {
        writeImageFolder(dir, root: "images", [("Beta", "character02", 2), ("Beta", "character01", 3),
                                               ("Alpha", "character01", 1), ("Alpha", "character03", 2)])
    }

    func dataset(_ dir: TemporaryDirectory, _ fields: [FieldConfig], source: DataSource? = nil,
                 fitted: DataStatistics? = nil) throws -> Dataset {
        try Dataset(config: DataConfig(source: source ?? folder, fields: fields), dataRoot: dir.path, fitted: fitted)
    }

    @Test func charactersAreNumberedAsPairsInSortedOrder() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        makeFolder(dir)
        dir.write("not an image", to: "images/Alpha/character01/notes.txt")
        dir.write("hidden", to: "images/Alpha/.DS_Store")
        dir.makeFolder("images/Alpha/character04")  // empty: still a class, as in the reference
        let data = try dataset(dir, [FieldConfig("alphabet", .label("alphabet")), FieldConfig("character", .label("character")),
                                     FieldConfig("onehot", .onehot("alphabet"))])
        #expect(data.count == 8)
        #expect(data.statistics.classes["alphabet"] == ["Alpha", "Beta"])
        #expect(data.statistics.classes["character"]
                == ["Alpha/character01", "Alpha/character03", "Alpha/character04", "Beta/character01", "Beta/character02"])
        #expect(data.classCount("character") == 5)
        #expect(data.origin(ofSample: 0) == dir.file("images/Alpha/character01/00.png"))
        #expect(data.origin(ofSample: 7) == dir.file("images/Beta/character02/01.png"))
        let batch = try data.batch(Array(0..<8))
        #expect(batch["alphabet"]?.int32s == [0, 0, 0, 1, 1, 1, 1, 1])
        #expect(batch["character"]?.int32s == [0, 1, 1, 3, 3, 3, 4, 4])
        #expect(batch["onehot"]?.shape == [8, 2])
        #expect(batch["onehot"]?.floats?.array == [1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1])
    }

    @Test func extensionsMatchIgnoringCase() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let image = try PNG.encode(testImage(width: 4, height: 4, seed: 0))
        dir.write(image, to: "images/a/b/one.PNG")
        dir.write(image, to: "images/a/b/two.png")
        dir.write(image, to: "images/a/b/three.img")
        let png = try dataset(dir, [])
        #expect(png.count == 2)
        let custom = DataSource.imageFolder(ImageFolderSource(root: "images", levels: Self.levels, extensions: [".img", "png"]))
        #expect(try dataset(dir, [], source: custom).count == 3)
    }

    @Test func folderProblemsAreErrorsNamingThePath() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let root = dir.file("images")
        #expect(dataError { _ = try dataset(dir, []) } == DataError("no such folder", path: root))
        dir.write("x", to: "images")
        #expect(dataError { _ = try dataset(dir, []) } == DataError("is a file, expected a folder of images", path: root))
        dir.remove()
        dir.makeFolder("images")
        #expect(dataError { _ = try dataset(dir, []) } == DataError("empty folder", path: root))
        dir.write(try PNG.encode(testImage(width: 4, height: 4, seed: 0)), to: "images/a/x.png")
        #expect(dataError { _ = try dataset(dir, []) }
                == DataError("no images at depth 2 (<alphabet>/<character>/*.png); found 1 at depth 1: check the levels", path: root))
    }

    @Test func labelFieldsMustNameALevel() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        makeFolder(dir)
        #expect(dataError { _ = try dataset(dir, [FieldConfig("a", .label("alphabett"))]) }?.message
                == "field 'a': no level 'alphabett'; did you mean 'alphabet'?")
        #expect(dataError { _ = try dataset(dir, [FieldConfig("x", .features(FeatureField(columns: .allExcept([]))))]) }?.message
                == "field 'x' reads CSV columns, but the source is a folder of images")
        let files = DataSource.imageFiles([dir.file("images/Beta/character01/00.png")])
        #expect(dataError { _ = try dataset(dir, [FieldConfig("a", .label("alphabet"))], source: files) }?.message
                == "field 'a' needs the label 'alphabet', but image files have no folder levels")
        #expect(dataError { _ = try dataset(dir, [], source: .imageFiles([dir.file("nope.png")])) }
                == DataError("no such file", path: dir.file("nope.png")))
    }

    @Test func fittedClassesKeepTheirNumbers() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        makeFolder(dir)
        let trained = try dataset(dir, [FieldConfig("c", .label("character"))])
        // An evaluation folder with only some of the classes keeps the training numbers.
        let eval = TemporaryDirectory()
        defer { eval.remove() }
        writeImageFolder(eval, root: "images", [("Beta", "character02", 1)])
        let reused = try dataset(eval, [FieldConfig("c", .label("character"))], fitted: trained.statistics)
        #expect(try reused.batch([0])["c"]?.int32s == [3])
        writeImageFolder(eval, root: "images", [("Gamma", "character01", 1)])
        #expect(dataError { _ = try dataset(eval, [FieldConfig("c", .label("alphabet"))], fitted: trained.statistics) }?.message
                == "class 'Gamma' of 'alphabet' was not among the 2 classes seen in training")
    }

    @Test func explicitFilesServePrediction() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let a = dir.write(try PNG.encode(testImage(width: 8, height: 8, channels: 3, seed: 1)), to: "a.png")
        let b = dir.write(try PNG.encode(testImage(width: 5, height: 9, seed: 2), bitDepth: .one), to: "b.png")
        let data = try dataset(dir, [FieldConfig("image", .image(ImageField(channels: 1, size: [4, 4])))], source: .imageFiles([b, a]))
        #expect(data.count == 2 && data.splits.train == [0, 1])
        #expect(data.origin(ofSample: 1) == a)
        #expect(try data.batch([0, 1])["image"]?.shape == [2, 1, 4, 4])
    }

    @Test func imagesWithoutResizeAreCachedAsBytes() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        writeImageFolder(dir, root: "images", [("a", "b", 3)], size: 9, bitDepth: .eight)
        let data = try dataset(dir, [FieldConfig("image", .image(ImageField(channels: 3)))])
        #expect(data.fields == [FieldInfo(name: "image", type: .float32, shape: [3, 9, 9])])
        #expect(data.imageCacheBytes == 0)
        let batch = try data.batch([2, 0])
        #expect(data.imageCacheBytes == 2 * 3 * 81)  // bytes, only the two decoded
        let expected = [2, 0].flatMap { seed -> [Float] in
            let grey = testImage(width: 9, height: 9, seed: seed).pixels.map { Float($0) / 255 }
            return grey + grey + grey  // grey replicated into R, G and B planes
        }
        #expect(batch["image"]?.shape == [2, 3, 9, 9])
        #expect(batch["image"]?.floats?.array == expected)
        try data.preload()
        #expect(data.imageCacheBytes == 3 * 3 * 81)
    }

    @Test func resizedAndNormalisedImagesAreCachedAsFloats() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        writeImageFolder(dir, root: "images", [("a", "b", 2)], size: 9, bitDepth: .eight)
        let field = ImageField(channels: 1, size: [5, 4], mean: [0.5], std: [0.25])
        let data = try dataset(dir, [FieldConfig("image", .image(field))])
        try data.preload()
        #expect(data.imageCacheBytes == 2 * 5 * 4 * 4)
        let unit = testImage(width: 9, height: 9, seed: 1).pixels.map { Float($0) / 255 }
        let resized = Resize.bilinearAntialiased(unit, channels: 1, height: 9, width: 9, outHeight: 5, outWidth: 4)
        #expect(try data.batch([1])["image"]?.floats?.array == resized.map { ($0 - 0.5) / 0.25 })
    }

    @Test func mixedSizesNeedAResize() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try PNG.write(testImage(width: 6, height: 6, seed: 0), to: { dir.makeFolder("images/a/b"); return dir.file("images/a/b/0.png") }())
        try PNG.write(testImage(width: 7, height: 6, seed: 0), to: dir.file("images/a/b/1.png"))
        let data = try dataset(dir, [FieldConfig("image", .image(ImageField()))])
        #expect(dataError { _ = try data.batch([0, 1]) }
                == DataError("image is 7x6 but the first image is 6x6; give the image field a size to resize them all",
                             path: dir.file("images/a/b/1.png")))
        let resized = try dataset(dir, [FieldConfig("image", .image(ImageField(size: [6, 6])))])
        #expect(try resized.batch([0, 1])["image"]?.shape == [2, 1, 6, 6])
    }

    @Test func aCorruptImageFailsItsBatchNamingTheFile() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        writeImageFolder(dir, root: "images", [("a", "b", 4)])
        let bad = dir.write(Array(try PNG.encode(testImage(width: 9, height: 9, seed: 0)).prefix(40)), to: "images/a/b/02.png")
        let data = try dataset(dir, [FieldConfig("image", .image(ImageField()))])
        #expect(try data.batch([0, 1])["image"] != nil)
        #expect(dataError { _ = try data.batch([3, 2, 1]) } == DataError("corrupt PNG: file is truncated", path: bad))
        #expect(dataError { try data.preload() }?.path == bad)
        #expect(data.imageCacheBytes == 3 * 81)  // the good ones stay cached
    }
}
