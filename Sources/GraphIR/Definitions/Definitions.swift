import SpecLanguage

/// Every member of every family as the front end sees it: what `Compiler` checks specs against.
/// The standard set is `Catalogue.standard.definitions` (Sources/Catalogue), where each member is
/// one type that also says how it runs; the front end takes it as a value so that it never
/// imports the engine.
public struct Definitions: Sendable {
    public let layers: [any LayerDefinition]
    public let merges: [any MergeDefinition]
    public let initializers: [any InitializerDefinition]
    public let losses: [any LossDefinition]
    public let metrics: [any MetricDefinition]
    public let optimizers: [any OptimizerDefinition]
    public let schedules: [any ScheduleDefinition]
    public let sources: [any SourceDefinition]
    public let fields: [any FieldDefinition]
    public let transforms: [any TransformDefinition]
    /// The sections and every member's keys, for the decoder, the schema and the docs.
    public let vocabulary: Vocabulary

    public init(layers: [any LayerDefinition], merges: [any MergeDefinition], initializers: [any InitializerDefinition],
                losses: [any LossDefinition], metrics: [any MetricDefinition], optimizers: [any OptimizerDefinition],
                schedules: [any ScheduleDefinition], sources: [any SourceDefinition], fields: [any FieldDefinition],
                transforms: [any TransformDefinition]) {
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
        let kinds: [KindSpec] = layers.map(\.kind) + initializers.map(\.kind) + losses.map(\.kind) + optimizers.map(\.kind)
            + schedules.map(\.kind) + metrics.map(\.kind) + sources.map(\.kind) + fields.map(\.kind) + merges.map(\.kind)
            + transforms.map(\.kind)
        vocabulary = Vocabulary(kinds: kinds)
    }

    // Lookups by the name a spec writes. The decoder has already refused unknown names, so a
    // name that is not here means the vocabulary and the definitions disagree: a programming error.

    public func layer(_ name: String) -> any LayerDefinition { find(layers, name, \.kind, "layer") }
    public func merge(_ name: String) -> any MergeDefinition { find(merges, name, \.kind, "merge") }
    public func initializer(_ name: String) -> any InitializerDefinition { find(initializers, name, \.kind, "initializer") }
    public func loss(_ name: String) -> any LossDefinition { find(losses, name, \.kind, "loss") }
    public func metric(_ name: String) -> any MetricDefinition { find(metrics, name, \.kind, "metric") }
    public func optimizer(_ name: String) -> any OptimizerDefinition { find(optimizers, name, \.kind, "optimizer") }
    public func schedule(_ name: String) -> any ScheduleDefinition { find(schedules, name, \.kind, "schedule") }
    public func field(_ name: String) -> any FieldDefinition { find(fields, name, \.kind, "field") }
    public func transform(_ name: String) -> any TransformDefinition { find(transforms, name, \.kind, "transform") }
    /// Nil for the placeholder of a source that failed to decode.
    public func source(_ name: String) -> (any SourceDefinition)? { sources.first { $0.kind.name == name } }

    private func find<T>(_ list: [T], _ name: String, _ kind: (T) -> KindSpec, _ family: String) -> T {
        guard let found = list.first(where: { kind($0).name == name }) else {
            preconditionFailure("[definitions] no \(family) named '\(name)': the vocabulary and the definitions disagree")
        }
        return found
    }
}
