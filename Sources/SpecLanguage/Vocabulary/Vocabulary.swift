/// The families of named things that have options and are all written the same way: a bare name
/// (`elu`, `loss: cross_entropy`) or a mapping with one key, the name, whose value holds the
/// options (`{conv2d: {out: 16, kernel: 3}}`, `optimizer: {adam: {lr: 0.001}}`).
public enum Family: String, CaseIterable, Sendable {
    case layer, initializer, loss, optimizer, schedule, metric, source, field, merge, transform

    /// How messages and docs name one member: "unknown layer", "unknown data source".
    public var noun: String {
        switch self {
        case .source: "data source"
        case .field: "field kind"
        case .merge: "merge node"
        case .transform: "augmentation transform"
        default: rawValue
        }
    }

    /// The noun with its article: "a layer", "an optimizer".
    public var withArticle: String {
        ("aeiou".contains(noun.first ?? "x") ? "an " : "a ") + noun
    }
}

/// The type of a key's value, as the validator checks it and the JSON Schema describes it.
public indirect enum ParameterType: Sendable {
    case int
    case float
    case bool
    case string
    /// A positive integer or a linear form over class counts: `10`, `classes(alphabet)`,
    /// `128 + classes(alphabet)`.
    case size
    /// `3` or `[3, 5]` (height, width), as PyTorch's `int | tuple[int, int]`.
    case intPair
    /// `64` or `[16, 8, 8]`, as PyTorch's `int | list[int]` (a shape); decoded as a list of ints.
    case ints
    /// `[0.9, 0.999]`.
    case floatPair
    /// A number, or a list of as many numbers as one of `counts` says, as torchvision's
    /// `float | Sequence[float]` arguments (`degrees: 15`, `degrees: [-10, 30]`). Decoded as a
    /// list: a bare number is the one-item list. Integers only when `integer`.
    case numbers(integer: Bool, counts: [Int])
    /// One of a fixed set of words.
    case choice([String])
    case list(ParameterType, minCount: Int, maxCount: Int? = nil)
    /// A member of a family, bare or with options.
    case component(Family)
    /// A mapping with the keys of a `RecordSpec`.
    case record(String)
    /// A mapping from names the user chooses (fields, inputs, nodes, outputs) to values.
    case map(ParameterType, minCount: Int)
    /// A model node: a layer sequence (`{from: x, layers: [...]}`) or a merge (`{concat: [a, b]}`).
    case node
    /// The name of another part of the spec, checked after decoding. The text says what is named,
    /// with its article ("a label field"), or in the plural inside a list ("inputs or nodes").
    case reference(String)
}

/// Whether a key must be given, and what it means when it is not.
public enum Requirement: Sendable {
    case required
    /// A fixed default, the same as PyTorch's where PyTorch has the key.
    case defaultValue(SpecValue)
    /// No fixed default; the text says what absence means ("inferred from the input").
    case optional(String)
}

/// The accepted interval of a number.
public struct Bounds: Sendable, Hashable, CustomStringConvertible {
    public var lower: Double?
    public var lowerInclusive = true
    public var upper: Double?
    public var upperInclusive = true

    /// `>= x`.
    public static func atLeast(_ x: Double) -> Bounds { Bounds(lower: x) }
    /// `> x`.
    public static func above(_ x: Double) -> Bounds { Bounds(lower: x, lowerInclusive: false) }
    /// Between `a` and `b`, each end included unless said otherwise.
    public static func interval(_ a: Double, _ b: Double, upperInclusive: Bool = true, lowerInclusive: Bool = true) -> Bounds {
        Bounds(lower: a, lowerInclusive: lowerInclusive, upper: b, upperInclusive: upperInclusive)
    }

    /// Whether `x` is accepted.
    public func contains(_ x: Double) -> Bool {
        if let lower, lowerInclusive ? x < lower : x <= lower { return false }
        if let upper, upperInclusive ? x > upper : x >= upper { return false }
        return true
    }

    /// `>= 1`, `> 0`, `in [0, 1)`.
    public var description: String {
        switch (lower, upper) {
        case let (l?, u?): "in \(lowerInclusive ? "[" : "(")\(SpecValue.number(l)), \(SpecValue.number(u))\(upperInclusive ? "]" : ")")"
        case let (l?, nil): "\(lowerInclusive ? ">=" : ">") \(SpecValue.number(l))"
        case let (nil, u?): "\(upperInclusive ? "<=" : "<") \(SpecValue.number(u))"
        case (nil, nil): "any"
        }
    }
}

/// One key: its name, type, default, accepted range, meaning, and the PyTorch argument it maps to.
public struct ParameterSpec: Sendable {
    public let name: String
    public let type: ParameterType
    public let requirement: Requirement
    public let bounds: Bounds?
    public let doc: String
    /// The PyTorch argument name when it differs from `name` (`out` is `out_features`), or when
    /// the key has a PyTorch counterpart worth naming.
    public let pytorch: String?

    public init(_ name: String, _ type: ParameterType, _ requirement: Requirement, bounds: Bounds? = nil,
                pytorch: String? = nil, _ doc: String) {
        self.name = name
        self.type = type
        self.requirement = requirement
        self.bounds = bounds
        self.doc = doc
        self.pytorch = pytorch
    }

    public var isRequired: Bool {
        if case .required = requirement { true } else { false }
    }

    public var defaultValue: SpecValue? {
        if case .defaultValue(let v) = requirement { v } else { nil }
    }
}

/// One member of a family: a layer kind, a loss, an optimizer, ... What the decoder checks (its
/// keys, their types, defaults and ranges) and what the docs and the JSON Schema say about it.
/// Each member's `KindSpec` is written once, in its definition (Sources/Catalogue), and handed to
/// the front end in a `Vocabulary`.
public struct KindSpec: Sendable {
    public let name: String
    public let family: Family
    public let doc: String
    /// The PyTorch class or function it corresponds to (`nn.Conv2d`, `optim.Adam`).
    public let pytorch: String?
    public let parameters: [ParameterSpec]
    /// The key that a non-mapping value stands for: `{concat: [a, b]}` means `{concat: {from: [a, b]}}`.
    public let shorthand: String?
    /// The member's cells in its family's overview table in docs/spec-language.md (for layers:
    /// input, output, parameters and FLOPs; for fields: value and shape); empty for none.
    public let overview: [String]

    public init(_ name: String, _ family: Family, pytorch: String?, shorthand: String? = nil,
                _ doc: String, _ parameters: [ParameterSpec] = [], overview: [String] = []) {
        self.name = name
        self.family = family
        self.doc = doc
        self.pytorch = pytorch
        self.parameters = parameters
        self.shorthand = shorthand
        self.overview = overview
    }

    /// The option of that name, if the kind has it.
    public func parameter(_ name: String) -> ParameterSpec? { parameters.first { $0.name == name } }

    /// Whether the bare name is a complete value (no option is required).
    public var acceptsBareName: Bool { !parameters.contains(where: \.isRequired) }
}

/// A mapping with fixed keys: the spec's sections (`data`, `model`, `train`, ...).
public struct RecordSpec: Sendable {
    public let name: String
    public let doc: String
    public let keys: [ParameterSpec]

    public init(_ name: String, _ doc: String, _ keys: [ParameterSpec]) {
        self.name = name
        self.doc = doc
        self.keys = keys
    }

    /// The key of that name, if the record has it.
    public func key(_ name: String) -> ParameterSpec? { keys.first { $0.name == name } }
}

/// The words of the spec language: its sections (fixed here, in `sections`) and the members of
/// every family (layers, losses, ...), which the catalogue of definitions supplies. The decoder,
/// `specrun schema` and docs/spec-language.md all read it.
public struct Vocabulary: Sendable {
    /// Every member of every family, each family in the order its docs list it.
    public let kinds: [KindSpec]
    /// The spec's sections, from the top level down.
    public let records: [RecordSpec]

    /// A vocabulary of these members and the spec's sections. Two members of one family with one
    /// name are a programming error.
    public init(kinds: [KindSpec], records: [RecordSpec] = Vocabulary.sections) {
        var seen = Set<String>()
        for kind in kinds {
            precondition(seen.insert("\(kind.family.rawValue).\(kind.name)").inserted, "[vocabulary] two \(kind.family.noun)s named '\(kind.name)'")
        }
        self.kinds = kinds
        self.records = records
    }

    /// The members of a family, in order.
    public func kinds(of family: Family) -> [KindSpec] { kinds.filter { $0.family == family } }

    /// The member of a family with that name, if any.
    public func kind(_ name: String, in family: Family) -> KindSpec? {
        kinds.first { $0.family == family && $0.name == name }
    }

    /// The section of that name; a name not among the sections is a programming error.
    public func record(_ name: String) -> RecordSpec {
        guard let r = records.first(where: { $0.name == name }) else { preconditionFailure("[vocabulary] no record '\(name)'") }
        return r
    }
}
