import Diagnostics
import YAMLReader

/// Checks a YAML tree against the vocabulary's types and turns it into `SpecValue`s, collecting a
/// diagnostic for every problem and carrying on: a key whose value is wrong is left out (and its
/// mapping marked `hasErrors`), so later checks can still run on the rest.
struct Decoder {
    let vocabulary: Vocabulary
    var diagnostics: [Diagnostic] = []
    /// Every `classes(x)` written in a size, for the reference check once the fields are known.
    var classUses: [ClassUse] = []

    init(vocabulary: Vocabulary) { self.vocabulary = vocabulary }

    mutating func error(_ code: DiagnosticCode, _ message: String, at range: SourceRange?, notes: [Note] = []) {
        diagnostics.append(Diagnostic(code, message, at: range, notes: notes.compactMap { $0 }))
    }

    /// Decodes a value of a type; nil (with a diagnostic) when it does not fit.
    mutating func decode(_ node: YAMLNode, as type: ParameterType, path: String, bounds: Bounds?) -> SpecValue? {
        switch type {
        case .int: return decodeInt(node, path: path, bounds: bounds).map(SpecValue.int)
        case .float: return decodeFloat(node, path: path, bounds: bounds).map(SpecValue.float)
        case .bool: return decodeBool(node, path: path)
        case .string, .reference: return decodeString(node, path: path, type: type).map(SpecValue.string)
        case .size: return decodeSize(node, path: path, bounds: bounds).map(SpecValue.size)
        case .choice(let choices):
            guard let word = decodeString(node, path: path, type: type) else { return nil }
            guard choices.contains(word) else {
                error(.unknownName, "`\(path)` cannot be \(excerpt(word))", at: node.range,
                      notes: [Suggestion.note(for: word, among: choices)].compactMap { $0 })
                return nil
            }
            return .string(word)
        case .intPair:
            if node.scalar != nil {
                return decodeInt(node, path: path, bounds: bounds).map { .pair($0, $0) }
            }
            return decodeTwo(node, type, path: path) { $0.decodeInt($1, path: $2, bounds: bounds) }.map { .pair($0, $1) }
        case .ints:
            if node.scalar != nil {
                return decodeInt(node, path: path, bounds: bounds).map { .list([LocatedValue(.int($0), at: node.range)]) }
            }
            return decode(node, as: .list(.int, minCount: 1), path: path, bounds: bounds)
        case .floatPair:
            return decodeTwo(node, type, path: path) { $0.decodeFloat($1, path: $2, bounds: bounds) }.map { .floatPair($0, $1) }
        case .numbers(let integer, let counts):
            let element: ParameterType = integer ? .int : .float
            if node.scalar != nil {
                return decode(node, as: element, path: path, bounds: bounds).map { .list([LocatedValue($0, at: node.range)]) }
            }
            guard let items = node.sequence, counts.contains(items.count) else {
                let found = node.sequence.map { "a list of \($0.count)" } ?? node.kindDescription
                error(.wrongType, "`\(path)` must be \(describe(type)), found \(found)", at: node.range)
                return nil
            }
            let decoded = items.enumerated().map { i, item in decode(item, as: element, path: "\(path)[\(i)]", bounds: bounds).map { LocatedValue($0, at: item.range) } }
            return decoded.contains(nil) ? nil : .list(decoded.compactMap { $0 })
        case .list(let element, let minCount, let maxCount):
            guard let items = node.sequence else {
                error(.wrongType, "`\(path)` must be a list, found \(node.kindDescription)", at: node.range)
                return nil
            }
            var decoded: [LocatedValue] = []
            var failed = false
            for (i, item) in items.enumerated() {
                if let v = decode(item, as: element, path: "\(path)[\(i)]", bounds: bounds) {
                    decoded.append(LocatedValue(v, at: item.range))
                } else {
                    failed = true
                }
            }
            if items.count < minCount || items.count > (maxCount ?? Int.max) {
                let wanted = minCount == maxCount ? "exactly \(minCount)" : items.count < minCount ? "at least \(minCount)" : "at most \(maxCount ?? 0)"
                error(.outOfRange, "`\(path)` must have \(wanted) item\(minCount == 1 && maxCount == nil ? "" : "s"), "
                    + "found \(items.count)", at: node.range)
                return nil
            }
            return failed ? nil : .list(decoded)
        case .component(let family):
            return decodeComponent(node, family: family, path: path).map(SpecValue.component)
        case .record(let name):
            return decodeRecord(node, vocabulary.record(name), path: path, owner: node.range).map(SpecValue.record)
        case .map(let valueType, let minCount):
            guard let value = decodeMap(node, valueType, path: path) else { return nil }
            if case .map(let entries) = value, entries.count < minCount {
                error(.outOfRange, "`\(path)` must name at least \(minCount) entr\(minCount == 1 ? "y" : "ies"), found none", at: node.range)
                return nil
            }
            return value
        case .node:
            if let pairs = node.mapping, pairs.count == 1, vocabulary.record("sequence").key(pairs[0].key) == nil {
                return decodeComponent(node, family: .merge, path: path).map(SpecValue.component)
            }
            return decodeRecord(node, vocabulary.record("sequence"), path: path, owner: node.range).map(SpecValue.record)
        }
    }

    /// A list of exactly two values, each decoded by `one`.
    private mutating func decodeTwo<T>(_ node: YAMLNode, _ type: ParameterType, path: String,
                                       _ one: (inout Decoder, YAMLNode, String) -> T?) -> (T, T)? {
        guard let items = node.sequence, items.count == 2 else {
            error(.wrongType, "`\(path)` must be \(describe(type)), found \(node.kindDescription)", at: node.range)
            return nil
        }
        let a = one(&self, items[0], path + "[0]"), b = one(&self, items[1], path + "[1]")
        guard let a, let b else { return nil }
        return (a, b)
    }

    /// A mapping from user-chosen names to values, in the order written.
    private mutating func decodeMap(_ node: YAMLNode, _ valueType: ParameterType, path: String) -> SpecValue? {
        guard let pairs = node.mapping else {
            error(.wrongType, "`\(path)` must be a mapping of names, found \(node.kindDescription)", at: node.range)
            return nil
        }
        var entries: [NamedValue] = []
        for pair in pairs {
            guard Decoder.isName(pair.key) else {
                error(.wrongType, "'\(pair.key)' is not a valid name in `\(path)`: use letters, digits, `_` and `-`, starting with a letter or `_`",
                      at: pair.keyRange)
                continue
            }
            if let v = decode(pair.value, as: valueType, path: "\(path).\(pair.key)", bounds: nil) {
                entries.append(NamedValue(name: pair.key, nameRange: pair.keyRange, argument: LocatedValue(v, at: pair.value.range)))
            } else {
                // Keep the name so references to it do not cascade into "undefined" errors.
                entries.append(NamedValue(name: pair.key, nameRange: pair.keyRange, argument: LocatedValue(.null, at: pair.value.range)))
            }
        }
        return .map(entries)
    }

    static func isName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
        return s.unicodeScalars.allSatisfy { $0 == "_" || $0 == "-" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
    }

    /// A record: a mapping whose keys the vocabulary fixes. Nil only when the node is not a mapping;
    /// otherwise the options, with `hasErrors` set if anything was wrong.
    mutating func decodeRecord(_ node: YAMLNode?, _ record: RecordSpec, path: String, owner: SourceRange) -> SpecOptions? {
        let pairs: [YAMLPair]
        if let node {
            guard let p = node.mapping ?? (PlainScalar.isNull(node) ? [] : nil) else {
                error(.wrongType, "`\(path)` must be a mapping, found \(node.kindDescription)", at: node.range)
                return nil
            }
            pairs = p
        } else {
            pairs = []
        }
        return decodeKeys(pairs, record.keys, path: path, range: node?.range ?? owner, owner: owner)
    }

    /// The keys of a mapping against their specs: unknown keys, types, ranges, defaults, required keys.
    mutating func decodeKeys(_ pairs: [YAMLPair], _ specs: [ParameterSpec], path: String, range: SourceRange,
                             owner: SourceRange) -> SpecOptions {
        var values: [String: LocatedValue] = [:]
        var hasErrors = false
        var failed: Set<String> = []
        for pair in pairs {
            let keyPath = path.isEmpty ? pair.key : "\(path).\(pair.key)"
            guard let spec = specs.first(where: { $0.name == pair.key }) else {
                let note = Suggestion.note(for: pair.key, among: specs.map(\.name))
                error(.unknownKey, "unknown key `\(pair.key)` in \(path.isEmpty ? "the spec" : "`\(path)`")", at: pair.keyRange,
                      notes: [note].compactMap { $0 })
                hasErrors = true
                failed.insert(pair.key)
                continue
            }
            if let v = decode(pair.value, as: spec.type, path: keyPath, bounds: spec.bounds) {
                values[pair.key] = LocatedValue(v, at: pair.value.range)
                if case .record(let r) = v, r.hasErrors { hasErrors = true; failed.insert(pair.key) }
                if case .component(let c) = v, c.options.hasErrors { hasErrors = true; failed.insert(pair.key) }
            } else {
                hasErrors = true
                failed.insert(pair.key)
                // A wrong value of a key with a default reads as the default in later checks, so
                // that one mistake does not hide the others (see SpecOptions.hasErrors(besides:)).
                if case .defaultValue(let v) = spec.requirement { values[pair.key] = LocatedValue(v, at: nil) }
            }
        }
        for spec in specs where values[spec.name] == nil && !pairs.contains(where: { $0.key == spec.name }) {
            switch spec.requirement {
            case .defaultValue(let v):
                values[spec.name] = LocatedValue(v, at: nil)
            case .required:
                error(.missingKey, "\(path.isEmpty ? "the spec" : "`\(path)`") is missing the required key `\(spec.name)`", at: owner)
                hasErrors = true
                failed.insert(spec.name)
            case .optional:
                // An absent section whose keys all have defaults is there with those defaults.
                if case .record(let name) = spec.type, !vocabulary.record(name).keys.contains(where: \.isRequired),
                   let r = decodeRecord(nil, vocabulary.record(name), path: path.isEmpty ? spec.name : "\(path).\(spec.name)", owner: owner) {
                    values[spec.name] = LocatedValue(.record(r), at: nil)
                }
            }
        }
        return SpecOptions(values, range: range, hasErrors: hasErrors, failedKeys: failed)
    }
}

extension PlainScalar {
    static func isNull(_ node: YAMLNode) -> Bool {
        guard let s = node.scalar else { return false }
        return PlainScalar(s) == .null
    }
}
