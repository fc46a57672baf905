import Diagnostics
import YAMLReader

/// Turns decoded options into the typed `Spec` and checks what the types alone cannot but the
/// language's grammar can: names that refer to other parts of the spec. What a member of a family
/// means (a field against its source, a metric against its loss, shapes, heads) is checked by
/// `GraphIR` with the member's definition.
struct SpecBuilder {
    var decoder: Decoder
    var incomplete = Incomplete()

    init(vocabulary: Vocabulary) { decoder = Decoder(vocabulary: vocabulary) }

    mutating func error(_ code: DiagnosticCode, _ message: String, at range: SourceRange?, notes: [Note] = []) {
        decoder.error(code, message, at: range, notes: notes)
    }

    /// The draft spec, or nil when the document is not a mapping.
    mutating func build(_ root: YAMLNode?, file: SourceFile) -> Spec? {
        guard let root else {
            error(.emptySpec, "the file holds no spec", at: SourceRange(at: SourceLocation(line: 1, column: 1)),
                  notes: [Note("a spec is a mapping with at least `name`, `data`, `model` and `optimizer`")])
            return nil
        }
        guard root.mapping != nil else {
            error(.emptySpec, "the top level of a spec must be a mapping, found \(root.kindDescription)", at: root.range)
            return nil
        }
        let start = SourceRange(at: SourceLocation(line: 1, column: 1))
        guard let top = decoder.decodeRecord(root, decoder.vocabulary.record("spec"), path: "", owner: start) else { return nil }
        // A placeholder for a part that failed to decode: `incomplete` says so, and no check reads it.
        let missing = SpecComponent(name: "", nameRange: start, options: SpecOptions([:], range: start), range: start)

        let data: DataSpec
        if let record = top.record("data") {
            data = buildData(record, seed: top.int("seed") ?? 0, placeholder: missing)
        } else {
            incomplete.data = true
            data = DataSpec(source: missing, fields: [], preprocessing: PreprocessingSpec(missing: "error", normalize: "none"),
                            split: SplitSpec(test: 0, validation: 0, seed: 0, stratify: nil, range: start), augment: [],
                            batchSize: 1, shuffle: false, range: start)
        }
        let model = top.record("model").map { buildModel($0, data: data) } ?? ModelSpec(inputs: [], nodes: [], outputs: [])
        if top.record("model") == nil { incomplete.model = true }
        let train = buildTrain(top.record("train"), outputs: model.outputs, split: data.split)
        if let name = top.string("name"), name.isEmpty || name == "." || name == ".." || name.contains("/") || name.contains("\0") {
            error(.outOfRange, "`name` is \(excerpt(name)), but it names the run folder under runs/: use one plain folder name, "
                + "without '/' and other than '.' or '..'", at: top.range(of: "name"))
        }
        let optimizer = top.component("optimizer")
        if optimizer == nil || optimizer!.options.hasErrors { incomplete.optimizer = true }
        if let schedule = top.component("schedule"), schedule.options.hasErrors { incomplete.optimizer = true }
        return Spec(name: top.string("name") ?? "", seed: top.int("seed") ?? 0, data: data, model: model,
                    optimizer: optimizer ?? missing, schedule: top.component("schedule"), train: train)
    }
}
