import Diagnostics

extension SpecBuilder {
    mutating func buildModel(_ a: SpecOptions, data: DataSpec) -> ModelSpec {
        let inputEntries = a.map("inputs") ?? [], nodeEntries = a.map("nodes") ?? []
        if a.map("inputs") == nil || a.map("nodes") == nil || a.map("outputs") == nil { incomplete.model = true }
        let inputNames = inputEntries.map(\.name), nodeNames = nodeEntries.map(\.name)

        var inputs: [InputSpec] = []
        for entry in inputEntries {
            guard case .list(let dims) = entry.argument.value else {
                incomplete.inputs.insert(entry.name)
                continue
            }
            let shape = dims.compactMap { if case .size(let s) = $0.value { s } else { nil } }
            inputs.append(InputSpec(name: entry.name, shape: shape, nameRange: entry.nameRange,
                                    shapeRange: entry.argument.range ?? entry.nameRange, dimensionRanges: dims.compactMap(\.range)))
            checkInputField(entry, data: data)
        }

        var nodes: [NodeSpec] = []
        for entry in nodeEntries {
            if let clash = inputEntries.first(where: { $0.name == entry.name }) {
                error(.nameClash, "the node '\(entry.name)' has the name of an input; inputs and nodes share one namespace", at: entry.nameRange,
                      notes: [Note("the input is declared here", at: clash.nameRange)])
                // Which of the two a `from` means is unknowable, so the node is left out of later checks.
                incomplete.nodes.insert(entry.name)
                continue
            }
            guard let node = buildNode(entry) else {
                incomplete.nodes.insert(entry.name)
                continue
            }
            for source in node.sources where !inputNames.contains(source.name) && !nodeNames.contains(source.name) {
                error(.undefinedReference, "node '\(entry.name)' reads '\(source.name)', which is no input or node", at: source.range,
                      notes: [Suggestion.note(for: source.name, among: inputNames + nodeNames)].compactMap { $0 })
                incomplete.nodes.insert(entry.name)
            }
            nodes.append(node)
        }

        var outputs: [OutputSpec] = []
        for entry in a.map("outputs") ?? [] {
            guard case .record(let r) = entry.argument.value, let output = buildOutput(entry, r, data: data, nodeNames: nodeNames, inputNames: inputNames) else {
                incomplete.outputs.insert(entry.name)
                continue
            }
            outputs.append(output)
        }
        return ModelSpec(inputs: inputs, nodes: nodes, outputs: outputs)
    }

    /// An input is fed by the field of the same name.
    private mutating func checkInputField(_ entry: NamedValue, data: DataSpec) {
        guard !incomplete.data, !incomplete.fields.contains(entry.name), data.field(named: entry.name) == nil else { return }
        let candidates = data.fields.filter { !$0.kind.isClassIndex }.map(\.name)
        var notes = [Note("an input is fed by the field of the same name in `data.fields`")]
        if let match = Suggestion.closest(to: entry.name, among: candidates) { notes.append(Note("did you mean '\(match)'?")) }
        error(.inputWithoutField, "the input '\(entry.name)' has no field in `data.fields`", at: entry.nameRange, notes: notes)
    }

    /// Layer options that never change a shape: a wrong value of one is reported and read as its
    /// default, and the layer still takes part in shape inference.
    static let shapeNeutralKeys: Set<String> = ["p", "eps", "momentum", "negative_slope", "alpha", "bias", "init", "bias_init"]

    private mutating func buildNode(_ entry: NamedValue) -> NodeSpec? {
        let range = entry.argument.range ?? entry.nameRange
        switch entry.argument.value {
        case .record(let r):
            guard let from = r.string("from") else { return nil }
            var layers: [LayerSpec] = []
            var complete = !r.hasErrors
            for item in r.list("layers") ?? [] {
                // A layer whose only mistakes cannot change shapes (dropout's p, an initializer)
                // still takes part in shape inference, so its node's shape errors are reported too.
                guard case .component(let c) = item.value, !c.options.hasErrors(besides: Self.shapeNeutralKeys) else {
                    complete = false
                    continue
                }
                layers.append(buildLayer(c))
            }
            guard complete, !layers.isEmpty else { return nil }
            return NodeSpec(name: entry.name, kind: .sequence(from: Reference(name: from, range: r.range(of: "from")), layers: layers),
                            nameRange: entry.nameRange, range: range)
        case .component(let c):
            guard !c.options.hasErrors, let items = c.options.list("from") else { return nil }
            let from = items.compactMap { item -> Reference? in
                if case .string(let s) = item.value { Reference(name: s, range: item.range ?? c.range) } else { nil }
            }
            let kind: NodeSpec.Kind = c.name == "add" ? .add(from: from) : .concat(from: from, dim: c.options.int("dim") ?? 1)
            return NodeSpec(name: entry.name, kind: kind, nameRange: entry.nameRange, range: range)
        default:
            return nil
        }
    }

    private mutating func buildLayer(_ c: SpecComponent) -> LayerSpec {
        if let bias = c.options.component("bias_init"), ["kaiming_uniform", "kaiming_normal", "xavier_uniform", "xavier_normal"].contains(bias.name) {
            error(.conflictingOptions, "`bias_init: \(bias.name)` scales by fan-in and fan-out, which a bias (one value per output) "
                + "does not have; PyTorch refuses it too. Use uniform, normal, constant, zeros or ones", at: bias.nameRange)
        }
        return LayerSpec(kind: c.name, options: c.options,
                  initializer: c.options.component("init").map { buildInitializer($0) },
                  biasInitializer: c.options.component("bias_init").map { buildInitializer($0) },
                  kindRange: c.nameRange, range: c.range)
    }

    private mutating func buildOutput(_ entry: NamedValue, _ r: SpecOptions, data: DataSpec, nodeNames: [String], inputNames: [String]) -> OutputSpec? {
        guard let from = r.string("from"), let target = r.string("target"), let lossComponent = r.component("loss") else { return nil }
        if !nodeNames.contains(from) {
            var notes = [Suggestion.note(for: from, among: nodeNames)].compactMap { $0 }
            if inputNames.contains(from) { notes = [Note("'\(from)' is an input; an output reads a node")] }
            error(.undefinedReference, "output '\(entry.name)' reads '\(from)', which is no node", at: r.range(of: "from"), notes: notes)
        }
        if !incomplete.data && !incomplete.fields.contains(target) && data.field(named: target) == nil {
            error(.undefinedReference, "output '\(entry.name)' targets '\(target)', which is no field", at: r.range(of: "target"),
                  notes: [Suggestion.note(for: target, among: data.fields.map(\.name))].compactMap { $0 })
        }
        let loss = buildLoss(lossComponent)
        var metrics: [MetricSpec] = []
        for item in r.list("metrics") ?? [] {
            guard case .component(let c) = item.value else { continue }
            if let m = buildMetric(c, loss: loss, output: entry.name) { metrics.append(m) }
        }
        for (i, m) in metrics.enumerated() where metrics[..<i].contains(where: { $0.name == m.name }) {
            error(.conflictingOptions, "output '\(entry.name)' lists the metric '\(m.name)' twice", at: m.range)
        }
        return OutputSpec(name: entry.name, from: Reference(name: from, range: r.range(of: "from")),
                          target: Reference(name: target, range: r.range(of: "target")), loss: loss, lossRange: lossComponent.range,
                          weight: r.number("weight"), weightRange: r["weight"]?.range, metrics: metrics,
                          nameRange: entry.nameRange, range: r.range)
    }

    private func buildLoss(_ c: SpecComponent) -> LossSpec {
        let a = c.options
        switch c.name {
        case "cross_entropy": return .crossEntropy(labelSmoothing: a.number("label_smoothing"), classWeights: a.doubles("class_weights"))
        case "nll": return .nll(classWeights: a.doubles("class_weights"))
        case "bce": return .bce
        case "bce_with_logits": return .bceWithLogits(posWeight: a.double("pos_weight"))
        case "mse": return .mse
        default: return .l1
        }
    }

    /// The metric resolved for its output's loss; options that contradict the output are reported.
    private mutating func buildMetric(_ c: SpecComponent, loss: LossSpec, output: String) -> MetricSpec? {
        guard let kind = MetricSpec.Kind(rawValue: c.name) else { return nil }
        let a = c.options
        if !loss.isBinary && !loss.wantsClassIndex {
            error(.metricMismatch, "output '\(output)' is a regression (\(loss.name)); \(kind.rawValue) needs a "
                + "classification output", at: c.nameRange)
            return nil
        }
        if loss.wantsClassIndex && a.isGiven("threshold") {
            error(.metricMismatch, "output '\(output)' is multi-class (\(loss.name)), classified by argmax; `threshold` applies to one-unit outputs",
                  at: a.range(of: "threshold"))
        }
        var average: MetricSpec.Average? = nil
        if kind != .accuracy {
            average = a.string("average").flatMap(MetricSpec.Average.init) ?? (loss.isBinary ? .binary : .macro)
            if loss.wantsClassIndex && average == .binary {
                error(.metricMismatch, "output '\(output)' is multi-class (\(loss.name)); `average: binary` needs a one-unit output",
                      at: a.range(of: "average"), notes: [Note("use `average: macro`")])
            }
        }
        return MetricSpec(kind: kind, average: average, threshold: a.number("threshold"), range: c.range)
    }
}
