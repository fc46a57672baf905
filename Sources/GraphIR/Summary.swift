import SpecLanguage

/// `specrun summary`: the model as a table in the spirit of Keras's `model.summary()`, with the
/// objective and the wiring of inputs and targets to data fields.
public enum SummaryReport {
    /// The report for a compiled spec. Sizes that come from the data print by name
    /// (`classes(alphabet)`) unless the graph has been bound.
    public static func render(_ graph: Graph, spec: Spec, path: String) -> String {
        var table = TextTable([("node", .left), ("#", .right), ("layer", .left), ("output shape", .left),
                               ("parameters", .right), ("FLOPs", .right)])
        for input in graph.inputs {
            table.add([input.name, "", "input", input.shape.description, "", ""])
        }
        for node in graph.nodes {
            switch node.operation {
            case .sequence(_, let layers):
                for layer in layers {
                    table.add([layer.index == 0 ? node.name : "", String(layer.index), layer.signature,
                               layer.outputShape.description, count(layer.parameterCount), count(layer.flops)])
                }
            case .merge(let merge):
                table.add([node.name, "", merge.signature, node.outputShape.description, "0", count(node.flops)])
            }
        }
        // Totals go below the table: with class counts they are long sums that would widen every row.
        var lines = ["model \(spec.name) (\(path))", "", table.rendered(), ""]
        lines.append("parameters: \(count(graph.parameterCount))")
        lines.append("FLOPs:      \(count(graph.flops)) per sample, forward pass (a multiply-add counts as 2 FLOPs)")
        lines.append("")
        lines.append("objective: loss = " + graph.outputs.map { "\($0.weight) * \($0.loss.name)(\($0.name))" }.joined(separator: " + "))
        let definitions = graph.definitions
        lines.append("")
        lines.append("wiring:")
        var wiring = TextTable([("", .left), ("", .left), ("", .left), ("", .left)])
        for input in graph.inputs {
            let field = spec.data.field(named: input.name)
            wiring.add(["input", input.name, input.shape.description, "<- " + (field.map { describe($0, spec.data, definitions) } ?? "?")])
        }
        for output in graph.outputs {
            var detail = "\(output.from) vs " + describe(output.target, spec.data, definitions) + "; \(output.loss.name), weight \(output.weight)"
            if !output.metrics.isEmpty {
                detail += "; metrics: " + output.metrics.map { metricName($0, output.targetKind, definitions) }.joined(separator: ", ")
            }
            wiring.add(["output", output.name, output.shape.description, detail])
        }
        // The wiring table has no header: drop its header and rule lines.
        lines += wiring.rendered().split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2).map { "  " + $0 }
        lines.append("")
        lines.append("optimizer: \(definitions.optimizer(spec.optimizer.name).describe(spec.optimizer.options))"
            + (spec.schedule.map { ", schedule: \(describe($0, spec: spec, definitions))" } ?? ""))
        lines.append("data: \(describe(spec.data, definitions))")
        let symbols = graph.symbols
        if !symbols.isEmpty {
            lines.append("class counts: " + symbols.map { "classes(\($0))" }.joined(separator: ", ") + " come from the data when it is loaded")
        } else if !graph.bindings.isEmpty {
            lines.append("class counts: " + graph.bindings.sorted { $0.key < $1.key }.map { "classes(\($0.key)) = \($0.value)" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func count(_ size: SymbolicSize) -> String { size.formatted(grouping: true) }

    /// `precision (macro)`: the metric and, for those that average, how.
    private static func metricName(_ m: SpecComponent, _ target: TargetKind, _ definitions: Definitions) -> String {
        guard definitions.metric(m.name).kind.parameter("average") != nil else { return m.name }
        let average = m.options.string("average") ?? (target.isBinary ? "binary" : "macro")
        return "\(m.name) (\(average))"
    }

    /// `field image (image: 1 x 64 x 64)`, `field alphabet (label: level alphabet)`.
    static func describe(_ field: FieldSpec, _ data: DataSpec, _ definitions: Definitions) -> String {
        let levels = definitions.source(data.source.name)?.labelSources(data.source.options)
        return "field \(field.name) (\(definitions.field(field.kind.name).describe(field.kind.options, levels: levels)))"
    }

    static func describe(_ data: DataSpec, _ definitions: Definitions) -> String {
        var parts: [String] = []
        let source = definitions.source(data.source.name)
        parts.append(source?.describe(data.source.options) ?? data.source.name)
        if source?.fieldKinds.contains("features") == true, data.preprocessing.missing != "error" || data.preprocessing.normalize != "none" {
            parts.append("missing: \(data.preprocessing.missing), normalize: \(data.preprocessing.normalize)")
        } else if data.preprocessing.normalize != "none" {
            parts.append("normalize: \(data.preprocessing.normalize)")
        }
        if !data.augment.isEmpty { parts.append("training images augmented by " + data.augment.map(\.name).joined(separator: ", ")) }
        var split = "split test \(data.split.test)"
        if data.split.validation > 0 { split += ", validation \(data.split.validation)" }
        split += " (seed \(data.split.seed)" + (data.split.stratify.map { ", stratified by \($0)" } ?? "") + ")"
        parts.append(split)
        parts.append("batch \(data.batchSize)" + (data.shuffle ? ", shuffled" : ""))
        return parts.joined(separator: "; ")
    }

    /// `cosine(t_max 10, eta_min 0)`.
    static func describe(_ schedule: SpecComponent, spec: Spec, _ definitions: Definitions) -> String {
        definitions.schedule(schedule.name).describe(schedule.options, epochs: spec.train.epochs)
    }
}

extension GraphNode.Operation {
    /// `concat(image_layer, alphabet_layer; dim 1)` for a merge; `sequence` for layers.
    public var summary: String {
        switch self {
        case .sequence: "sequence"
        case .merge(let m): m.signature
        }
    }
}

extension GraphMerge {
    /// `concat(image_layer, alphabet_layer; dim 1)`, `add(a, b)`.
    public var signature: String {
        let detail = attributes.signature
        return "\(kind)(\(from.joined(separator: ", "))\(detail.isEmpty ? "" : "; " + detail))"
    }
}
