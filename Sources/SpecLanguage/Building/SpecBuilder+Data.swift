import Diagnostics

extension SpecBuilder {
    mutating func buildData(_ a: SpecOptions, seed: Int, placeholder: SpecComponent) -> DataSpec {
        var source = placeholder
        if let c = a.component("source") {
            source = c
        } else {
            incomplete.data = true
        }
        var fields: [FieldSpec] = []
        for entry in a.map("fields") ?? [] {
            guard case .component(let c) = entry.argument.value, !c.options.hasErrors else {
                incomplete.fields.insert(entry.name)
                continue
            }
            fields.append(FieldSpec(name: entry.name, kind: c, range: entry.argument.range ?? entry.nameRange, nameRange: entry.nameRange))
        }
        let p = a.record("preprocessing")
        let preprocessing = PreprocessingSpec(missing: p?.string("missing") ?? "error", normalize: p?.string("normalize") ?? "none",
                                              options: p)
        let split = buildSplit(a.record("split"), seed: seed, owner: a.range)
        let augment = (a.list("augment") ?? []).compactMap { item -> SpecComponent? in
            if case .component(let c) = item.value, !c.options.hasErrors { return c }
            return nil
        }
        return DataSpec(source: source, fields: fields, preprocessing: preprocessing, split: split, augment: augment,
                        batchSize: a.int("batch_size") ?? 1, shuffle: a.flag("shuffle"), range: a.range)
    }

    private mutating func buildSplit(_ a: SpecOptions?, seed: Int, owner: SourceRange) -> SplitSpec {
        guard let a else { return SplitSpec(test: 0, validation: 0, seed: seed, stratify: nil, range: owner) }
        let test = a.number("test"), validation = a.number("validation")
        if test + validation >= 1 {
            error(.splitTooLarge, "`data.split` holds out \(SpecValue.number(test)) for testing and "
                + "\(SpecValue.number(validation)) for validation, which leaves nothing to train on",
                  at: a.range(of: a.isGiven("validation") ? "validation" : "test"),
                  notes: [Note("the held-out fractions must add up to less than 1")])
        }
        return SplitSpec(test: test, validation: validation, seed: a.int("seed") ?? seed, stratify: a.string("stratify"),
                         stratifyRange: a.range(of: "stratify"), range: a.range)
    }
}
