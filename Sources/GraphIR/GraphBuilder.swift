import Diagnostics
import SpecLanguage

/// Builds the graph of a spec and checks it: references that form cycles, unused nodes and
/// inputs, every shape (by static inference through the whole graph), the output heads, and the
/// data fields against the inputs they feed.
public enum GraphBuilder {
    /// The graph of a valid spec, or nil with the diagnostics that prevent it.
    public static func build(_ spec: Spec) -> (graph: Graph?, diagnostics: [Diagnostic]) {
        build(Draft(spec: spec, incomplete: Incomplete()))
    }

    /// Checks a draft: parts named in `incomplete` are treated as unknown so that errors already
    /// reported do not cascade. The graph is nil when anything is incomplete or wrong.
    public static func build(_ draft: Draft) -> (graph: Graph?, diagnostics: [Diagnostic]) {
        let spec = draft.spec
        var inference = Inference(spec: spec, incomplete: draft.incomplete)
        var inputs: [GraphInput] = []
        for input in spec.model.inputs {
            let shape = TensorShape(input.shape)
            inference.shapes[input.name] = shape
            inference.origins[input.name] = Note("the input '\(input.name)' is \(shape)", at: input.shapeRange)
            inference.checkField(of: input)
            inputs.append(GraphInput(name: input.name, shape: shape, range: input.nameRange))
        }
        var nodes: [GraphNode] = []
        let order = inference.topologicalOrder()
        inference.reportCycles(among: spec.model.nodes.filter { node in !order.contains { $0.name == node.name } })
        for node in order {
            if let built = inference.infer(node) { nodes.append(built) }
        }
        inference.checkUse()
        let outputs = inference.checkHeads(nodes)
        let complete = draft.incomplete == Incomplete() && nodes.count == spec.model.nodes.count && outputs.count == spec.model.outputs.count
        guard complete, !inference.diagnostics.hasErrors else { return (nil, inference.diagnostics) }
        let graph = Graph(name: spec.name, inputs: inputs, nodes: nodes, outputs: outputs, pendingChecks: inference.pending)
        return (graph, inference.diagnostics)
    }
}

extension Inference {
    /// Nodes ordered so that each comes after the nodes it reads; among nodes free to go, the one
    /// written first. Nodes in a cycle are reported and left out.
    func topologicalOrder() -> [NodeSpec] {
        var remaining = spec.model.nodes
        let names = Set(remaining.map(\.name))
        var placed = Set<String>()
        var order: [NodeSpec] = []
        while let next = remaining.firstIndex(where: { node in
            node.sources.allSatisfy { !names.contains($0.name) || placed.contains($0.name) }
        }) {
            let node = remaining.remove(at: next)
            placed.insert(node.name)
            order.append(node)
        }
        return order
    }

    /// Reports each cycle among the nodes that could not be ordered, once.
    mutating func reportCycles(among nodes: [NodeSpec]) {
        let byName = Dictionary(nodes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var reported = Set<String>()
        for start in nodes where !reported.contains(start.name) {
            // Walk from the node through unordered sources until a name repeats: that repeat closes a cycle.
            var path: [NodeSpec] = [start]
            var current = start
            while let next = current.sources.lazy.compactMap({ byName[$0.name] }).first {
                if let loopStart = path.firstIndex(where: { $0.name == next.name }) {
                    let loop = Array(path[loopStart...])
                    if loop.allSatisfy({ !reported.contains($0.name) }) {
                        let names = (loop + [loop[0]]).map { "'\($0.name)'" }.joined(separator: " -> ")
                        let first = loop.min { $0.nameRange.start < $1.nameRange.start }!
                        let notes = loop.map { node in
                            Note("'\(node.name)' reads '\(node.sources.first { byName[$0.name] != nil }?.name ?? "")' here",
                                 at: node.sources.first { byName[$0.name] != nil }?.range)
                        }
                        error(.cycle, "the nodes \(names) form a cycle", at: first.nameRange, notes: notes)
                    }
                    reported.formUnion(loop.map(\.name))
                    break
                }
                path.append(next)
                current = next
            }
            reported.insert(start.name)
        }
    }

    /// A node's shape from its sources' shapes; nil when a source is unknown or a rule fails.
    mutating func infer(_ node: NodeSpec) -> GraphNode? {
        let sourceShapes = node.sources.map { shapes[$0.name] }
        guard !incomplete.nodes.contains(node.name), sourceShapes.allSatisfy({ $0 != nil }) else { return nil }
        let inputs = sourceShapes.compactMap { $0 }
        let built: GraphNode
        switch node.kind {
        case .sequence(let from, let layerSpecs):
            var shape = inputs[0]
            var origin = origins[from.name] ?? Note("the input of '\(node.name)'")
            var layers: [GraphLayer] = []
            for (index, layerSpec) in layerSpecs.enumerated() {
                guard let layer = infer(layerSpec, index: index, node: node.name, input: shape, origin: origin) else { return nil }
                origin = Note("\(layerSpec.kind) (layer \(index)) turns \(shape) into \(layer.outputShape)", at: layerSpec.kindRange)
                shape = layer.outputShape
                layers.append(layer)
            }
            built = GraphNode(name: node.name, operation: .sequence(from: from.name, layers: layers), outputShape: shape, range: node.nameRange)
        case .concat(let from, let dim):
            guard let shape = concat(node, from, inputs, dim: dim) else { return nil }
            let full = inputs[0].rank + 1
            built = GraphNode(name: node.name, operation: .concat(from: from.map(\.name), dim: dim < 0 ? dim + full : dim),
                              outputShape: shape, range: node.nameRange)
        case .add(let from):
            guard let shape = add(node, from, inputs) else { return nil }
            built = GraphNode(name: node.name, operation: .add(from: from.map(\.name)), outputShape: shape, range: node.nameRange)
        }
        shapes[node.name] = built.outputShape
        origins[node.name] = Note("'\(node.name)' outputs \(built.outputShape)", at: node.nameRange)
        return built
    }

    private mutating func concat(_ node: NodeSpec, _ from: [Reference], _ inputs: [TensorShape], dim: Int) -> TensorShape? {
        let listing = zip(from, inputs).map { "'\($0.name)' \($1)" }.joined(separator: ", ")
        let rank = inputs[0].rank
        guard inputs.allSatisfy({ $0.rank == rank }) else {
            error(.concatMismatch, "concat '\(node.name)' joins shapes of different ranks: \(listing)", at: node.nameRange,
                  notes: from.compactMap { origins[$0.name] })
            return nil
        }
        let axis = dim < 0 ? dim + rank + 1 : dim
        guard axis >= 1 && axis <= rank else {
            error(.dimOutOfRange, "concat '\(node.name)' `dim` \(dim) is not an axis of \(inputs[0]): \(Inference.axes(of: inputs[0]))",
                  at: node.range)
            return nil
        }
        var out = inputs[0].dims
        out[axis - 1] = inputs.map { $0.dims[axis - 1] }.reduce(SymbolicSize(0), +)
        for i in 0..<rank where i != axis - 1 {
            for (ref, shape) in zip(from, inputs).dropFirst() {
                let ok = require(shape.dims[i], equals: inputs[0].dims[i], .concatMismatch,
                                 "concat '\(node.name)' along dim \(axis) needs every other axis to match, but axis "
                                     + "\(i + 1) is {lhs} in '\(ref.name)' and {rhs} in '\(from[0].name)' (\(listing))",
                                 at: ref.range, notes: [from[0], ref].compactMap { origins[$0.name] })
                if !ok { return nil }
            }
        }
        return TensorShape(out)
    }

    private mutating func add(_ node: NodeSpec, _ from: [Reference], _ inputs: [TensorShape]) -> TensorShape? {
        let listing = zip(from, inputs).map { "'\($0.name)' \($1)" }.joined(separator: ", ")
        for (ref, shape) in zip(from, inputs).dropFirst() {
            guard shape.rank == inputs[0].rank else {
                error(.addMismatch, "add '\(node.name)' sums shapes that differ: \(listing)", at: ref.range,
                      notes: [from[0], ref].compactMap { origins[$0.name] })
                return nil
            }
            for i in 0..<shape.rank {
                let ok = require(shape.dims[i], equals: inputs[0].dims[i], .addMismatch,
                                 "add '\(node.name)' sums shapes that differ: axis \(i + 1) is {lhs} in '\(ref.name)' "
                                     + "and {rhs} in '\(from[0].name)' (\(listing))",
                                 at: ref.range, notes: [from[0], ref].compactMap { origins[$0.name] })
                if !ok { return nil }
            }
        }
        return inputs[0]
    }
}
