import DataPipeline
import Testing

/// Epoch order, batching as PyTorch's DataLoader does by default, and the background prefetch.
@Suite struct BatchStreamTests {
    /// 10 CSV rows whose feature is the row number and whose label is the row number mod 3.
    func tableData(_ dir: TemporaryDirectory) throws -> Dataset {
        var text = "n,c\n"
        for i in 0..<10 { text += "\(i),\(i % 3)\n" }
        dir.write(text, to: "t.csv")
        let fields = [FieldConfig("n", .features(FeatureField(columns: .named(["n"])))), FieldConfig("c", .label("c"))]
        return try Dataset(config: DataConfig(source: .csv(CSVSource(path: "t.csv")), fields: fields), dataRoot: dir.path)
    }

    func drain(_ stream: BatchStream) throws -> [Batch] {
        var batches: [Batch] = []
        while let b = try stream.next() { batches.append(b) }
        return batches
    }

    @Test func lastPartialBatchIsKeptUnlessDropped() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = try tableData(dir)
        for prefetch in [0, 1, 2] {
            let stream = data.batches(Array(0..<10), options: BatchOptions(batchSize: 4, prefetch: prefetch))
            #expect(stream.batchCount == 3)
            let batches = try drain(stream)
            #expect(batches.map(\.indices) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
            #expect(batches[2]["n"]?.shape == [2, 1] && batches[2]["n"]?.floats?.array == [8, 9])
            #expect(batches[2]["c"]?.shape == [2] && batches[2]["c"]?.int32s == [2, 0])
            #expect(try stream.next()?.indices == nil)
            let dropped = try drain(data.batches(Array(0..<10), options: BatchOptions(batchSize: 4, dropLast: true, prefetch: prefetch)))
            #expect(dropped.map(\.count) == [4, 4])
        }
    }

    /// Three processes of a data-parallel job each read a contiguous share of every batch of the
    /// same shuffled epoch: together, the one process's batches; a batch smaller than the job
    /// leaves a share empty.
    @Test func sharesOfEveryBatchMakeTheWholeBatch() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = try tableData(dir)
        let whole = try drain(data.batches(Array(0..<10), epoch: 1, options: BatchOptions(batchSize: 4, shuffle: true, seed: 9)))
        var shares: [[Batch]] = []
        for prefetch in [0, 2] {
            shares = try (0..<3).map { index in
                let stream = data.batches(Array(0..<10), epoch: 1, options: BatchOptions(
                    batchSize: 4, shuffle: true, seed: 9, prefetch: prefetch, shard: Shard(index: index, count: 3)))
                #expect(stream.batchCount == 3)
                #expect((0..<3).map { stream.share(ofBatch: $0).batchRows } == [4, 4, 2])
                return try drain(stream)
            }
            for b in 0..<3 { #expect(shares.flatMap { $0[b].indices } == whole[b].indices, "batch \(b)") }
        }
        #expect(shares.map { $0.map(\.count) } == [[1, 1, 0], [1, 1, 1], [2, 2, 1]])
        #expect(shares[0][2]["n"]?.shape == [0, 1])
        #expect(Shard(index: 2, count: 3).rows(of: 4) == 2..<4)
    }

    @Test func shuffledEpochsFollowEpochOrder() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = try tableData(dir)
        let train = [0, 2, 3, 5, 7, 8, 9]
        for epoch in 0..<3 {
            let options = BatchOptions(batchSize: 3, shuffle: true, seed: 42)
            let stream = data.batches(train, epoch: epoch, options: options)
            let order = epochOrder(train, seed: 42, epoch: epoch)
            #expect(stream.order == order)
            let batches = try drain(stream)
            #expect(batches.flatMap(\.indices) == order)
            #expect(batches.flatMap { $0["n"]!.floats!.array } == order.map(Float.init))
        }
    }

    @Test func prefetchedImageBatchesEqualDirectOnes() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        writeImageFolder(dir, root: "im", [("a", "x", 7), ("b", "y", 6)], size: 11)
        let config = DataConfig(source: .imageFolder(ImageFolderSource(root: "im", levels: ["g", "h"])),
                                fields: [FieldConfig("image", .image(ImageField(size: [6, 6]))), FieldConfig("g", .label("g"))])
        let lazy = try Dataset(config: config, dataRoot: dir.path)
        let eager = try Dataset(config: config, dataRoot: dir.path)
        try eager.preload()
        let options = BatchOptions(batchSize: 5, shuffle: true, seed: 1, prefetch: 2)
        let prefetched = try drain(lazy.batches(Array(0..<13), epoch: 2, options: options))
        var direct = options
        direct.prefetch = 0
        let assembled = try drain(eager.batches(Array(0..<13), epoch: 2, options: direct))
        #expect(prefetched.map(\.indices) == assembled.map(\.indices))
        for (p, d) in zip(prefetched, assembled) {
            #expect(p["image"]?.floats?.array == d["image"]?.floats?.array)
            #expect(p["g"]?.int32s == d["g"]?.int32s)
        }
        #expect(lazy.imageCacheBytes == eager.imageCacheBytes)
    }

    @Test func stoppingEndsTheStream() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = try tableData(dir)
        let stream = data.batches(Array(0..<10), options: BatchOptions(batchSize: 1, prefetch: 2))
        #expect(try stream.next()?.indices == [0])
        stream.stop()
        stream.stop()
        #expect(try stream.next()?.indices == nil)
        // Abandoning a stream part-way must not leave its thread waiting forever.
        for _ in 0..<20 { _ = try data.batches(Array(0..<10), options: BatchOptions(batchSize: 1, prefetch: 1)).next() }
    }

    @Test func aFailureArrivesAfterTheGoodBatchesAndEndsTheStream() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        writeImageFolder(dir, root: "im", [("a", "x", 6)])
        let bad = dir.write(Array("not a png".utf8), to: "im/a/x/03.png")
        let config = DataConfig(source: .imageFolder(ImageFolderSource(root: "im", levels: ["g", "h"])),
                                fields: [FieldConfig("image", .image(ImageField()))])
        let data = try Dataset(config: config, dataRoot: dir.path)
        for prefetch in [0, 2] {
            let stream = data.batches(Array(0..<6), options: BatchOptions(batchSize: 2, prefetch: prefetch))
            #expect(try stream.next()?.indices == [0, 1])
            #expect(dataError { _ = try stream.next() } == DataError("not a PNG or JPEG file", path: bad))
            #expect(try stream.next()?.indices == nil)
        }
    }
}
