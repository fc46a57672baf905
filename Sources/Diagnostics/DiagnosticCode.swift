/// A stable identifier of one kind of problem, such as `E030`. Codes starting with `E` are errors
/// and codes starting with `W` are warnings; `specrun explain E030` and docs/errors.md describe
/// each one (see `DiagnosticCatalogue`). A code is never reused for a different problem.
public struct DiagnosticCode: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }

    public var severity: Severity { rawValue.hasPrefix("W") ? .warning : .error }

    public var description: String { rawValue }

    /// Ordered by number, so errors and warnings of one family sort together.
    public static func < (a: DiagnosticCode, b: DiagnosticCode) -> Bool {
        (a.rawValue.dropFirst(), a.rawValue) < (b.rawValue.dropFirst(), b.rawValue)
    }
}

extension DiagnosticCode {
    // Files and YAML.
    public static let unreadableFile = DiagnosticCode("E000")
    public static let yamlSyntax = DiagnosticCode("E001")
    public static let duplicateKey = DiagnosticCode("E002")
    public static let aliasExpansion = DiagnosticCode("E003")
    public static let unsupportedTag = DiagnosticCode("E004")
    public static let multipleDocuments = DiagnosticCode("E005")
    public static let notUTF8 = DiagnosticCode("E006")
    public static let limitExceeded = DiagnosticCode("E007")
    public static let complexKey = DiagnosticCode("E008")
    public static let badComposition = DiagnosticCode("E009")

    // The shape of the spec: types, keys, names, values.
    public static let wrongType = DiagnosticCode("E010")
    public static let unknownKey = DiagnosticCode("E011")
    public static let missingKey = DiagnosticCode("E012")
    public static let unknownName = DiagnosticCode("E013")
    public static let malformedOption = DiagnosticCode("E014")
    public static let outOfRange = DiagnosticCode("E015")
    public static let badSize = DiagnosticCode("E016")
    public static let emptySpec = DiagnosticCode("E017")
    public static let conflictingOptions = DiagnosticCode("E018")
    public static let yaml11Number = DiagnosticCode("W019")

    // References between the parts of a spec.
    public static let undefinedReference = DiagnosticCode("E020")
    public static let cycle = DiagnosticCode("E021")
    public static let nameClash = DiagnosticCode("E022")
    public static let unusedNode = DiagnosticCode("W023")
    public static let unusedInput = DiagnosticCode("E024")

    // Shapes, found by static shape inference.
    public static let sizeMismatch = DiagnosticCode("E030")
    public static let windowTooLarge = DiagnosticCode("E031")
    public static let concatMismatch = DiagnosticCode("E032")
    public static let addMismatch = DiagnosticCode("E033")
    public static let rankMismatch = DiagnosticCode("E034")
    public static let uncomputableSize = DiagnosticCode("E035")
    public static let dimOutOfRange = DiagnosticCode("E036")
    public static let indivisibleSize = DiagnosticCode("E037")
    public static let indexInput = DiagnosticCode("E038")
    public static let tooLarge = DiagnosticCode("E039")

    // Output heads: losses, targets, metrics.
    public static let classCountMismatch = DiagnosticCode("E040")
    public static let bceHead = DiagnosticCode("E041")
    public static let doubleSigmoid = DiagnosticCode("W042")
    public static let softmaxBeforeLoss = DiagnosticCode("W043")
    public static let sharedTarget = DiagnosticCode("W044")
    public static let targetKind = DiagnosticCode("E045")
    public static let targetShape = DiagnosticCode("E046")
    public static let metricMismatch = DiagnosticCode("E047")

    // Data declarations against the model.
    public static let inputWithoutField = DiagnosticCode("E050")
    public static let fieldShapeMismatch = DiagnosticCode("E051")
    public static let splitTooLarge = DiagnosticCode("E052")
    public static let fieldSourceMismatch = DiagnosticCode("E053")

    // Sizes fixed by the data once it is loaded.
    public static let badBinding = DiagnosticCode("E060")
}
