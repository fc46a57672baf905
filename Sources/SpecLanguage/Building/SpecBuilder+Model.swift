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
            // References are checked from what is written, also in a node whose layers have errors,
            // so that `validate` reports a misspelt `from` in the same pass as those.
            for source in Self.references(of: entry) where !inputNames.contains(source.name) && !nodeNames.contains(source.name) {
                error(.undefinedReference, "node '\(entry.name)' reads '\(source.name)', which is no input or node", at: source.range,
                      notes: [Suggestion.note(for: source.name, among: inputNames + nodeNames)].compactMap { $0 })
                incomplete.nodes.insert(entry.name)
            }
            guard let node = buildNode(entry) else {
                incomplete.nodes.insert(entry.name)
                continue
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

    /// The names a node reads, as written: a sequence's `from`, a merge's list.
    private static func references(of entry: NamedValue) -> [Reference] {
        switch entry.argument.value {
        case .record(let r):
            return r.string("from").map { [Reference(name: $0, range: r.range(of: "from"))] } ?? []
        case .component(let c):
            return (c.options.list("from") ?? []).compactMap { item in
                if case .string(let s) = item.value { Reference(name: s, range: item.range ?? c.range) } else { nil }
            }
        default:
            return []
        }
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
            return NodeSpec(name: entry.name, kind: .merge(c, from: from), nameRange: entry.nameRange, range: range)
        default:
            return nil
        }
    }

    private func buildLayer(_ c: SpecComponent) -> LayerSpec {
        LayerSpec(kind: c.name, options: c.options, initializer: c.options.component("init"),
                  biasInitializer: c.options.component("bias_init"), kindRange: c.nameRange, range: c.range)
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
        var metrics: [SpecComponent] = []
        for item in r.list("metrics") ?? [] {
            guard case .component(let c) = item.value else { continue }
            if metrics.contains(where: { $0.name == c.name }) {
                error(.conflictingOptions, "output '\(entry.name)' lists the metric '\(c.name)' twice", at: c.range)
            }
            metrics.append(c)
        }
        return OutputSpec(name: entry.name, from: Reference(name: from, range: r.range(of: "from")),
                          target: Reference(name: target, range: r.range(of: "target")), loss: lossComponent, lossRange: lossComponent.range,
                          weight: r.number("weight"), weightRange: r["weight"]?.range, metrics: metrics,
                          nameRange: entry.nameRange, range: r.range)
    }
}
