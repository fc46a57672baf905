import Autograd
import GraphIR
import Kernels
import NN
import SpecLanguage

/// Turns a compiled, bound graph into NN modules: one `Sequential` per layer node, with PyTorch's
/// module names, so `state_dict` names are the equivalent `nn.Sequential` model's
/// (`image_layer.0.weight`, `image_layer.4.bias`). Each layer is made by its definition's `module`.
extension Catalogue {
    /// The model for `graph`, whose class counts must be bound. Parameters are initialised from
    /// `rng` in graph order, as the spec says or with PyTorch's defaults.
    ///
    /// With `fusing` (the default), a run of conv2d, maxpool2d and an optional monotone activation
    /// becomes one `ConvPoolBlock` where `ConvPool.isFusable` allows: the same parameters, names
    /// and results, computed without storing the convolution's output.
    public func model(for graph: Graph, rng: inout RandomGenerator, dropoutRNG: RandomGenerator,
                      fusing: Bool = true) throws(LoweringError) -> GraphModel {
        var context = LoweringContext(rng: rng, catalogue: self)
        defer { rng = context.rng }
        var nodes: [GraphModel.Node] = []
        for node in graph.nodes {
            switch node.operation {
            case .sequence(let from, let layers):
                var entries: [Sequential.Entry] = []
                var k = 0
                while k < layers.count {
                    let layer = layers[k]
                    let made: any Layer
                    do { made = try self.layer(layer.kind).moduleErased(layer, &context) } catch {
                        throw LoweringError("\(node.name).\(layer.index) (\(layer.kind)): \(error)")
                    }
                    // The model's inputs are data: a first layer reading one needs no input gradient.
                    let inputNeedsGradient = k > 0 || graph.input(named: from) == nil
                    if fusing, let conv = made as? Conv2d,
                       let (block, covered) = ConvPoolFusion.block(conv, on: layer.inputShape, inputNeedsGradient: inputNeedsGradient,
                                                                   followedBy: layers[(k + 1)...]) {
                        entries.append(.init(positions: layer.index ..< layer.index + covered, layer: block))
                        k += covered
                    } else {
                        entries.append(.init(positions: layer.index ..< layer.index + 1, layer: made))
                        k += 1
                    }
                }
                nodes.append(.init(name: node.name, operation: .layers(from: from, Sequential(entries: entries))))
            case .merge(let merge):
                nodes.append(.init(name: node.name, operation: .merge(inputs: merge.from, self.merge(merge.kind).moduleErased(merge))))
            }
        }
        return GraphModel(inputs: graph.inputs.map(\.name), nodes: nodes,
                          outputs: graph.outputs.map { (name: $0.name, node: $0.from) }, rng: dropoutRNG)
    }
}

/// The graph could not become a model (a programming error: the front end checks specs first).
public struct LoweringError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

extension RunnableLayer {
    /// `module` for a layer this definition resolved.
    func moduleErased(_ layer: GraphLayer, _ context: inout LoweringContext) throws -> any Layer {
        guard let attributes = layer.attributes as? Attributes else {
            preconditionFailure("[\(kind.name)] the layer's attributes are \(type(of: layer.attributes)), not this definition's")
        }
        return try module(attributes, layer, &context)
    }
}

extension RunnableMerge {
    /// `module` for a merge this definition resolved.
    func moduleErased(_ merge: GraphMerge) -> any MergeModule {
        guard let attributes = merge.attributes as? Attributes else {
            preconditionFailure("[\(kind.name)] the merge's attributes are \(type(of: merge.attributes)), not this definition's")
        }
        return module(attributes)
    }
}
