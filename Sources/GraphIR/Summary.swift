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
                    table.add([layer.index == 0 ? node.name : "", String(layer.index), layer.layer.signature,
                               layer.outputShape.description, count(layer.parameterCount), count(layer.flops)])
                }
            case .concat(let from, let dim):
                table.add([node.name, "", "concat(\(from.joined(separator: ", ")); dim \(dim))", node.outputShape.description, "0", count(node.flops)])
            case .add(let from):
                table.add([node.name, "", "add(\(from.joined(separator: ", ")))", node.outputShape.description, "0", count(node.flops)])
            }
        }
        // Totals go below the table: with class counts they are long sums that would widen every row.
        var lines = ["model \(spec.name) (\(path))", "", table.rendered(), ""]
        lines.append("parameters: \(count(graph.parameterCount))")
        lines.append("FLOPs:      \(count(graph.flops)) per sample, forward pass (a multiply-add counts as 2 FLOPs)")
        lines.append("")
        lines.append("objective: loss = " + graph.outputs.map { "\($0.weight) * \($0.loss.name)(\($0.name))" }.joined(separator: " + "))
        lines.append("")
        lines.append("wiring:")
        var wiring = TextTable([("", .left), ("", .left), ("", .left), ("", .left)])
        for input in graph.inputs {
            let field = spec.data.field(named: input.name)
            wiring.add(["input", input.name, input.shape.description, "<- " + (field.map { describe($0, spec.data) } ?? "?")])
        }
        for output in graph.outputs {
            var detail = "\(output.from) vs " + describe(output.target, spec.data) + "; \(output.loss.name), weight \(output.weight)"
            if !output.metrics.isEmpty { detail += "; metrics: " + output.metrics.map(metricName).joined(separator: ", ") }
            wiring.add(["output", output.name, output.shape.description, detail])
        }
        // The wiring table has no header: drop its header and rule lines.
        lines += wiring.rendered().split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2).map { "  " + $0 }
        lines.append("")
        lines.append("optimizer: \(describe(spec.optimizer))" + (spec.schedule.map { ", schedule: \(describe($0))" } ?? ""))
        lines.append("data: \(describe(spec.data))")
        let symbols = graph.symbols
        if !symbols.isEmpty {
            lines.append("class counts: " + symbols.map { "classes(\($0))" }.joined(separator: ", ") + " come from the data when it is loaded")
        } else if !graph.bindings.isEmpty {
            lines.append("class counts: " + graph.bindings.sorted { $0.key < $1.key }.map { "classes(\($0.key)) = \($0.value)" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func count(_ size: SymbolicSize) -> String { size.formatted(grouping: true) }

    private static func metricName(_ m: MetricSpec) -> String {
        m.average.map { "\(m.name) (\($0.rawValue))" } ?? m.name
    }

    /// `field image (image 1 x 64 x 64)`, `field alphabet (label: level alphabet)`.
    static func describe(_ field: FieldSpec, _ data: DataSpec) -> String {
        let isFolder = if case .imageFolder = data.source { true } else { false }
        let what: String = switch field.kind {
        case .features(.columns(let c)): "features: \(c.count) column\(c.count == 1 ? "" : "s")"
        case .features(.allExcept(let c)): "features: every other column" + (c.isEmpty ? "" : " except " + c.joined(separator: ", "))
        case .label(let from): "label: \(isFolder ? "level" : "column") \(from)"
        case .column(let c): "column \(c) as a float"
        case .onehot(let label): "onehot of \(label)"
        case .image(let i): "image: \(i.channels) x \(i.height) x \(i.width)" + (i.mean != nil ? ", normalised" : "")
        }
        return "field \(field.name) (\(what))"
    }

    static func describe(_ data: DataSpec) -> String {
        var parts: [String] = []
        switch data.source {
        case .csv(let csv): parts.append("csv \(csv.path)")
        case .imageFolder(let folder): parts.append("image_folder \(folder.root) (levels \(folder.levels.joined(separator: ", ")))")
        }
        if case .csv = data.source, data.preprocessing.missing != .error || data.preprocessing.normalize != .none {
            parts.append("missing: \(data.preprocessing.missing.rawValue), normalize: \(data.preprocessing.normalize.rawValue)")
        }
        var split = "split test \(data.split.test)"
        if data.split.validation > 0 { split += ", validation \(data.split.validation)" }
        split += " (seed \(data.split.seed)" + (data.split.stratify.map { ", stratified by \($0)" } ?? "") + ")"
        parts.append(split)
        parts.append("batch \(data.batchSize)" + (data.shuffle ? ", shuffled" : ""))
        return parts.joined(separator: "; ")
    }

    static func describe(_ optimizer: OptimizerSpec) -> String {
        switch optimizer {
        case .sgd(let o):
            var parts = ["lr \(number(o.lr))"]
            if o.momentum != 0 { parts.append("momentum \(number(o.momentum))") }
            if o.dampening != 0 { parts.append("dampening \(number(o.dampening))") }
            if o.nesterov { parts.append("nesterov") }
            if o.weightDecay != 0 { parts.append("weight_decay \(number(o.weightDecay))") }
            return "sgd(" + parts.joined(separator: ", ") + ")"
        case .adam(let o), .adamw(let o):
            var parts = ["lr \(number(o.lr))", "betas (\(number(o.beta1)), \(number(o.beta2)))", "eps \(number(o.eps))"]
            if o.weightDecay != 0 { parts.append("weight_decay \(number(o.weightDecay))") }
            if o.amsgrad { parts.append("amsgrad") }
            return "\(optimizer.name)(" + parts.joined(separator: ", ") + ")"
        case .rmsprop(let o):
            return "rmsprop(lr \(number(o.lr)), alpha \(number(o.alpha)), eps \(number(o.eps))"
                + (o.momentum != 0 ? ", momentum \(number(o.momentum))" : "") + (o.centered ? ", centered" : "") + ")"
        case .adagrad(let o):
            return "adagrad(lr \(number(o.lr)), eps \(number(o.eps))" + (o.lrDecay != 0 ? ", lr_decay \(number(o.lrDecay))" : "") + ")"
        }
    }

    static func describe(_ schedule: ScheduleSpec) -> String {
        switch schedule {
        case .step(let size, let gamma): "step(every \(size) epochs x \(number(gamma)))"
        case .cosine(let tMax, let etaMin): "cosine(t_max \(tMax), eta_min \(number(etaMin)))"
        }
    }
}
