import Diagnostics
import YAMLReader

/// `specrun schema`: a JSON Schema (draft 2020-12) of the spec language, generated from the
/// vocabulary, for editors (the YAML language server validates and completes specs with it).
/// It checks structure, types, ranges and names; references, shapes and heads need `validate`.
public enum JSONSchema {
    public static let dialect = "https://json-schema.org/draft/2020-12/schema"

    /// The schema document. A spec with `extends` is checked against a second set of
    /// definitions, `partial_*`, without required keys: it may write only the keys it changes.
    public static func document(_ vocabulary: Vocabulary) -> JSONValue {
        let defs = definitions(vocabulary, partial: false) + definitions(vocabulary, partial: true)
        return .object([
            .init("$schema", .string(dialect)),
            .init("title", .string("specrun spec")),
            .init("description", .string("A model spec for specrun. Generated from specrun's registry by `specrun schema`; see docs/spec-language.md.")),
            .init("anyOf", .array([
                .object(["$ref": .string("#/$defs/record_spec")]),
                .object(["$ref": .string("#/$defs/partial_record_spec"), "required": .array(["extends"])]),
            ])),
            .init("$defs", .object(defs)),
        ])
    }

    /// Every definition; `partial` ones are named `partial_*`, require no keys (a member's own
    /// name stays required: it says which member), and refer to each other.
    private static func definitions(_ vocabulary: Vocabulary, partial: Bool) -> [JSONValue.Member] {
        let p = partial ? "partial_" : ""
        var defs: [JSONValue.Member] = []
        for record in vocabulary.records {
            defs.append(.init(p + "record_" + record.name, recordSchema(record.keys, doc: record.doc, partial: partial)))
        }
        for family in Family.allCases {
            let kinds = vocabulary.kinds(of: family)
            defs.append(.init(p + family.rawValue, .object([
                "description": .string("A \(family.noun): " + kinds.map(\.name).joined(separator: ", ") + "."),
                "anyOf": .array(kinds.map { .object(["$ref": .string("#/$defs/\(p)\(family.rawValue)_\($0.name)")]) }),
            ])))
            for kind in kinds { defs.append(.init("\(p)\(family.rawValue)_\(kind.name)", kindSchema(kind, partial: partial))) }
        }
        defs.append(.init(p + "node", .object([
            "description": .string("A layer sequence or a merge node."),
            "anyOf": .array([.object(["$ref": .string("#/$defs/\(p)record_sequence")]), .object(["$ref": .string("#/$defs/\(p)merge")])]),
        ])))
        if !partial {
            defs.append(.init("size", .object([
                "description": .string("A positive integer, or a sum of integers and classes(<label field>) terms such as `128 + classes(alphabet)`."),
                "anyOf": .array([
                    .object(["type": "integer", "minimum": .int(1)]),
                    .object(["type": "string", "pattern": .string(#"^[0-9A-Za-z_()+*\- ]*classes\([^)]*\)[0-9A-Za-z_()+*\- ]*$"#)]),
                ]),
            ])))
        }
        return defs
    }

    private static func recordSchema(_ keys: [ParameterSpec], doc: String, partial: Bool) -> JSONValue {
        var members: [JSONValue.Member] = [.init("type", "object")]
        if !doc.isEmpty { members.append(.init("description", .string(doc))) }
        members.append(.init("properties", .object(keys.map { .init($0.name, property($0, partial: partial)) })))
        let required = keys.filter(\.isRequired).map { JSONValue.string($0.name) }
        if !required.isEmpty && !partial { members.append(.init("required", .array(required))) }
        members.append(.init("additionalProperties", .bool(false)))
        return .object(members)
    }

    /// A bare name (when no option is required) or `{name: options}`; options may be a mapping,
    /// null, or the shorthand key's value.
    private static func kindSchema(_ kind: KindSpec, partial: Bool) -> JSONValue {
        var optionForms: [JSONValue] = [recordSchema(kind.parameters, doc: "", partial: partial)]
        if kind.acceptsBareName || partial { optionForms.append(.object(["type": "null"])) }
        if let shorthand = kind.shorthand, let p = kind.parameter(shorthand) { optionForms.append(schema(p.type, bounds: p.bounds, partial: partial)) }
        let mapping: JSONValue = .object([
            "type": "object",
            "properties": .object([.init(kind.name, optionForms.count == 1 ? optionForms[0] : .object(["anyOf": .array(optionForms)]))]),
            "required": .array([.string(kind.name)]),
            "additionalProperties": .bool(false),
        ])
        var forms = [mapping]
        if kind.acceptsBareName || partial { forms.insert(.object(["const": .string(kind.name)]), at: 0) }
        var description = kind.doc
        if let pytorch = kind.pytorch { description += " (PyTorch: \(pytorch))" }
        return .object(["description": .string(description), "anyOf": .array(forms)])
    }

    private static func property(_ p: ParameterSpec, partial: Bool) -> JSONValue {
        guard case .object(var members) = schema(p.type, bounds: p.bounds, partial: partial) else { return .object([]) }
        var description = p.doc
        if let pytorch = p.pytorch { description += " (PyTorch: `\(pytorch)`)" }
        if case .optional(let meaning) = p.requirement { description += " Default: \(meaning)." }
        members.insert(.init("description", .string(description)), at: 0)
        if let v = p.defaultValue, let json = json(v) { members.append(.init("default", json)) }
        return .object(members)
    }

    private static func bounded(_ type: String, _ bounds: Bounds?) -> JSONValue {
        var members: [JSONValue.Member] = [.init("type", .string(type))]
        func number(_ d: Double) -> JSONValue { type == "integer" || d == d.rounded() ? .int(Int(d)) : .double(d) }
        if let bounds {
            if let l = bounds.lower { members.append(.init(bounds.lowerInclusive ? "minimum" : "exclusiveMinimum", number(l))) }
            if let u = bounds.upper { members.append(.init(bounds.upperInclusive ? "maximum" : "exclusiveMaximum", number(u))) }
        }
        return .object(members)
    }

    static func schema(_ type: ParameterType, bounds: Bounds?, partial: Bool = false) -> JSONValue {
        let p = partial ? "partial_" : ""
        return switch type {
        case .int: bounded("integer", bounds)
        case .float: bounded("number", bounds)
        case .bool: .object(["type": "boolean"])
        case .string, .reference: .object(["type": "string"])
        case .size: .object(["$ref": "#/$defs/size"])
        case .intPair:
            .object(["anyOf": .array([
                bounded("integer", bounds),
                .object(["type": "array", "items": bounded("integer", bounds), "minItems": .int(2), "maxItems": .int(2)]),
            ])])
        case .ints:
            .object(["anyOf": .array([
                bounded("integer", bounds),
                .object(["type": "array", "items": bounded("integer", bounds), "minItems": .int(1)]),
            ])])
        case .floatPair:
            .object(["type": "array", "items": bounded("number", bounds), "minItems": .int(2), "maxItems": .int(2)])
        case .numbers(let integer, let counts):
            .object(["anyOf": .array([
                bounded(integer ? "integer" : "number", bounds),
                .object(["type": "array", "items": bounded(integer ? "integer" : "number", bounds),
                         "minItems": .int(counts.min() ?? 1), "maxItems": .int(counts.max() ?? 1)]),
            ])])
        case .choice(let words): .object(["enum": .array(words.map(JSONValue.string))])
        case .list(let element, let minCount, let maxCount):
            // A list in a spec with `extends` replaces the base's: its items are whole.
            .object([.init("type", "array"), .init("items", schema(element, bounds: bounds))]
                    + (minCount > 0 ? [.init("minItems", .int(minCount))] : [])
                    + (maxCount.map { [.init("maxItems", .int($0))] } ?? []))
        case .component(let family): .object(["$ref": .string("#/$defs/\(p)\(family.rawValue)")])
        case .record(let name): .object(["$ref": .string("#/$defs/\(p)record_\(name)")])
        case .node: .object(["$ref": .string("#/$defs/\(p)node")])
        case .map(let value, let minCount):
            .object([
                "type": "object",
                "propertyNames": .object(["pattern": .string(#"^[A-Za-z_][A-Za-z0-9_-]*$"#)]),
                "additionalProperties": schema(value, bounds: nil, partial: partial),
                "minProperties": .int(minCount),
            ])
        }
    }

    private static func json(_ v: SpecValue) -> JSONValue? {
        switch v {
        case .int(let i): .int(i)
        case .float(let d): d == d.rounded() && abs(d) < 1e15 ? .int(Int(d)) : .double(d)
        case .bool(let b): .bool(b)
        case .string(let s): .string(s)
        case .pair(let a, let b): a == b ? .int(a) : .array([.int(a), .int(b)])
        case .floatPair(let a, let b): .array([.double(a), .double(b)])
        case .list(let items): .array(items.compactMap { json($0.value) })
        default: nil
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension YAMLNode {
    /// The node as JSON, with plain scalars read the way specrun reads them (`1e-3` is a number,
    /// `'1e-3'` a string). Lets JSON tools, such as a JSON Schema validator, check a spec.
    public var jsonValue: JSONValue {
        switch content {
        case .scalar(let s):
            switch PlainScalar(s) {
            case .null: .null
            case .bool(let b): .bool(b)
            case .int(let i): .int(i)
            case .float(let d): .double(d)
            case .string(let t): .string(t)
            }
        case .sequence(let items): .array(items.map(\.jsonValue))
        case .mapping(let pairs): .object(pairs.map { JSONValue.Member($0.key, $0.value.jsonValue) })
        }
    }
}
