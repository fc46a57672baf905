import Diagnostics
import SpecLanguage

/// What the front end asks of a data source: its keys, the fields its samples can provide, what
/// it knows before reading (an image folder's levels), and how the summary shows it.
public protocol SourceDefinition: Sendable {
    var kind: KindSpec { get }
    /// How messages name it: "a CSV file", "an image folder".
    var noun: String { get }
    /// The field kinds its samples can provide.
    var fieldKinds: Set<String> { get }
    /// The label sources named in the spec (an image folder's levels), or nil when only the data
    /// tells (a CSV file's columns).
    func labelSources(_ options: SpecOptions) -> [String]?
    /// Checks between options that their types and ranges cannot express.
    func check(_ source: SpecComponent, _ sink: inout DiagnosticSink)
    /// `csv water/water.csv`, `image_folder omniglot (levels alphabet, character)`.
    func describe(_ options: SpecOptions) -> String
}

/// What a field holds per sample.
public enum FieldValue: Sendable, Hashable {
    /// An integer class index (a label): a target for class-index losses, never a model input.
    case classIndex
    /// A float tensor.
    case floats
}

/// What the front end asks of a field kind: what it holds, the shape it makes, what it reads,
/// checks against its source and the other fields, and how the summary shows it.
public protocol FieldDefinition: Sendable {
    var kind: KindSpec { get }
    /// How messages name it: "a features field (CSV columns)".
    var noun: String { get }
    var value: FieldValue { get }
    /// The shape it makes per sample; nil when only the data tells, or for a class index.
    func shape(_ options: SpecOptions) -> TensorShape?
    /// The CSV columns (or folder levels) it reads, for the check that each is read once.
    func reads(_ options: SpecOptions) -> [String]
    /// Checks of the field against its source and the other fields.
    func check(_ field: FieldSpec, _ data: inout DataCheck)
    /// `label: level alphabet`, `image: 1 x 64 x 64`, for the summary's wiring; `levels` are the
    /// source's label sources known from the spec (`SourceDefinition.labelSources`).
    func describe(_ options: SpecOptions, levels: [String]?) -> String
    /// Whether `classes(<field>)` counts something of it: a label's classes, a category field's
    /// indices (an embedding's `num_embeddings`).
    var hasClassCount: Bool { get }
    /// Whether it is an image that `data.augment` transforms.
    var isImage: Bool { get }
}

extension FieldDefinition {
    public var hasClassCount: Bool { value == .classIndex }
    public var isImage: Bool { false }
}

/// What the front end asks of an augmentation transform: its keys, and its checks against each
/// other and against the images it will transform (their channels, height and width).
public protocol TransformDefinition: Sendable {
    var kind: KindSpec { get }
    /// Checks between options, and against each image field `(name, [channels, height, width])`.
    func check(_ transform: SpecComponent, images: [(name: String, shape: [Int])], _ sink: inout DiagnosticSink)
}

/// The data section being checked: the source, the fields, and where problems go. Fields whose
/// declarations are wrong are marked so later checks stay quiet about them.
public struct DataCheck {
    public let data: DataSpec
    public let definitions: Definitions
    var sink: DiagnosticSink
    /// Fields that failed a check.
    var failed: Set<String> = []
    let incomplete: Incomplete

    /// Reports an error about `field` and leaves it out of later checks.
    public mutating func fail(_ field: FieldSpec, _ code: DiagnosticCode, _ message: String, at range: SourceRange?, notes: [Note] = []) {
        sink.error(code, message, at: range, notes: notes)
        failed.insert(field.name)
    }

    /// Reports an error that does not make the field unusable.
    public mutating func error(_ code: DiagnosticCode, _ message: String, at range: SourceRange?, notes: [Note] = []) {
        sink.error(code, message, at: range, notes: notes)
    }

    /// The field of that name, if declared and not already known to be wrong.
    public func field(named name: String) -> FieldSpec? { data.field(named: name) }

    /// Whether the field of that name had errors of its own (then nothing should be said about references to it).
    public func isIncomplete(_ name: String) -> Bool { incomplete.fields.contains(name) || failed.contains(name) }

    /// Whether the field holds a class index.
    public func isLabel(_ field: FieldSpec) -> Bool { definitions.field(field.kind.name).value == .classIndex }

    /// The label fields declared, for suggestions.
    public var labelNames: [String] { data.fields.filter(isLabel).map(\.name) }

    /// The source's label sources known from the spec (folder levels), nil when only the data tells.
    public var labelSources: [String]? { incomplete.data ? nil : definitions.source(data.source.name)?.labelSources(data.source.options) }
}
