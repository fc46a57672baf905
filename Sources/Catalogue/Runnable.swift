import Autograd
import DataPipeline
import GraphIR
import Kernels
import NN
import ONNX
import SpecLanguage

// What the runner asks of each family's members, on top of what the front end asks (the
// `...Definition` protocols of GraphIR). Every member of the catalogue conforms to its family's
// protocol here, so a member that cannot run does not compile.

/// A layer kind that can run: its NN module, and the ONNX nodes that compute the same thing.
public protocol RunnableLayer: LayerDefinition {
    /// The module for a layer this definition resolved, parameters initialised from the context's
    /// generator as the spec says (or with PyTorch's defaults).
    func module(_ attributes: Attributes, _ layer: GraphLayer, _ context: inout LoweringContext) throws -> any Layer
    /// The ONNX nodes (opset 17) that compute the layer in evaluation mode on the value `x`
    /// (batch first), its weights read from the context; the name of the value they make.
    func onnx(_ attributes: Attributes, _ layer: GraphLayer, _ x: String, _ context: inout ONNXLayerContext) throws(LoweringError) -> String
}

/// A merge that can run: its NN module, and the ONNX nodes that compute the same thing.
public protocol RunnableMerge: MergeDefinition {
    func module(_ attributes: Attributes) -> any MergeModule
    /// The ONNX nodes joining `operands` (value names, in order); the name of the value they make.
    func onnx(_ attributes: Attributes, _ operands: [String], _ context: inout ONNXLayerContext) -> String
}

/// An initializer that can run: the `torch.nn.init` function it is.
public protocol RunnableInitializer: InitializerDefinition {
    func initializer(_ options: SpecOptions) -> Initializer
}

/// A loss that can run: the loss function with its options.
public protocol RunnableLoss: LossDefinition {
    func function(_ options: SpecOptions) -> LossFunction
    /// A prediction's scores for one sample as probabilities (`predict` reports them): a softmax
    /// of logits, the exponential of log-probabilities, a sigmoid; nil for a regression.
    func probabilities(_ scores: [Float]) -> [Float]?
}

/// A metric that can run: its value from what a head accumulated over a split.
public protocol RunnableMetric: MetricDefinition {
    func value(_ statistics: HeadStatistics, _ options: SpecOptions, target: TargetKind) -> Double
}

/// An optimizer that can run.
public protocol RunnableOptimizer: OptimizerDefinition {
    /// The optimizer over `parameters`; throws when PyTorch would refuse the options.
    func optimizer(_ options: SpecOptions, _ parameters: [NamedParameter]) throws -> any Optimizer
}

/// A learning-rate schedule that can run.
public protocol RunnableSchedule: ScheduleDefinition {
    /// The schedule; `epochs` is the run's `train.epochs` (the default of some options).
    func schedule(_ options: SpecOptions, epochs: Int) -> LearningRateSchedule
}

/// A data source that can be read: the data pipeline's source for its options.
public protocol RunnableSource: SourceDefinition {
    func source(_ options: SpecOptions, data: DataSpec) -> DataSource
    /// The source `predict` reads the files a user names from: image files, or one CSV file;
    /// throws with a one-line reason when the files do not fit the source.
    func predictionSource(_ files: [String], data: DataSpec) throws(PredictionError) -> DataSource
}

/// An augmentation transform that can run: the data pipeline's transform for its options.
public protocol RunnableTransform: TransformDefinition {
    func transform(_ options: SpecOptions) -> ImageTransform
}

/// A field kind that the data pipeline can make.
public protocol RunnableField: FieldDefinition {
    func field(_ field: FieldSpec, data: DataSpec) -> FieldConfig
    /// How `predict` gets this field when it feeds a model input, with the statistics fitted in
    /// training (class names, normalisation).
    func predictionInput(_ field: FieldSpec, data: DataSpec, statistics: DataStatistics) -> PredictionInput
}

/// How `predict` gets a model input.
public enum PredictionInput {
    /// Read from the named files with this field configuration.
    case read(FieldConfig)
    /// A one-hot of the classes of a label source (a column or level), taken from `--set
    /// <label field>=<class>` or from the files' folders.
    case classOf(labelField: String, source: String)
    /// The field cannot come from files.
    case unavailable
}

/// Files that do not fit what `predict` can read for a spec.
public struct PredictionError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// What lowering a layer needs besides the layer: the generator parameters are drawn from, and
/// the catalogue for the layer's initializers.
public struct LoweringContext {
    public var rng: RandomGenerator
    let catalogue: Catalogue

    /// The NN initializer a spec's initializer names; nil for PyTorch's default.
    public func initializer(_ spec: SpecComponent?) -> Initializer? {
        spec.map { catalogue.initializer($0.name).initializer($0.options) }
    }
}
