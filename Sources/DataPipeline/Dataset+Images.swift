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
            case .features, .target, .category:
                throw DataError("field '\(field.name)' reads CSV columns, but the source is a folder of images", path: path)
            case .image:
                break
            }
        }
        let strata = try Self.strata(for: config.split.stratify, config: config, path: path,
                                     labels: { labels[$0]?.indices }, targets: { _ in nil })
        splits = DataSplits(count: count, config: config.split, strata: strata)

        for field in config.fields {
            switch field.kind {
            case .image(let image):
                try addImageField(field.name, image, files: files, limits: config.imageLimits, path: path, fitted: fitted)
            case .label(let level), .onehot(let level):
                addClassField(field.name, labels: labels[level]!, onehot: field.kind == .onehot(level))
            case .features, .target, .category:
                preconditionFailure("rejected above")
            }
        }
    }

    /// Adds an image field over `files` (one per sample): its cache, and its normalisation, given
    /// by the field, reused from `fitted`, or fitted now on the training split's images (which
    /// decodes them).
    mutating func addImageField(_ name: String, _ image: ImageField, files: [String], limits: ImageLimits, path: String,
                                fitted: DataStatistics?) throws(DataError) {
        var nativeSize = (height: 0, width: 0)
        if image.size == nil {
            let first = try ImageFile.read(files[0], channels: 1, limits: limits)
            nativeSize = (first.height, first.width)
        }
        let cache = try ImageCache(files: files, field: image, limits: limits, nativeSize: nativeSize, path: path)
        var normalizer: ImageNormalizer?
        if let mean = image.mean, let std = image.std {
            normalizer = ImageNormalizer(mean: mean, std: std)
        } else if image.normalization != .none {
            let stats: FeatureStatistics
            if let fitted {
                guard let saved = fitted.images[name], saved.shift.count == image.channels else {
                    throw DataError("image field '\(name)' is normalised (\(image.normalization.rawValue)), but the saved statistics have no "
                                    + "\(image.channels)-channel normalisation for it: were the weights trained with another spec?", path: path)
                }
                stats = saved
            } else {
                try cache.ensureDecoded(splits.train)
                stats = cache.channelStatistics(splits.train, normalization: image.normalization)
            }
            statistics.images[name] = stats
            normalizer = ImageNormalizer(mean: stats.shift.map(Float.init), std: stats.scale.map(Float.init))
        }
        fields.append(FieldInfo(name: name, type: .float32, shape: [cache.channels, cache.height, cache.width]))
        stores.append(.images(cache, normalizer))
    }
}
