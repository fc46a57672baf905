import Diagnostics

/// A decoded value of a key, typed by the vocabulary.
public indirect enum SpecValue: Sendable, Hashable {
    case null
    case int(Int)
    case float(Double)
    case bool(Bool)
    case string(String)
    case size(SymbolicSize)
    case pair(Int, Int)
    case floatPair(Double, Double)
    case list([LocatedValue])
    case component(SpecComponent)
    case record(SpecOptions)
    case map([NamedValue])

    /// The value as it would be written in a spec, for docs and messages.
    public var yamlText: String {
        switch self {
        case .null: "null"
        case .int(let i): String(i)
        case .float(let d): SpecValue.number(d)
        case .bool(let b): b ? "true" : "false"
        case .string(let s): s
        case .size(let s): s.description
        case .pair(let a, let b): a == b ? String(a) : "[\(a), \(b)]"
        case .floatPair(let a, let b): "[\(SpecValue.number(a)), \(SpecValue.number(b))]"
        case .list(let items): "[" + items.map(\.value.yamlText).joined(separator: ", ") + "]"
        case .component(let c): c.name
        case .record: "{}"
        case .map: "{}"
        }
    }

    /// `yamlText`, with a float written so that YAML 1.1 readers read it as a number too (`1.0e-8`
    /// for `1e-08`): docs show defaults people copy into specs.
    public var portableYAMLText: String {
        guard case .float(let d) = self else { return yamlText }
        return PlainScalar.yaml11Spelling(of: SpecValue.number(d)) ?? SpecValue.number(d)
    }

    /// A number as people write it: `0.001`, `1e-08`, `0.9`, `10`.
    public static func number(_ d: Double) -> String {
        if d == d.rounded() && abs(d) < 1e15 { return String(Int(d)) }
        return String(d)
    }
}

/// A value with the place it was written; `range` is nil for a default.
public struct LocatedValue: Sendable, Hashable {
    public var value: SpecValue
    public var range: SourceRange?

    public init(_ value: SpecValue, at range: SourceRange?) {
        self.value = value
        self.range = range
    }
}

/// An entry of a mapping whose keys the user names (fields, inputs, nodes, outputs).
public struct NamedValue: Sendable, Hashable {
    public var name: String
    public var nameRange: SourceRange
    public var argument: LocatedValue
}

/// A member of a family with its options: `{conv2d: {out: 16, kernel: 3}}`.
public struct SpecComponent: Sendable, Hashable {
    public var name: String
    public var nameRange: SourceRange
    public var options: SpecOptions
    /// The whole value, name and options.
    public var range: SourceRange
}

/// The keys of a record or of a component's options after decoding: every key of the vocabulary
/// entry that has a default is present (with a nil range), every key the user wrote is present
/// with its place, optional keys without a default are present only when written.
public struct SpecOptions: Sendable, Hashable {
    public var values: [String: LocatedValue]
    /// The mapping's place, or the component's name when it was written bare.
    public var range: SourceRange
    /// Whether some key failed to decode (it is then absent).
    public var hasErrors: Bool
    /// The keys that failed (unknown, wrong, or required and missing); with `hasErrors`.
    public var failedKeys: Set<String>

    public init(_ values: [String: LocatedValue], range: SourceRange, hasErrors: Bool = false, failedKeys: Set<String> = []) {
        self.values = values
        self.range = range
        self.hasErrors = hasErrors
        self.failedKeys = failedKeys
    }

    /// Whether the keys that failed could change what the options describe structurally (a
    /// layer's shapes): any failed key except `tolerated`, which then simply take their defaults
    /// in later checks. An unknown key counts: it may be a misspelt `padding`.
    public func hasErrors(besides tolerated: Set<String>) -> Bool {
        hasErrors && !failedKeys.isSubset(of: tolerated)
    }

    /// The value of a key, with its place.
    public subscript(_ key: String) -> LocatedValue? { values[key] }

    /// Where the key was written; the mapping when it was not.
    public func range(of key: String) -> SourceRange { values[key]?.range ?? range }

    /// Whether the user wrote the key (as opposed to it taking its default).
    public func isGiven(_ key: String) -> Bool { values[key]?.range != nil }

    /// Typed reads of a key: nil when the key is absent (an optional key not written, or one whose
    /// value was wrong and reported) or of another type.
    public func int(_ key: String) -> Int? {
        if case .int(let i) = values[key]?.value { i } else { nil }
    }

    /// A float key; integers written for it have been widened by the decoder.
    public func double(_ key: String) -> Double? {
        if case .float(let d) = values[key]?.value { d } else { nil }
    }

    public func bool(_ key: String) -> Bool? {
        if case .bool(let b) = values[key]?.value { b } else { nil }
    }

    public func string(_ key: String) -> String? {
        if case .string(let s) = values[key]?.value { s } else { nil }
    }

    public func size(_ key: String) -> SymbolicSize? {
        if case .size(let s) = values[key]?.value { s } else { nil }
    }

    /// `(height, width)`.
    public func pair(_ key: String) -> (Int, Int)? {
        if case .pair(let a, let b) = values[key]?.value { (a, b) } else { nil }
    }

    public func floatPair(_ key: String) -> (Double, Double)? {
        if case .floatPair(let a, let b) = values[key]?.value { (a, b) } else { nil }
    }

    public func list(_ key: String) -> [LocatedValue]? {
        if case .list(let items) = values[key]?.value { items } else { nil }
    }

    public func strings(_ key: String) -> [String]? {
        list(key)?.compactMap { if case .string(let s) = $0.value { s } else { nil } }
    }

    public func ints(_ key: String) -> [Int]? {
        list(key)?.compactMap { if case .int(let i) = $0.value { i } else { nil } }
    }

    public func doubles(_ key: String) -> [Double]? {
        list(key)?.compactMap { if case .float(let d) = $0.value { d } else { nil } }
    }

    public func component(_ key: String) -> SpecComponent? {
        if case .component(let c) = values[key]?.value { c } else { nil }
    }

    public func record(_ key: String) -> SpecOptions? {
        if case .record(let r) = values[key]?.value { r } else { nil }
    }

    public func map(_ key: String) -> [NamedValue]? {
        if case .map(let m) = values[key]?.value { m } else { nil }
    }

    /// A float key that has a default (or was required): after a successful compile it is always
    /// there; in a draft with errors a missing one reads 0, which no later check relies on.
    public func number(_ key: String) -> Double { double(key) ?? 0 }

    /// A boolean key with a default; false when missing from a draft with errors.
    public func flag(_ key: String) -> Bool { bool(key) ?? false }

    /// The options with `key` set to `value`, as if it had its default (no place in the file):
    /// how command-line overrides such as `--lr` enter a spec.
    public func setting(_ key: String, to value: SpecValue) -> SpecOptions {
        var copy = self
        copy.values[key] = LocatedValue(value, at: nil)
        return copy
    }
}

extension SpecComponent {
    /// The same member with one option replaced (see `SpecOptions.setting`).
    public func setting(_ key: String, to value: SpecValue) -> SpecComponent {
        var copy = self
        copy.options = copy.options.setting(key, to: value)
        return copy
    }
}
