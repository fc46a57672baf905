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
    /// A member of the optimizer family with its options resolved (PyTorch's defaults applied).
    public var optimizer: SpecComponent
    /// A member of the schedule family; nil: a constant learning rate.
    public var schedule: SpecComponent?
    public var train: TrainSpec
}

// MARK: - Data

/// Where samples come from and how each is cut into named fields.
public struct DataSpec: Sendable {
    /// A member of the source family (`csv`, `image_folder`, ...) with its options.
    public var source: SpecComponent
    /// In the order written.
    public var fields: [FieldSpec]
    /// For `features` fields.
    public var preprocessing: PreprocessingSpec
    public var split: SplitSpec
    /// Members of the transform family, applied in order to the training split's images.
    public var augment: [SpecComponent]
    public var batchSize: Int
    /// Reshuffle the training split every epoch.
    public var shuffle: Bool
    public var range: SourceRange

    /// The field of that name, if declared.
    public func field(named name: String) -> FieldSpec? { fields.first { $0.name == name } }
}

/// A named part of each sample.
public struct FieldSpec: Sendable, Hashable {
    public var name: String
    /// A member of the field family (`features`, `label`, `image`, ...) with its options.
    public var kind: SpecComponent
    /// The field's whole declaration.
    public var range: SourceRange
    /// Where the field's name is written.
    public var nameRange: SourceRange

    public init(name: String, kind: SpecComponent, range: SourceRange, nameRange: SourceRange) {
        self.name = name
        self.kind = kind
        self.range = range
        self.nameRange = nameRange
    }
}

/// Preprocessing of `features` fields, fitted on the training split: the words of the spec's
/// `data.preprocessing` (`error`/`drop`/`mean`, `none`/`minmax`/`zscore`); the data pipeline
/// owns what they mean.
public struct PreprocessingSpec: Sendable, Hashable {
    public var missing: String
    public var normalize: String
    /// The section as written, for the places of its keys; nil when it is not written.
    public var options: SpecOptions?

    public init(missing: String, normalize: String, options: SpecOptions? = nil) {
        self.missing = missing
        self.normalize = normalize
        self.options = options
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
    /// Where `stratify` is written.
    public var stratifyRange: SourceRange?
    public var range: SourceRange

    public init(test: Double, validation: Double, seed: Int, stratify: String?, stratifyRange: SourceRange? = nil, range: SourceRange) {
        self.test = test
        self.validation = validation
        self.seed = seed
        self.stratify = stratify
        self.stratifyRange = stratifyRange
        self.range = range
    }
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
        /// A member of the merge family (`concat`, `add`) joining several inputs or nodes.
        case merge(SpecComponent, from: [Reference])
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
        case .merge(_, let from): from
        }
    }
}

/// One layer as written, with its options checked against its definition's keys and defaults applied.
/// `GraphIR.Layer` is the resolved form, with inferred sizes.
public struct LayerSpec: Sendable {
    /// The member name: `linear`, `conv2d`, ...
    public var kind: String
    public var options: SpecOptions
    /// A member of the initializer family; nil: PyTorch's default initialisation for the layer.
    public var initializer: SpecComponent?
    public var biasInitializer: SpecComponent?
    public var kindRange: SourceRange
    public var range: SourceRange
}

/// An output head: a node trained against a target field with a weighted loss.
public struct OutputSpec: Sendable {
    public var name: String
    public var from: Reference
    public var target: Reference
    /// A member of the loss family with its options.
    public var loss: SpecComponent
    public var lossRange: SourceRange
    /// Weight of this loss in the objective.
    public var weight: Double
    public var weightRange: SourceRange?
    /// Members of the metric family with their options, in the order written.
    public var metrics: [SpecComponent]
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
