/// Loading an image source: labels from the folder levels, the split, and one cache per image
/// field (decoding waits for the batches or `preload`).
extension DatasetParts {
    init(images files: [String], index: ImageFolderIndex?, config: DataConfig, fitted: DataStatistics?) throws(DataError) {
        let path = index?.root ?? files.first ?? "(no files)"
        guard !files.isEmpty else { throw DataError("no image files given", path: path) }
        self.init(count: files.count, splits: DataSplits(train: [], validation: [], test: []), origins: .files(files))
        statistics = fitted ?? DataStatistics()

        var labels: [String: ClassLabels] = [:]
        for (k, level) in (index?.levels ?? []).enumerated() {
            var numbered = ClassLabels(indices: index!.classOfFile[k], names: index!.classNames[k])
            if let names = fitted?.classes[level] { numbered = try numbered.renumbered(as: names, source: level, path: path) }
            labels[level] = numbered
            statistics.classes[level] = numbered.names
        }
        for field in config.fields {
            switch field.kind {
            case .label(let level), .onehot(let level):
                guard labels[level] == nil else { continue }
                guard let levels = index?.levels else {
                    throw DataError("field '\(field.name)' needs the label '\(level)', but image files have no folder levels", path: path)
                }
                let hint = didYouMean(level, among: levels)
                throw DataError("field '\(field.name)': no level '\(level)'\(hint.isEmpty ? "; the levels are \(quotedList(levels))" : hint)", path: path)
            case .features, .target:
                throw DataError("field '\(field.name)' reads CSV columns, but the source is a folder of images", path: path)
            case .image:
                break
            }
        }
        let strata = try Self.strata(for: config.split.stratify, config: config, path: path,
                                     labels: { labels[$0]?.indices }, targets: { _ in nil })
        splits = DataSplits(count: count, config: config.split, strata: strata)

        var firstImage: PixelImage?
        for field in config.fields {
            switch field.kind {
            case .image(let image):
                if image.size == nil && firstImage == nil { firstImage = try PNG.read(files[0], channels: 1, limits: config.imageLimits) }
                let cache = try ImageCache(files: files, field: image, limits: config.imageLimits,
                                           nativeSize: (firstImage?.height ?? 0, firstImage?.width ?? 0), path: path)
                fields.append(FieldInfo(name: field.name, type: .float32, shape: [cache.channels, cache.height, cache.width]))
                stores.append(.images(cache))
            case .label(let level), .onehot(let level):
                addClassField(field.name, labels: labels[level]!, onehot: field.kind == .onehot(level))
            case .features, .target:
                preconditionFailure("rejected above")
            }
        }
    }
}
