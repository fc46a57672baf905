import Diagnostics
import SpecLanguage

/// Builds the graph of a spec and checks it: references that form cycles, unused nodes and
/// inputs, every shape (by static inference through the whole graph), the output heads, and the
/// data fields against the inputs they feed.
public enum GraphBuilder {
    /// The graph of a valid spec, or nil with the diagnostics that prevent it.
    public static func build(_ spec: Spec, definitions: Definitions) -> (graph: Graph?, diagnostics: [Diagnostic]) {
        build(Draft(spec: spec, incomplete: Incomplete()), definitions: definitions)
    }

    /// Checks a draft: parts named in `incomplete` are treated as unknown so that errors already
    /// reported do not cascade. The graph is nil when anything is incomplete or wrong.
    public static func build(_ draft: Draft, definitions: Definitions) -> (graph: Graph?, diagnostics: [Diagnostic]) {
        let spec = draft.spec
        var inference = Inference(spec: spec, incomplete: draft.incomplete, definitions: definitions)
        inference.classUses = draft.classUses
        inference.checkData()
        inference.checkTraining()
        inference.checkInitializers()
        var inputs: [GraphInput] = []
        for input in spec.model.inputs {
            let shape = TensorShape(input.shape)
            inference.shapes[input.name] = shape
            inference.origins[input.name] = Note("the input '\(input.name)' is \(shape)", at: input.shapeRange)
            inference.checkField(of: input)
            _ = inference.checkSize("input '\(input.name)'", output: shape, at: input.shapeRange)
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
        let complete = inference.incomplete == Incomplete() && nodes.count == spec.model.nodes.count && outputs.count == spec.model.outputs.count
        guard complete, !inference.diagnostics.hasErrors else { return (nil, inference.diagnostics) }
        let graph = Graph(name: spec.name, inputs: inputs, nodes: nodes, outputs: outputs, pendingChecks: inference.sink.pending,
                          definitions: definitions)
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
            let fromInput = spec.model.inputs.contains { $0.name == from.name } ? from.name : nil
            for (index, layerSpec) in layerSpecs.enumerated() {
                guard let layer = infer(layerSpec, index: index, node: node.name, input: shape, origin: origin,
                                        modelInput: index == 0 ? fromInput : nil) else { return nil }
                origin = Note("\(layerSpec.kind) (layer \(index)) turns \(shape) into \(layer.outputShape)", at: layerSpec.kindRange)
                shape = layer.outputShape
                layers.append(layer)
            }
            built = GraphNode(name: node.name, operation: .sequence(from: from.name, layers: layers), outputShape: shape, range: node.nameRange)
        case .merge(let component, let from):
            let definition = definitions.merge(component.name)
            var merge = MergeInference(node: node, options: component.options, from: from, inputs: inputs,
                                       origins: from.map { origins[$0.name] ?? Note("'\($0.name)'") }, sink: sink)
            let result = definition.inferErased(&merge)
            sink = merge.sink
            guard let (attributes, output, flops) = result else { return nil }
            guard checkSize("[\(node.name) \(component.name)]", output: output, at: node.nameRange) else { return nil }
            built = GraphNode(name: node.name, operation: .merge(GraphMerge(definition: definition, attributes: attributes, from: from.map(\.name))),
                              outputShape: output, mergeFlops: flops, range: node.nameRange)
        }
        shapes[node.name] = built.outputShape
        origins[node.name] = Note("'\(node.name)' outputs \(built.outputShape)", at: node.nameRange)
        return built
    }

    /// A layer resolved by its definition, or nil after its definition reported why not.
    mutating func infer(_ spec: LayerSpec, index: Int, node: String, input: TensorShape, origin: Note, modelInput: String?) -> GraphLayer? {
        let definition = definitions.layer(spec.kind)
        var context = LayerInference(spec: spec, input: input, node: node, index: index, origin: origin, modelInput: modelInput, sink: sink)
        let result = definition.inferErased(&context)
        sink = context.sink
        guard let result else { return nil }
        guard checkSize(context.label, parameters: result.parameters, output: TensorShape(result.output), at: spec.kindRange) else { return nil }
        return GraphLayer(index: index, definition: definition, attributes: result.attributes, options: spec.options,
                          initializer: spec.initializer, biasInitializer: spec.biasInitializer, inputShape: input,
                          outputShape: TensorShape(result.output), parameterCount: result.parameters, flops: result.flops, range: spec.range)
    }
}

extension GraphLayer {
    /// The `torch.nn` module its definition writes for it: `nn.Conv2d(1, 16, kernel_size=3)`.
    public var torchModule: String { definition.torchModuleErased(self) }
}

extension LayerDefinition {
    /// `infer` with the attributes boxed, for callers that hold the definition as `any LayerDefinition`.
    func inferErased(_ context: inout LayerInference) -> (attributes: any LayerAttributes, output: [SymbolicSize], parameters: SymbolicSize, flops: SymbolicSize)? {
        infer(&context).map { ($0.attributes, $0.output, $0.parameters, $0.flops) }
    }

    /// `torchModule` for a layer this definition resolved.
    func torchModuleErased(_ layer: GraphLayer) -> String {
        guard let attributes = layer.attributes as? Attributes else {
            preconditionFailure("[\(kind.name)] the layer's attributes are \(type(of: layer.attributes)), not this definition's")
        }
        return torchModule(attributes, layer)
    }
}

extension MergeDefinition {
    /// `infer` with the attributes boxed.
    func inferErased(_ context: inout MergeInference) -> (attributes: any LayerAttributes, output: TensorShape, flops: SymbolicSize)? {
        infer(&context).map { ($0.attributes, $0.output, $0.flops) }
    }

    /// `torchExpression` for a merge this definition resolved.
    func torchExpressionErased(_ merge: GraphMerge, operands: [String]) -> String {
        guard let attributes = merge.attributes as? Attributes else {
            preconditionFailure("[\(kind.name)] the merge's attributes are \(type(of: merge.attributes)), not this definition's")
        }
        return torchExpression(attributes, operands: operands)
    }
}
