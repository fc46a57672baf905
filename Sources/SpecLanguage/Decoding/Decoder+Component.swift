import Diagnostics
import YAMLReader

extension Decoder {
    /// A family member written as a bare name (`elu`) or a one-key mapping (`{conv2d: {out: 16}}`).
    mutating func decodeComponent(_ node: YAMLNode, family: Family, path: String) -> SpecComponent? {
        let members = vocabulary.kinds(of: family)
        let name: String, nameRange: SourceRange, options: YAMLNode?
        if let s = node.scalar, PlainScalar(s) != .null {
            (name, nameRange, options) = (s.value, node.range, nil)
        } else if let pairs = node.mapping, pairs.count == 1 {
            (name, nameRange, options) = (pairs[0].key, pairs[0].keyRange, pairs[0].value)
        } else if let pairs = node.mapping, !pairs.isEmpty {
            var notes: [Note] = []
            if let kind = pairs.compactMap({ [vocabulary] in vocabulary.kind($0.key, in: family) }).first {
                let others = pairs.map(\.key).filter { $0 != kind.name }
                notes.append(Note("options go inside the name's mapping: {\(kind.name): {\(others.map { "\($0): ..." }.joined(separator: ", "))}}"))
            }
            error(.malformedOption, "`\(path)` must be \(family.withArticle) name or a mapping with one key, the name; found \(pairs.count) keys",
                  at: node.range, notes: notes)
            return nil
        } else {
            error(.malformedOption, "`\(path)` must be \(family.withArticle): a name such as '\(members[0].name)' or "
                + "{name: {options}}; found \(node.kindDescription)",
                  at: node.range)
            return nil
        }
        guard let kind = vocabulary.kind(name, in: family) else {
            var notes = [Suggestion.note(for: name, among: members.map(\.name))].compactMap { $0 }
            if let other = Family.allCases.first(where: { $0 != family && vocabulary.kind(name, in: $0) != nil }) {
                notes = [Note("'\(name)' is \(other.withArticle), not \(family.withArticle)")] + notes
            }
            error(.unknownName, "unknown \(family.noun) \(excerpt(name)) in `\(path)`", at: nameRange, notes: notes)
            return nil
        }
        let optionsPath = "\(path).\(name)"
        let pairs: [YAMLPair]
        if let options, let mapping = options.mapping {
            pairs = mapping
        } else if let options, !PlainScalar.isNull(options) {
            guard let shorthand = kind.shorthand else {
                error(.malformedOption, "the options of \(family.noun) '\(name)' must be a mapping such as {\(name): "
                    + "{\(kind.parameters.first.map { "\($0.name): ..." } ?? "")}}, found \(options.kindDescription)",
                      at: options.range)
                return nil
            }
            pairs = [YAMLPair(key: shorthand, keyRange: options.range, value: options)]
        } else {
            pairs = []
        }
        let decoded = decodeKeys(pairs, kind.parameters, path: optionsPath, range: options?.range ?? nameRange,
                                   owner: nameRange)
        return SpecComponent(name: name, nameRange: nameRange, options: decoded, range: node.range)
    }
}
