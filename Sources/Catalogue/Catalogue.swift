import GraphIR
import SpecLanguage

/// Every layer, merge, initializer, loss, metric, optimizer, schedule, data source and field kind
/// specrun knows, each one definition (one type, in this target's folder for its family) that
/// every stage reads: the front end its keys, checks, shape rule and PyTorch twin (through
/// `definitions`), the runner how it runs. Adding a member is adding its definition here.
public struct Catalogue: Sendable {
    public let layers: [any RunnableLayer]
    public let merges: [any RunnableMerge]
    public let initializers: [any RunnableInitializer]
    public let losses: [any RunnableLoss]
    public let metrics: [any RunnableMetric]
    public let optimizers: [any RunnableOptimizer]
    public let schedules: [any RunnableSchedule]
    public let sources: [any RunnableSource]
    public let fields: [any RunnableField]
    public let transforms: [any RunnableTransform]
    /// The same members as the front end sees them.
    public let definitions: Definitions

    public init(layers: [any RunnableLayer], merges: [any RunnableMerge], initializers: [any RunnableInitializer],
                losses: [any RunnableLoss], metrics: [any RunnableMetric], optimizers: [any RunnableOptimizer],
                schedules: [any RunnableSchedule], sources: [any RunnableSource], fields: [any RunnableField],
                transforms: [any RunnableTransform]) {
        self.layers = layers
        self.merges = merges
        self.initializers = initializers
        self.losses = losses
        self.metrics = metrics
        self.optimizers = optimizers
        self.schedules = schedules
        self.sources = sources
        self.fields = fields
        self.transforms = transforms
        definitions = Definitions(layers: layers.map { $0 }, merges: merges.map { $0 }, initializers: initializers.map { $0 },
                                  losses: losses.map { $0 }, metrics: metrics.map { $0 }, optimizers: optimizers.map { $0 },
                                  schedules: schedules.map { $0 }, sources: sources.map { $0 }, fields: fields.map { $0 },
                                  transforms: transforms.map { $0 })
    }

    /// specrun's language. The order of each list is the order docs/spec-language.md lists it.
    public static let standard = Catalogue(
        layers: [LinearLayer(), Conv2dLayer(), Pool2dLayer.max, Pool2dLayer.average, AdaptivePool2dLayer.average, AdaptivePool2dLayer.max,
                 FlattenLayer(), ReshapeLayer(), UnflattenLayer(), EmbeddingLayer()]
            + Activation.all.map { $0 as any RunnableLayer }
            + [SoftmaxLayer.softmax, SoftmaxLayer.logSoftmax, BatchNormLayer(), LayerNormLayer(), GroupNormLayer(), DropoutLayer(),
               Dropout2dLayer(), IdentityLayer()],
        merges: [ConcatMerge(), AddMerge()],
        initializers: InitializerKind.all,
        losses: [CrossEntropyLoss(), NLLLoss(), BCELoss(), BCEWithLogitsLoss(), RegressionLoss.mse, RegressionLoss.l1],
        metrics: ClassificationMetric.all.map { $0 as any RunnableMetric } + [TopKAccuracyMetric(), AUROCMetric()]
            + RegressionMetric.all.map { $0 as any RunnableMetric },
        optimizers: [SGDOptimizer(), AdamOptimizer.adam, AdamOptimizer.adamW, RMSpropOptimizer(), AdagradOptimizer()],
        schedules: [StepSchedule(), CosineSchedule()],
        sources: [CSVSourceDefinition(), ImageFolderSourceDefinition()],
        fields: [FeaturesField(), LabelField(), ColumnField(), OnehotField(), ImageFieldDefinition(), CategoryFieldDefinition()],
        transforms: [RandomCropTransform(), FlipTransform.horizontal, FlipTransform.vertical, RandomRotationTransform(),
                     RandomAffineTransform(), ColorJitterTransform(), RandomErasingTransform()])

    // Lookups by the name a spec writes; the front end has refused unknown names, so a miss is a
    // programming error (the vocabulary and the catalogue disagree).

    public func layer(_ name: String) -> any RunnableLayer { Self.find(layers, name, \.kind) }
    public func merge(_ name: String) -> any RunnableMerge { Self.find(merges, name, \.kind) }
    public func initializer(_ name: String) -> any RunnableInitializer { Self.find(initializers, name, \.kind) }
    public func loss(_ name: String) -> any RunnableLoss { Self.find(losses, name, \.kind) }
    public func metric(_ name: String) -> any RunnableMetric { Self.find(metrics, name, \.kind) }
    public func optimizer(_ name: String) -> any RunnableOptimizer { Self.find(optimizers, name, \.kind) }
    public func schedule(_ name: String) -> any RunnableSchedule { Self.find(schedules, name, \.kind) }
    public func source(_ name: String) -> any RunnableSource { Self.find(sources, name, \.kind) }
    public func field(_ name: String) -> any RunnableField { Self.find(fields, name, \.kind) }
    public func transform(_ name: String) -> any RunnableTransform { Self.find(transforms, name, \.kind) }

    private static func find<T>(_ list: [T], _ name: String, _ kind: (T) -> KindSpec) -> T {
        guard let found = list.first(where: { kind($0).name == name }) else {
            preconditionFailure("[catalogue] no member named '\(name)' in \(T.self): the vocabulary and the catalogue disagree")
        }
        return found
    }
}
