import Foundation

/// docs/spec-language.md: the guide's prose (LanguageGuide.swift) around reference tables
/// generated from the vocabulary (the sections and every member's definition), so the document
/// cannot drift from what the validator accepts.
public struct LanguageReference {
    let vocabulary: Vocabulary

    /// The text of docs/spec-language.md for a vocabulary.
    public static func markdown(_ vocabulary: Vocabulary) -> String { LanguageReference(vocabulary: vocabulary).markdown() }

    private func markdown() -> String {
        var out = LanguageGuide.introduction
        out += section("Top level", record: "spec", intro: "")
        out += section("`data`", record: "data", intro: "")
        out += family(.source, title: "Data sources", intro: "`data.source` is one of these.")
        out += family(.field, title: "Fields", intro: LanguageGuide.fields + "\n\n" + overview(.field, ["field", "value", "shape"]) + "\n" + LanguageGuide.fieldNotes)
        out += section("`data.preprocessing`", record: "preprocessing", intro: "")
        out += section("`data.split`", record: "split", intro: "")
        out += family(.transform, title: "Augmentation", intro: LanguageGuide.augmentation)
        out += section("`model`", record: "model", intro: LanguageGuide.model)
        out += section("Layer sequence nodes", record: "sequence", intro: "")
        out += family(.merge, title: "Merge nodes", intro: LanguageGuide.merges)
        out += family(.layer, title: "Layers", intro: LanguageGuide.layers)
        out += family(.initializer, title: "Initializers", intro: LanguageGuide.initializers)
        out += section("Outputs", record: "output", intro: LanguageGuide.outputs)
        out += family(.loss, title: "Losses", intro: "")
        out += family(.metric, title: "Metrics", intro: LanguageGuide.metrics)
        out += family(.optimizer, title: "Optimizers", intro: LanguageGuide.optimizers)
        out += family(.schedule, title: "Schedules", intro: "`schedule` is one of these; it steps once per epoch.")
        out += section("`train`", record: "train", intro: "")
        out += section("`train.early_stopping`", record: "early_stopping", intro: "")
        out += LanguageGuide.composing
        out += LanguageGuide.shapes + overview(.layer, Self.shapeColumns) + overview(.merge, Self.shapeColumns, header: false) + LanguageGuide.shapeNotes
        out += LanguageGuide.regenerating
        return out
    }

    static let shapeColumns = ["layer", "input", "output", "parameters", "FLOPs (forward)"]

    /// A family's overview table from its members' `overview` cells; members with the same cells
    /// share a row.
    private func overview(_ family: Family, _ columns: [String], header: Bool = true) -> String {
        var rows: [(names: [String], cells: [String])] = []
        for kind in vocabulary.kinds(of: family) where !kind.overview.isEmpty {
            if let last = rows.last, last.cells == kind.overview {
                rows[rows.count - 1].names.append(kind.name)
            } else {
                rows.append(([kind.name], kind.overview))
            }
        }
        var out = header ? "| " + columns.joined(separator: " | ") + " |\n|" + String(repeating: " --- |", count: columns.count) + "\n" : ""
        for row in rows {
            out += "| " + row.names.map { "`\($0)`" }.joined(separator: ", ") + " | " + row.cells.joined(separator: " | ") + " |\n"
        }
        return out
    }

    private func section(_ title: String, record name: String, intro: String) -> String {
        let record = vocabulary.record(name)
        var out = "\n## \(title)\n\n\(record.doc)\n"
        if !intro.isEmpty { out += "\n\(intro)\n" }
        return out + "\n" + Self.table(record.keys)
    }

    private func family(_ family: Family, title: String, intro: String) -> String {
        var out = "\n## \(title)\n\n"
        if !intro.isEmpty { out += intro + "\n\n" }
        let kinds = vocabulary.kinds(of: family)
        out += kinds.map { "- [`\($0.name)`](#\($0.name)): \(Self.firstSentence($0.doc))" }.joined(separator: "\n") + "\n"
        for kind in kinds {
            out += "\n### `\(kind.name)`\n\n\(kind.doc)"
            if let pytorch = kind.pytorch { out += " PyTorch: `\(pytorch)`." }
            out += "\n\n"
            if kind.parameters.isEmpty {
                out += "No options: write `\(kind.name)`.\n"
                continue
            }
            out += kind.acceptsBareName ? "Written `\(kind.name)` (every option at its default) or `{\(kind.name): {...}}`." : "Written `{\(kind.name): {...}}`."
            if let shorthand = kind.shorthand { out += " `{\(kind.name): x}` is short for `{\(kind.name): {\(shorthand): x}}`." }
            out += "\n\n" + Self.table(kind.parameters)
        }
        return out
    }

    /// Up to the first full stop that ends a sentence (followed by a space or the end).
    private static func firstSentence(_ doc: String) -> String {
        guard let end = doc.range(of: ". ") else { return doc }
        return String(doc[..<end.lowerBound]) + "."
    }

    private static func table(_ keys: [ParameterSpec]) -> String {
        var out = "| key | type | default | range | meaning |\n| --- | --- | --- | --- | --- |\n"
        for key in keys {
            let requirement: String = switch key.requirement {
            case .required: "**required**"
            case .defaultValue(let v): "`\(v.portableYAMLText)`"
            case .optional(let meaning): meaning
            }
            var meaning = key.doc
            if let pytorch = key.pytorch { meaning += " PyTorch: `\(pytorch)`." }
            out += "| `\(key.name)` | \(typeText(key.type)) | \(requirement) | \(key.bounds.map { "\($0)" } ?? "") | \(meaning) |\n"
        }
        return out.replacingOccurrences(of: "|  |", with: "| |")
    }

    static func typeText(_ type: ParameterType) -> String {
        switch type {
        case .int: "integer"
        case .float: "number"
        case .bool: "boolean"
        case .string: "string"
        case .reference(let what): "name of \(what)"
        case .size: "[size](#sizes)"
        case .intPair: "integer or `[h, w]`"
        case .ints: "integer or list of integers"
        case .floatPair: "`[number, number]`"
        case .numbers(let integer, let counts):
            (integer ? "integer" : "number") + " or list of " + counts.map(String.init).joined(separator: " or ") + (integer ? " integers" : " numbers")
        case .choice(let words): words.map { "`\($0)`" }.joined(separator: ", ")
        case .list(.reference(let what), let minCount, _):
            "list of names of \(what)" + (minCount > 0 ? " (at least \(minCount))" : "")
        case .list(let element, let minCount, let maxCount):
            "list of \(typeText(element))" + (maxCount == minCount && minCount > 0 ? " (\(minCount))" : minCount > 0 ? " (at least \(minCount))" : "")
        case .component(let family): "[\(family.noun)](#\(anchor(family)))"
        case .record(let name): "[mapping](#\(recordAnchor(name)))"
        case .map(let value, let minCount):
            "mapping of names to \(typeText(value))" + (minCount > 0 ? " (at least \(minCount))" : "")
        case .node: "[node](#model)"
        }
    }

    private static func anchor(_ family: Family) -> String {
        switch family {
        case .layer: "layers"
        case .initializer: "initializers"
        case .loss: "losses"
        case .optimizer: "optimizers"
        case .schedule: "schedules"
        case .metric: "metrics"
        case .source: "data-sources"
        case .field: "fields"
        case .merge: "merge-nodes"
        case .transform: "augmentation"
        }
    }

    private static func recordAnchor(_ name: String) -> String {
        switch name {
        case "spec": "top-level"
        case "preprocessing": "datapreprocessing"
        case "split": "datasplit"
        case "sequence": "layer-sequence-nodes"
        case "output": "outputs"
        case "early_stopping": "trainearly_stopping"
        default: name
        }
    }
}
