import Diagnostics
import SpecLanguage

/// The checks of the data section and of the training setup that need the members' definitions:
/// fields against their source and each other, `classes(x)` references, the split's
/// stratification, preprocessing, the optimizer's and the initializers' own rules.
extension Inference {
    mutating func checkData() {
        let data = spec.data
        guard !incomplete.data, let source = definitions.source(data.source.name) else { return }
        source.check(data.source, &sink)
        var check = DataCheck(data: data, definitions: definitions, sink: sink, incomplete: incomplete)
        for field in data.fields {
            let definition = definition(of: field)
            guard source.fieldKinds.contains(field.kind.name) else {
                check.fail(field, .fieldSourceMismatch, "field '\(field.name)' is \(definition.noun), but the data source is \(source.noun)",
                           at: field.kind.nameRange)
                continue
            }
            definition.check(field, &check)
        }
        sink = check.sink
        incomplete.fields.formUnion(check.failed)
        checkColumnsReadOnce(data.fields.filter { !incomplete.fields.contains($0.name) })
        checkClassReferences()
        checkStratification()
        checkAugmentation()
        if let p = data.preprocessing.options, !source.fieldKinds.contains("features"), p.isGiven("missing") {
            error(.fieldSourceMismatch, "`data.preprocessing.missing` applies to CSV columns, but the source is \(source.noun)",
                  at: p.range(of: "missing"))
        }
    }

    /// `data.augment` transforms images: the spec must have one, and each transform must fit it.
    private mutating func checkAugmentation() {
        let data = spec.data
        guard let first = data.augment.first else { return }
        let images = data.fields.filter { definition(of: $0).isImage }
        guard !images.isEmpty else {
            if incomplete.fields.isEmpty {
                error(.fieldSourceMismatch, "`data.augment` transforms images, but no field is an image", at: first.range)
            }
            return
        }
        let shapes = images.compactMap { field in shape(of: field)?.concrete.map { (name: field.name, shape: $0) } }
        for transform in data.augment { definitions.transform(transform.name).check(transform, images: shapes, &sink) }
    }

    /// A CSV column read by two fields is a slip: most often the label column listed among the features.
    private mutating func checkColumnsReadOnce(_ fields: [FieldSpec]) {
        var readers: [String: FieldSpec] = [:]
        for field in fields {
            for column in definition(of: field).reads(field.kind.options) {
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

    /// Every `classes(x)` must name a label field.
    private mutating func checkClassReferences() {
        let data = spec.data
        for use in classUses where !incomplete.fields.contains(use.field) {
            guard let field = data.field(named: use.field) else {
                error(.undefinedReference, "classes(\(use.field)) refers to no field", at: use.range,
                      notes: [Suggestion.note(for: use.field, among: data.fields.filter(isLabel).map(\.name))].compactMap { $0 })
                continue
            }
            if !definition(of: field).hasClassCount {
                error(.undefinedReference, "classes(\(use.field)) needs a label or category field, but '\(use.field)' is a \(field.kind.name) field", at: use.range,
                      notes: [Note("'\(use.field)' is declared here", at: field.nameRange)])
            }
        }
    }

    /// `data.split.stratify` names a label field.
    private mutating func checkStratification() {
        let split = spec.data.split
        guard let stratify = split.stratify, !incomplete.fields.contains(stratify) else { return }
        guard let field = spec.data.field(named: stratify) else {
            error(.undefinedReference, "`data.split.stratify` refers to '\(stratify)', which is no field", at: split.stratifyRange,
                  notes: [Suggestion.note(for: stratify, among: spec.data.fields.map(\.name) + incomplete.fields.sorted())].compactMap { $0 })
            return
        }
        if !isLabel(field) {
            error(.undefinedReference, "`data.split.stratify` needs a label field, but '\(stratify)' is a \(field.kind.name) field",
                  at: split.stratifyRange)
        }
    }

    /// The optimizer's and the schedule's own rules (PyTorch's constructor checks).
    mutating func checkTraining() {
        guard !spec.optimizer.name.isEmpty else { return }
        definitions.optimizer(spec.optimizer.name).check(spec.optimizer, &sink)
    }

    /// Each layer's `init` and `bias_init`: the initializer's own rules, and no fan-based bias.
    mutating func checkInitializers() {
        for node in spec.model.nodes {
            guard case .sequence(_, let layers) = node.kind else { continue }
            for layer in layers {
                if let c = layer.initializer { definitions.initializer(c.name).check(c, &sink) }
                guard let c = layer.biasInitializer else { continue }
                let definition = definitions.initializer(c.name)
                if definition.usesFans {
                    let others = definitions.initializers.filter { !$0.usesFans }.map(\.kind.name)
                    let list = others.dropLast().joined(separator: ", ") + (others.count > 1 ? " or " : "") + (others.last ?? "")
                    error(.conflictingOptions, "`bias_init: \(c.name)` scales by fan-in and fan-out, which a bias (one value per output) "
                        + "does not have; PyTorch refuses it too. Use \(list)", at: c.nameRange)
                }
                definition.check(c, &sink)
            }
        }
    }
}
