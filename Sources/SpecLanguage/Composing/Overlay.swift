import Diagnostics
import YAMLReader

/// Where a value sits in a spec, as far as the vocabulary says: what `extends` and `--set` need to
/// merge one tree onto another the way the language reads it.
enum Slot {
    /// A value of a type of the language.
    case value(ParameterType)
    /// The options of a family member (`{lr: 0.001}` in `{adam: {lr: 0.001}}`).
    case options([ParameterSpec])
    /// Somewhere the vocabulary does not know (an unknown key): merged plainly, and the decoder
    /// reports the key.
    case unknown

    static let spec = Slot.value(.record("spec"))

    /// The slot of the value under `key`.
    func child(_ key: String, _ vocabulary: Vocabulary) -> Slot {
        switch self {
        case .value(.record(let name)): return vocabulary.record(name).key(key).map { .value($0.type) } ?? .unknown
        case .value(.map(let valueType, _)): return .value(valueType)
        case .value(.component(let family)): return vocabulary.kind(key, in: family).map { .options($0.parameters) } ?? .unknown
        case .value(.node):
            if let p = vocabulary.record("sequence").key(key) { return .value(p.type) }
            return vocabulary.kind(key, in: .merge).map { .options($0.parameters) } ?? .unknown
        case .options(let parameters): return parameters.first { $0.name == key }.map { .value($0.type) } ?? .unknown
        default: return .unknown
        }
    }

    /// The slot of a list's items.
    var element: Slot {
        switch self {
        case .value(.list(let element, _, _)): .value(element)
        default: .unknown
        }
    }

    /// Whether a value here names one member of a family (`adam` or `{adam: {...}}`), so that
    /// naming another member replaces it rather than adding a second key beside it.
    var isComponent: Bool {
        switch self {
        case .value(.component): true
        default: false
        }
    }
}

/// Merges YAML trees key by key, as `extends` and `--set` compose a spec: mappings are merged
/// recursively, a later value wins, lists replace. A family member written in the later tree
/// replaces a different member (`optimizer: {sgd: ...}` over `{adam: ...}`) and merges its
/// options into the same one (`{adam: {lr: 0.01}}` keeps the base's other Adam options).
///
/// Every node keeps the range it had in its own tree, so a diagnostic about a merged value points
/// into the file (or the argument) that wrote it.
struct Overlay {
    let vocabulary: Vocabulary

    /// `over` merged onto `base`.
    func merge(_ base: YAMLNode, _ over: YAMLNode, at slot: Slot) -> YAMLNode {
        guard let overPairs = over.mapping, let basePairs = Self.pairs(base, at: slot, vocabulary) else { return over }
        if slot.isComponent || Self.isMergeNode(base, at: slot, vocabulary) || Self.isMergeNode(over, at: slot, vocabulary),
           basePairs.map(\.key) != overPairs.map(\.key) {
            return over
        }
        var merged = basePairs
        for pair in overPairs {
            if let i = merged.firstIndex(where: { $0.key == pair.key }) {
                merged[i] = YAMLPair(key: pair.key, keyRange: pair.keyRange, value: merge(merged[i].value, pair.value, at: slot.child(pair.key, vocabulary)))
            } else {
                merged.append(pair)
            }
        }
        return YAMLNode(.mapping(merged), range: over.range)
    }

    /// The pairs of a mapping; a member written as a bare name (`elu`) reads as `{elu: null}`.
    static func pairs(_ node: YAMLNode, at slot: Slot, _ vocabulary: Vocabulary) -> [YAMLPair]? {
        if let pairs = node.mapping { return pairs }
        if slot.isComponent, let s = node.scalar, PlainScalar(s) != .null {
            return [YAMLPair(key: s.value, keyRange: node.range, value: YAMLNode(.scalar(YAMLScalar("")), range: node.range))]
        }
        return nil
    }

    /// A model node that is a merge (`{concat: [a, b]}`) rather than a layer sequence.
    static func isMergeNode(_ node: YAMLNode, at slot: Slot, _ vocabulary: Vocabulary) -> Bool {
        guard case .value(.node) = slot, let pairs = node.mapping, pairs.count == 1 else { return false }
        return vocabulary.record("sequence").key(pairs[0].key) == nil
    }
}
