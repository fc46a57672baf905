import Diagnostics

/// What loading a spec produced.
public struct LoadResult: Sendable {
    /// The file as read, for rendering diagnostics.
    public var file: SourceFile
    /// The spec; nil when any diagnostic is an error.
    public var spec: Spec?
    /// Every problem found, sorted by place.
    public var diagnostics: [Diagnostic]
    /// What could be decoded despite errors, so that later checks (shapes, heads) can still run
    /// and `validate` reports every problem in one pass. Nil when the file could not be read as a
    /// mapping at all. Runners use `spec`.
    public var draft: Draft?
    /// The spec as composed from the files it extends and the `--set` arguments, as YAML text
    /// that reads as the same spec on its own; nil when the file alone is the spec.
    public var composedText: String?

    public init(file: SourceFile, spec: Spec?, diagnostics: [Diagnostic], draft: Draft?, composedText: String? = nil) {
        self.file = file
        self.spec = spec
        self.diagnostics = diagnostics
        self.draft = draft
        self.composedText = composedText
    }
}

/// A best-effort spec: parts that failed to decode are left out or replaced by placeholders, and
/// named in `incomplete` so that later checks stay quiet about them instead of cascading.
public struct Draft: Sendable {
    public var spec: Spec
    public var incomplete: Incomplete
    /// Every `classes(x)` written in a size, with its place, for the check that `x` is a label field.
    public var classUses: [ClassUse]

    public init(spec: Spec, incomplete: Incomplete, classUses: [ClassUse] = []) {
        self.spec = spec
        self.incomplete = incomplete
        self.classUses = classUses
    }
}

/// A `classes(x)` written in a size.
public struct ClassUse: Sendable, Hashable {
    public var field: String
    public var range: SourceRange
}

/// The names of parts whose declarations had errors.
public struct Incomplete: Sendable, Hashable {
    public var inputs: Set<String> = []
    public var nodes: Set<String> = []
    public var outputs: Set<String> = []
    public var fields: Set<String> = []
    /// The data section as a whole could not be read.
    public var data = false
    /// The model's `inputs`, `nodes` or `outputs` mapping as a whole could not be read.
    public var model = false
    /// The optimizer or the schedule had errors, or the optimizer is missing.
    public var optimizer = false

    public init() {}
}
