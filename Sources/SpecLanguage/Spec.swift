import Diagnostics

/// A validated spec with every default applied: what to train, on what data, and how. Every part
/// keeps the place it was written, so later stages (data loading, binding class counts) can report
/// problems at the right line.
public struct Spec: Sendable {
    public var name: String
    /// Seed of every random choice (initialisation, shuffling, dropout, the split unless it has its own).
    public var seed: Int
    public var data: DataSpec
    public var model: ModelSpec
    public var optimizer: OptimizerSpec
    /// Nil: a constant learning rate.
    public var schedule: ScheduleSpec?
    public var train: TrainSpec
}

// MARK: - Data

/// Where samples come from and how each is cut into named fields.
public struct DataSpec: Sendable {
    public var source: DataSourceSpec
    /// In the order written.
    public var fields: [FieldSpec]
    /// CSV only; the defaults (`error`, `none`) for an image folder.
    public var preprocessing: PreprocessingSpec
    public var split: SplitSpec
    public var batchSize: Int
    /// Reshuffle the training split every epoch.
    public var shuffle: Bool
    public var range: SourceRange

    /// The field of that name, if declared.
    public func field(named name: String) -> FieldSpec? { fields.first { $0.name == name } }
}

/// Where the samples come from.
public enum DataSourceSpec: Sendable, Hashable {
    case csv(CSVSourceSpec)
    case imageFolder(ImageFolderSpec)
}

/// A CSV file with a header row; each row is a sample.
public struct CSVSourceSpec: Sendable, Hashable {
    /// Relative to the data root.
    public var path: String
    public var delimiter: Character
    public var range: SourceRange
}

/// A tree of images whose directory names are labels: `<root>/<level 1>/.../<file>`.
public struct ImageFolderSpec: Sendable, Hashable {
    /// Relative to the data root.
    public var root: String
    /// Names of the directory levels below the root, outermost first.
    public var levels: [String]
    /// Lower-case file extensions without the dot.
    public var extensions: [String]
    public var range: SourceRange
}

/// A named part of each sample.
public struct FieldSpec: Sendable, Hashable {
    public var name: String
    public var kind: FieldKind
    /// The field's whole declaration.
    public var range: SourceRange
    /// Where the field's name is written.
    public var nameRange: SourceRange
}

/// What a field holds, and where from.
public enum FieldKind: Sendable, Hashable {
    /// Float vector of CSV columns.
    case features(FeatureColumns)
    /// Class index from a CSV column or an image-folder level (named by `from`).
    case label(from: String)
    /// One CSV column as a float of shape [1].
    case column(String)
    /// Float one-hot vector of width `classes(label)`.
    case onehot(label: String)
    case image(ImageFieldSpec)

    /// Whether the field yields a class index (as opposed to floats).
    public var isClassIndex: Bool {
        if case .label = self { true } else { false }
    }

    /// "label", "features", ... as written in the spec.
    public var keyword: String {
        switch self {
        case .features: "features"
        case .label: "label"
        case .column: "column"
        case .onehot: "onehot"
        case .image: "image"
        }
    }
}

/// The columns of a `features` field.
public enum FeatureColumns: Sendable, Hashable {
    /// These columns, in order.
    case columns([String])
    /// Every column of the file that no other field reads, in file order, except these.
    case allExcept([String])
}

/// An image field: decoded, converted to `channels`, resized (bilinear, antialiased) to
/// `height` x `width`, scaled to [0, 1], then normalised by `mean` and `std` when given.
public struct ImageFieldSpec: Sendable, Hashable {
    /// 1 (grey) or 3 (RGB).
    public var channels: Int
    public var height: Int
    public var width: Int
    /// Per-channel normalisation after scaling to [0, 1]; nil for none.
    public var mean: [Double]?
    public var std: [Double]?

    public init(channels: Int, height: Int, width: Int, mean: [Double]?, std: [Double]?) {
        self.channels = channels
        self.height = height
        self.width = width
        self.mean = mean
        self.std = std
    }
}

/// CSV preprocessing, fitted on the training split.
public struct PreprocessingSpec: Sendable, Hashable {
    /// What an empty cell does: stop with an error, drop the row, or take the training mean.
    public enum Missing: String, Sendable, Hashable { case error, drop, mean }
    /// How `features` columns are scaled: not at all, to [0, 1], or to mean 0 and deviation 1.
    public enum Normalization: String, Sendable, Hashable { case none, minmax, zscore }
    public var missing: Missing
    public var normalize: Normalization

    public init(missing: Missing, normalize: Normalization) {
        self.missing = missing
        self.normalize = normalize
    }
}

/// Held-out fractions: permute with `seed`, the first `test` fraction (rounded) is the test split,
/// the next `validation` fraction the validation split, the rest trains.
public struct SplitSpec: Sendable, Hashable {
    public var test: Double
    public var validation: Double
    /// The split's own seed, or the spec's seed when not given.
    public var seed: Int
    /// A label field whose class proportions each split keeps.
    public var stratify: String?
    public var range: SourceRange
}

// MARK: - Model

/// The network as declared; `GraphIR` turns it into a checked, shape-annotated graph.
public struct ModelSpec: Sendable {
    public var inputs: [InputSpec]
    public var nodes: [NodeSpec]
    public var outputs: [OutputSpec]
}

/// A model input: fed by the field of the same name.
public struct InputSpec: Sendable {
    public var name: String
    /// Per sample, without the batch axis.
    public var shape: [SymbolicSize]
    public var nameRange: SourceRange
    public var shapeRange: SourceRange
    /// Where each dimension is written.
    public var dimensionRanges: [SourceRange]
}

/// A name written in the spec that refers to another part (a node, an input, a field).
public struct Reference: Sendable, Hashable {
    public var name: String
    public var range: SourceRange
}

/// A named node of the model as written.
public struct NodeSpec: Sendable {
    /// What the node computes.
    public enum Kind: Sendable {
        /// Layers applied in order to one input or node, like `nn.Sequential`.
        case sequence(from: Reference, layers: [LayerSpec])
        /// `torch.cat` along `dim` (0 is the batch).
        case concat(from: [Reference], dim: Int)
        /// Elementwise sum of inputs of one shape.
        case add(from: [Reference])
    }

    public var name: String
    public var kind: Kind
    public var nameRange: SourceRange
    /// The node's declaration.
    public var range: SourceRange

    /// The inputs and nodes this node reads.
    public var sources: [Reference] {
        switch kind {
        case .sequence(let from, _): [from]
        case .concat(let from, _), .add(let from): from
        }
    }
}

/// One layer as written, with its options checked against the registry and defaults applied.
/// `GraphIR.Layer` is the resolved form, with inferred sizes.
public struct LayerSpec: Sendable {
    /// The registry name: `linear`, `conv2d`, ...
    public var kind: String
    public var options: SpecOptions
    /// Nil: PyTorch's default initialisation for the layer.
    public var initializer: InitializerSpec?
    public var biasInitializer: InitializerSpec?
    public var kindRange: SourceRange
    public var range: SourceRange
}

/// An output head: a node trained against a target field with a weighted loss.
public struct OutputSpec: Sendable {
    public var name: String
    public var from: Reference
    public var target: Reference
    public var loss: LossSpec
    public var lossRange: SourceRange
    /// Weight of this loss in the objective.
    public var weight: Double
    public var weightRange: SourceRange?
    public var metrics: [MetricSpec]
    public var nameRange: SourceRange
    public var range: SourceRange
}

// MARK: - Training

/// The training loop.
public struct TrainSpec: Sendable {
    public var epochs: Int
    /// Evaluate on the held-out splits every this many epochs.
    public var evalEvery: Int
    /// Checkpoint every this many epochs; 0: only the final checkpoint.
    public var checkpointEvery: Int
    /// Clip the global gradient norm to this before each step (`nn.utils.clip_grad_norm_`).
    public var clipGradNorm: Double?
    public var earlyStopping: EarlyStoppingSpec?
}

/// Stop when a held-out metric has not improved for `patience` evaluations.
public struct EarlyStoppingSpec: Sendable {
    /// Whether lower (`min`) or higher (`max`) is better.
    public enum Mode: String, Sendable { case min, max }
    /// `loss`, `<output>.loss` or `<output>.<metric>`.
    public var metric: String
    public var patience: Int
    /// Resolved: `auto` becomes `min` for losses and `max` for other metrics.
    public var mode: Mode
    public var minDelta: Double
    public var range: SourceRange
}
