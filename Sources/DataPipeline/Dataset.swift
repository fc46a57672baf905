import Diagnostics

/// The samples a `DataConfig` describes, split, preprocessed and ready to be batched.
///
/// Building one reads the source (the CSV file, or the folder's listing: images are decoded later,
/// by the first batches that need them or by `preload()`), numbers the classes, splits, and fits
/// the features' imputation and normalisation on the training split. Pass the `statistics` of a
/// training run as `fitted` to reuse its class numbering and preprocessing (for `eval` and
/// `predict`) instead of fitting again.
///
/// Thread-safe: batches may be assembled from several threads at once.
public final class Dataset: Sendable {
    public let config: DataConfig
    /// The number of samples (CSV rows left after `missing: drop`, or image files).
    public let count: Int
    /// Each field's name, element type and per-sample shape, in `config.fields` order.
    public let fields: [FieldInfo]
    public let splits: DataSplits
    /// What was fitted: class names and features preprocessing (with `fitted`, that value, kept
    /// whole). Save it with the weights.
    public let statistics: DataStatistics

    let stores: [FieldStore]
    private let origins: SampleOrigins

    /// Reads and prepares the data; relative paths in `config` are taken from `dataRoot`.
    public init(config: DataConfig, dataRoot: String, fitted: DataStatistics? = nil) throws(DataError) {
        if let problem = fitted?.inconsistency {
            throw DataError("the saved statistics to apply to this data are damaged: \(problem)", path: config.source.path(in: dataRoot))
        }
        if let relative = config.source.relativePath, FileSystem.leavesRoot(relative) {
            throw DataError("the path \(excerpt(relative)) leaves the data root \(excerpt(dataRoot)); data paths are relative to it, "
                            + "so give an absolute path to read elsewhere", path: config.source.path(in: dataRoot))
        }
        let parts: DatasetParts
        switch config.source {
        case .csv(let source):
            parts = try DatasetParts(csv: source, path: config.source.path(in: dataRoot), config: config, fitted: fitted)
        case .imageFolder(let source):
            let index = try ImageFolderIndex(scanning: source, root: FileSystem.join(dataRoot, source.root))
            parts = try DatasetParts(images: index.files, index: index, config: config, fitted: fitted)
        case .imageFiles(let paths):
            for path in paths where FileSystem.kind(of: path) != .file {
                throw DataError(FileSystem.kind(of: path) == nil ? "no such file" : "is not a file", path: path)
            }
            parts = try DatasetParts(images: paths, index: nil, config: config, fitted: fitted)
        }
        self.config = config
        count = parts.count
        fields = parts.fields
        splits = parts.splits
        statistics = parts.statistics
        stores = parts.stores
        origins = parts.origins
    }

    /// Where sample `index` came from: `path:line` for a CSV row, the file for an image.
    public func origin(ofSample index: Int) -> String {
        switch origins {
        case .csv(let path, let lines): return "\(path):\(lines[index])"
        case .files(let files): return files[index]
        }
    }

    /// The number of classes of a label source (a CSV column or a folder level), if it has any.
    public func classCount(_ source: String) -> Int? { statistics.classes[source]?.count }

    /// Decodes every image now, on all cores, so that no batch waits for decoding and a corrupt
    /// file is reported before training starts.
    public func preload() throws(DataError) {
        for case .images(let cache, _) in stores { try cache.ensureDecoded(0..<count) }
    }

    /// Bytes of decoded images held in memory.
    public var imageCacheBytes: Int {
        stores.reduce(0) { total, store in
            if case .images(let cache, _) = store { return total + cache.residentBytes }
            return total
        }
    }
}

extension DataSource {
    /// The path the spec gives, when it is relative to the data root.
    var relativePath: String? {
        switch self {
        case .csv(let source): source.path.hasPrefix("/") ? nil : source.path
        case .imageFolder(let source): source.root.hasPrefix("/") ? nil : source.root
        case .imageFiles: nil
        }
    }

    /// The file or folder the source reads, for messages.
    func path(in dataRoot: String) -> String {
        switch self {
        case .csv(let source): FileSystem.join(dataRoot, source.path)
        case .imageFolder(let source): FileSystem.join(dataRoot, source.root)
        case .imageFiles(let paths): paths.first ?? "(no files)"
        }
    }
}

/// A field as batches carry it.
public struct FieldInfo: Sendable, Equatable {
    public enum ElementType: Sendable, Equatable { case float32, int32 }

    public var name: String
    public var type: ElementType
    /// The shape of one sample (`[]` for a class index); a batch adds the batch size in front.
    public var shape: [Int]

    public init(name: String, type: ElementType, shape: [Int]) {
        self.name = name
        self.type = type
        self.shape = shape
    }
}

/// How one field's values are held.
enum FieldStore: Sendable {
    /// `width` Float32s per sample (features, targets).
    case floats(width: Int, values: [Float])
    /// A class index per sample, batched as Int32 indices or as one-hot Float32 rows.
    case classes(values: [Int32], classCount: Int, onehot: Bool)
    /// Decoded images, normalised (if at all) as batches are assembled.
    case images(ImageCache, ImageNormalizer?)
}

enum SampleOrigins: Sendable {
    case csv(path: String, lines: [Int])
    case files([String])
}

/// What the source-specific loaders produce for `Dataset`.
struct DatasetParts {
    var count: Int
    var fields: [FieldInfo] = []
    var stores: [FieldStore] = []
    var splits: DataSplits
    var statistics = DataStatistics()
    var origins: SampleOrigins
}

/// Class indices of one label source, numbered by sorted class name (or as `fitted` numbered
/// them), with the names in index order.
struct ClassLabels {
    var indices: [Int32]
    var names: [String]

    /// Renumbers to the classes of a previous run; a class it did not have is an error, naming the
    /// first sample's line when `lines` (a CSV file's) are given.
    func renumbered(as fitted: [String], source: String, path: String, lines: [Int]? = nil) throws(DataError) -> ClassLabels {
        var position: [String: Int32] = [:]
        for (i, name) in fitted.enumerated() { position[name] = Int32(i) }
        var map = [Int32](repeating: -1, count: names.count)
        for (i, name) in names.enumerated() {
            guard let p = position[name] else {
                let line = lines.flatMap { lines in indices.firstIndex(of: Int32(i)).map { "line \(lines[$0]), column '\(source)': " } } ?? ""
                throw DataError("\(line)class \(excerpt(name)) of '\(source)' was not among the \(fitted.count) classes seen in training", path: path)
            }
            map[i] = p
        }
        return ClassLabels(indices: indices.map { $0 < 0 ? $0 : map[Int($0)] }, names: fitted)
    }
}

extension DatasetParts {
    /// Adds a label or one-hot field over `labels`.
    mutating func addClassField(_ name: String, labels: ClassLabels, onehot: Bool) {
        fields.append(FieldInfo(name: name, type: onehot ? .float32 : .int32, shape: onehot ? [labels.names.count] : []))
        stores.append(.classes(values: labels.indices, classCount: labels.names.count, onehot: onehot))
    }

    /// The strata for a stratified split: the class of each sample in the field named `name`.
    static func strata(for name: String?, config: DataConfig, path: String,
                       labels: (String) -> [Int32]?, targets: (String) -> [Float]?) throws(DataError) -> [Int]? {
        guard let name else { return nil }
        guard let field = config.fields.first(where: { $0.name == name }) else {
            throw DataError("cannot stratify by '\(name)': no such field\(didYouMean(name, among: config.fields.map(\.name)))", path: path)
        }
        switch field.kind {
        case .label(let source), .onehot(let source):
            return labels(source)!.map(Int.init)
        case .target(let column, _):
            var ids: [Float: Int] = [:]
            return targets(column)!.map { value in
                if let id = ids[value] { return id }
                ids[value] = ids.count
                return ids.count - 1
            }
        default:
            throw DataError("cannot stratify by '\(name)': only a label, onehot or target field has classes", path: path)
        }
    }
}
