import Diagnostics

extension SpecBuilder {
    mutating func buildData(_ a: SpecOptions, seed: Int) -> DataSpec {
        let placeholder = a.range
        var source = DataSourceSpec.csv(CSVSourceSpec(path: "", delimiter: ",", range: placeholder))
        if let c = a.component("source") {
            source = buildSource(c)
        } else {
            incomplete.data = true
        }
        var fields: [FieldSpec] = []
        var onehotRanges: [String: SourceRange] = [:]
        for entry in a.map("fields") ?? [] {
            guard case .component(let c) = entry.argument.value, !c.options.hasErrors else {
                incomplete.fields.insert(entry.name)
                continue
            }
            if c.name == "onehot" { onehotRanges[entry.name] = c.options.range(of: "label") }
            if let kind = buildField(c, name: entry.name, source: source) {
                fields.append(FieldSpec(name: entry.name, kind: kind, range: entry.argument.range ?? entry.nameRange, nameRange: entry.nameRange))
            } else {
                incomplete.fields.insert(entry.name)
            }
        }
        let allNames = (a.map("fields") ?? []).map(\.name)
        checkFieldReferences(fields, ranges: onehotRanges)
        checkColumnsReadOnce(fields)

        let p = a.record("preprocessing")
        if let p, case .imageFolder = source {
            let given = ["missing", "normalize"].filter(p.isGiven)
            if let key = given.first {
                error(.fieldSourceMismatch, "`data.preprocessing.\(key)` applies to CSV columns, but the source is an image folder",
                      at: p.range(of: key))
            }
        }
        let preprocessing = PreprocessingSpec(missing: PreprocessingSpec.Missing(rawValue: p?.string("missing") ?? "") ?? .error,
                                          normalize: PreprocessingSpec.Normalization(rawValue: p?.string("normalize") ?? "") ?? .none)
        let split = buildSplit(a.record("split"), seed: seed, fields: fields, allNames: allNames, owner: a.range)
        return DataSpec(source: source, fields: fields, preprocessing: preprocessing, split: split,
                        batchSize: a.int("batch_size") ?? 1, shuffle: a.flag("shuffle"), range: a.range)
    }

    private mutating func buildSource(_ c: SpecComponent) -> DataSourceSpec {
        let a = c.options
        if c.name == "image_folder" {
            return .imageFolder(ImageFolderSpec(root: a.string("root") ?? "", levels: a.strings("levels") ?? [],
                                                  extensions: (a.strings("extensions") ?? []).map { $0.lowercased() }, range: c.range))
        }
        let delimiter = a.string("delimiter") ?? ","
        if delimiter.count != 1 {
            error(.outOfRange, "`data.source.csv.delimiter` must be one character, found '\(delimiter)'", at: a.range(of: "delimiter"))
        }
        return .csv(CSVSourceSpec(path: a.string("path") ?? "", delimiter: delimiter.first ?? ",", range: c.range))
    }

    /// The typed field, or nil when it contradicts its source (reported).
    private mutating func buildField(_ c: SpecComponent, name: String, source: DataSourceSpec) -> FieldKind? {
        let a = c.options
        let isCSV = if case .csv = source { true } else { false }
        let sourceName = isCSV ? "a CSV file" : "an image folder"
        func mismatch(_ why: String) -> FieldKind? {
            error(.fieldSourceMismatch, "field '\(name)' is \(why), but the data source is \(sourceName)", at: c.nameRange)
            return nil
        }
        switch c.name {
        case "features":
            guard isCSV else { return mismatch("a features field (CSV columns)") }
            if let columns = a.strings("columns") {
                if a.isGiven("exclude") {
                    error(.conflictingOptions, "field '\(name)' has both `columns` and `exclude`; give the columns, or what to leave out of the rest",
                          at: a.range(of: "exclude"))
                }
                return .features(.columns(columns))
            }
            return .features(.allExcept(a.strings("exclude") ?? []))
        case "column":
            guard isCSV else { return mismatch("a column field") }
            return .column(a.string("from") ?? "")
        case "label":
            let from = a.string("from") ?? ""
            if case .imageFolder(let folder) = source, !folder.levels.contains(from) {
                error(.fieldSourceMismatch, "field '\(name)' takes its label from the level '\(from)', but the image folder's levels are "
                      + folder.levels.map { "'\($0)'" }.joined(separator: ", "), at: a.range(of: "from"),
                      notes: [Suggestion.closest(to: from, among: folder.levels).map { Note("did you mean '\($0)'?") }].compactMap { $0 })
                return nil
            }
            return .label(from: from)
        case "onehot":
            return .onehot(label: a.string("label") ?? "")
        default:
            guard !isCSV else { return mismatch("an image field") }
            return buildImage(a, name: name)
        }
    }

    private mutating func buildImage(_ a: SpecOptions, name: String) -> FieldKind? {
        let channels = a.int("channels") ?? 1
        if channels == 2 {
            error(.outOfRange, "`data.fields.\(name).image.channels` must be 1 or 3, found 2", at: a.range(of: "channels"))
        }
        for key in ["mean", "std"] {
            if let values = a.doubles(key), values.count != channels {
                error(.conflictingOptions, "`data.fields.\(name).image.\(key)` has \(values.count) "
                    + "value\(values.count == 1 ? "" : "s") for \(channels) channel\(channels == 1 ? "" : "s")",
                      at: a.range(of: key))
            }
        }
        if a.isGiven("mean") != a.isGiven("std") {
            let missing = a.isGiven("mean") ? "std" : "mean"
            error(.conflictingOptions, "`data.fields.\(name).image` normalises with both `mean` and `std`; `\(missing)` is missing",
                  at: a.range(of: a.isGiven("mean") ? "mean" : "std"))
        }
        let size = a.ints("size") ?? []
        guard size.count == 2 else { return nil }
        return .image(ImageFieldSpec(channels: channels, height: size[0], width: size[1], mean: a.doubles("mean"), std: a.doubles("std")))
    }

    /// `onehot: x` must name a label field.
    private mutating func checkFieldReferences(_ fields: [FieldSpec], ranges: [String: SourceRange]) {
        let labels = fields.filter(\.kind.isClassIndex).map(\.name)
        for field in fields {
            guard case .onehot(let label) = field.kind, !incomplete.fields.contains(label) else { continue }
            let range = ranges[field.name] ?? field.range
            guard let target = fields.first(where: { $0.name == label }) else {
                error(.undefinedReference, "field '\(field.name)' is the one-hot of '\(label)', which is no field", at: range,
                      notes: [Suggestion.note(for: label, among: labels)].compactMap { $0 })
                continue
            }
            if !target.kind.isClassIndex {
                error(.undefinedReference, "field '\(field.name)' is the one-hot of '\(label)', which is a \(target.kind.keyword) field, not a label",
                      at: range, notes: [Note("'\(label)' is declared here", at: target.nameRange)])
            }
        }
    }

    /// A CSV column read by two fields is a slip: most often the label column listed among the features.
    private mutating func checkColumnsReadOnce(_ fields: [FieldSpec]) {
        var readers: [String: FieldSpec] = [:]
        for field in fields {
            let columns: [String] = switch field.kind {
            case .features(.columns(let c)): c
            case .column(let c): [c]
            case .label(let c): [c]
            default: []
            }
            for column in columns {
                guard let first = readers[column] else {
                    readers[column] = field
                    continue
                }
                if first.name == field.name {
                    error(.fieldSourceMismatch, "field '\(field.name)' reads the column '\(column)' twice", at: field.range)
                } else {
                    error(.fieldSourceMismatch, "the column '\(column)' is read by both '\(first.name)' and '\(field.name)'", at: field.range,
                          notes: [Note("'\(first.name)' reads it here", at: first.range)])
                }
            }
        }
    }

    private mutating func buildSplit(_ a: SpecOptions?, seed: Int, fields: [FieldSpec], allNames: [String], owner: SourceRange) -> SplitSpec {
        guard let a else { return SplitSpec(test: 0, validation: 0, seed: seed, stratify: nil, range: owner) }
        let test = a.number("test"), validation = a.number("validation")
        if test + validation >= 1 {
            error(.splitTooLarge, "`data.split` holds out \(SpecValue.number(test)) for testing and "
                + "\(SpecValue.number(validation)) for validation, which leaves nothing to train on",
                  at: a.range(of: a.isGiven("validation") ? "validation" : "test"),
                  notes: [Note("the held-out fractions must add up to less than 1")])
        }
        let stratify = a.string("stratify")
        if let stratify, !incomplete.fields.contains(stratify) {
            if let field = fields.first(where: { $0.name == stratify }) {
                if !field.kind.isClassIndex {
                    error(.undefinedReference, "`data.split.stratify` needs a label field, but '\(stratify)' is a \(field.kind.keyword) field",
                          at: a.range(of: "stratify"))
                }
            } else {
                error(.undefinedReference, "`data.split.stratify` refers to '\(stratify)', which is no field", at: a.range(of: "stratify"),
                      notes: [Suggestion.note(for: stratify, among: allNames)].compactMap { $0 })
            }
        }
        return SplitSpec(test: test, validation: validation, seed: a.int("seed") ?? seed, stratify: stratify, range: a.range)
    }
}
