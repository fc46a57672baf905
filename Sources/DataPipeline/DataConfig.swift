/// What a spec's `data:` section says, as plain values: the runner maps the typed spec onto these,
/// so the pipeline does not depend on the front end.
///
/// Paths are relative to the data root given to `Dataset` (absolute paths are used as they are).
public struct DataConfig: Sendable, Equatable {
    public var source: DataSource
    /// The fields each sample provides, in the order batches list them.
    public var fields: [FieldConfig]
    public var split: SplitConfig
    /// How large an image may be decoded.
    public var imageLimits: ImageLimits
    /// Random transforms of every image field, in order, for batches that ask for augmentation
    /// (the training split's).
    public var augmentation: [ImageTransform]

    public init(source: DataSource, fields: [FieldConfig], split: SplitConfig = SplitConfig(), imageLimits: ImageLimits = .standard,
                augmentation: [ImageTransform] = []) {
        self.source = source
        self.fields = fields
        self.split = split
        self.imageLimits = imageLimits
        self.augmentation = augmentation
    }
}

/// Where samples come from.
public enum DataSource: Sendable, Equatable {
    /// `csv: {path}`: one sample per data row; image fields read the file a column names,
    /// relative to the CSV file's folder.
    case csv(CSVSource)
    /// `image_folder: {root, levels, extensions}`: one sample per image file.
    case imageFolder(ImageFolderSource)
    /// Explicit image files, for `predict`: no levels, so no labels. Paths are used as given.
    case imageFiles([String])
}

/// A CSV file with a header row naming the columns.
public struct CSVSource: Sendable, Equatable {
    public var path: String
    /// What to do with a missing or non-numeric value in a numeric column.
    public var missing: MissingValues
    /// The byte between cells: `,` by default, `;` or a tab in other dialects.
    public var delimiter: UInt8

    public init(path: String, missing: MissingValues = .error, delimiter: UInt8 = UInt8(ascii: ",")) {
        self.path = path
        self.missing = missing
        self.delimiter = delimiter
    }
}

/// The treatment of empty, `NA`/`NaN`-like and non-numeric cells in the columns a spec uses.
public enum MissingValues: String, Sendable, Codable, CaseIterable {
    /// Leave out every row that has one (before splitting).
    case drop
    /// Replace it by the column's mean over the training split (features only: a row with a
    /// missing label or target is an error).
    case mean
    /// Stop with an error naming the line and the column.
    case error
}

/// Feature scaling, fitted on the training split only and then applied unchanged to the
/// validation and test splits and to `predict` inputs.
public enum Normalization: String, Sendable, Codable, CaseIterable {
    case none
    /// (x - min) / (max - min); a constant column becomes x - min.
    case minmax
    /// (x - mean) / std with the population std; a constant column becomes x - mean.
    case zscore
}

/// A folder whose directory levels name labels: with `levels: [alphabet, character]` the images
/// are `root/<alphabet>/<character>/*.png`.
public struct ImageFolderSource: Sendable, Equatable {
    public var root: String
    public var levels: [String]
    /// File extensions that count as images, without the dot, matched ignoring case.
    public var extensions: [String]

    public init(root: String, levels: [String], extensions: [String] = ["png"]) {
        self.root = root
        self.levels = levels
        self.extensions = extensions
    }
}

/// One named field of every sample.
public struct FieldConfig: Sendable, Equatable {
    public var name: String
    public var kind: FieldKind

    public init(_ name: String, _ kind: FieldKind) {
        self.name = name
        self.kind = kind
    }
}

/// What a field holds, and its shape per sample.
public enum FieldKind: Sendable, Equatable {
    /// Float32 `[columns]` from numeric CSV columns.
    case features(FeatureField)
    /// Float32 `[1]` from a numeric CSV column: a target for `bce`, `mse` and the like, scaled by
    /// `normalization` fitted on the training split.
    case target(column: String, normalization: Normalization)
    /// Int32 class index (a scalar per sample, `[batch]` per batch) from a CSV column or an
    /// image-folder level. Classes are numbered in sorted order (see `Dataset`).
    case label(String)
    /// Float32 `[classes]`, one-hot, of the same classes as `label` of the same source.
    case onehot(String)
    /// Float32 `[channels, height, width]` decoded from the sample's image file.
    case image(ImageField)
    /// Float32 `[columns]` holding each text column's category index, from a vocabulary fitted on
    /// the training split: an embedding's input.
    case category(CategoryField)
}

extension FieldKind {
    /// A float target used as it is in the file.
    public static func target(column: String) -> FieldKind { .target(column: column, normalization: .none) }
}

/// Text columns read as category indices. One vocabulary serves all the columns, so an index
/// means the same value in each (one embedding table can serve them).
public struct CategoryField: Sendable, Equatable {
    public var columns: [String]
    public var unknown: UnknownCategory

    public init(columns: [String], unknown: UnknownCategory = .error) {
        precondition(!columns.isEmpty, "[category] needs at least one column")
        self.columns = columns
        self.unknown = unknown
    }
}

/// What a category value the training split did not have becomes.
public enum UnknownCategory: String, Sendable, Codable, CaseIterable {
    /// An error naming the line, the column and the value.
    case error
    /// Index 0, kept for unknown values; the training split's values are numbered from 1.
    case index
}

/// Which CSV columns make a features field, and how they are scaled.
public struct FeatureField: Sendable, Equatable {
    public enum Columns: Sendable, Equatable {
        /// These columns, in this order.
        case named([String])
        /// Every column in header order except these and the columns other fields of the same
        /// config use as targets or labels ("all but the label").
        case allExcept([String])
    }

    public var columns: Columns
    public var normalization: Normalization

    public init(columns: Columns, normalization: Normalization = .none) {
        self.columns = columns
        self.normalization = normalization
    }
}

/// How an image becomes a tensor: decoded, converted to `channels`, scaled to [0, 1], resized to
/// `size` with antialiased bilinear filtering, augmented (training batches only), then
/// `(x - mean) / std` per channel with the given `mean` and `std`, or with statistics that
/// `normalization` fits per channel on the training split.
public struct ImageField: Sendable, Equatable {
    /// 1 (grey, by PIL's luma for colour files) or 3 (RGB).
    public var channels: Int
    /// `[height, width]`, or nil to keep the files' own size (they must then all agree).
    public var size: [Int]?
    public var mean: [Float]?
    public var std: [Float]?
    /// Per-channel scaling fitted on the training split's images; only without `mean` and `std`.
    public var normalization: Normalization
    /// For a CSV source: the column holding each sample's image path, relative to the CSV file.
    public var column: String?

    public init(channels: Int = 1, size: [Int]? = nil, mean: [Float]? = nil, std: [Float]? = nil,
                normalization: Normalization = .none, column: String? = nil) {
        precondition(channels == 1 || channels == 3, "[image] channels must be 1 or 3, got \(channels)")
        precondition(size == nil || (size!.count == 2 && size!.allSatisfy { $0 > 0 }), "[image] size must be [height, width]")
        precondition(mean == nil || mean!.count == channels, "[image] mean needs one value per channel")
        precondition(std == nil || (std!.count == channels && std!.allSatisfy { $0 > 0 }), "[image] std needs one positive value per channel")
        self.channels = channels
        self.size = size
        self.mean = mean
        self.std = std
        self.normalization = mean == nil && std == nil ? normalization : .none
        self.column = column
    }
}

/// How samples are divided into training, validation and test splits.
public struct SplitConfig: Sendable, Equatable {
    /// Fraction of samples held out for testing (rounded to the nearest count, ties to even).
    public var test: Double
    /// Fraction held out for validation.
    public var validation: Double
    public var seed: UInt64
    /// A field (label, onehot or target) whose classes keep their proportions in every split.
    public var stratify: String?

    public init(test: Double = 0, validation: Double = 0, seed: UInt64 = 0, stratify: String? = nil) {
        precondition(test >= 0 && validation >= 0 && test + validation <= 1,
                     "[split] fractions must be >= 0 and sum to at most 1, got test \(test), validation \(validation)")
        self.test = test
        self.validation = validation
        self.seed = seed
        self.stratify = stratify
    }
}
