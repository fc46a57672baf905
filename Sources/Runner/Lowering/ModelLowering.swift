import Autograd
import GraphIR
import Kernels
import NN
import SpecLanguage

/// Turns a compiled, bound graph into NN modules: one `Sequential` per layer node, with PyTorch's
/// module names, so `state_dict` names are the equivalent `nn.Sequential` model's
/// (`image_layer.0.weight`, `image_layer.4.bias`).
public enum ModelLowering {
    /// The model for `graph`, whose class counts must be bound. Parameters are initialised from
    /// `rng` in graph order, as the spec says or with PyTorch's defaults.
    public static func model(for graph: Graph, rng: inout RandomGenerator, dropoutRNG: RandomGenerator) throws(LoweringError) -> GraphModel {
        var nodes: [GraphModel.Node] = []
        for node in graph.nodes {
            switch node.operation {
            case .sequence(let from, let layers):
                var modules: [any Layer] = []
                for layer in layers {
                    do {
                        modules.append(try module(for: layer, rng: &rng))
                    } catch {
                        throw LoweringError("\(node.name).\(layer.index) (\(layer.layer.kindName)): \(error)")
                    }
                }
                nodes.append(.init(name: node.name, operation: .layers(from: from, Sequential(modules))))
            case .concat(let from, let dim):
                nodes.append(.init(name: node.name, operation: .concat(inputs: from, axis: dim)))
            case .add(let from):
                nodes.append(.init(name: node.name, operation: .add(inputs: from)))
            }
        }
        return GraphModel(inputs: graph.inputs.map(\.name), nodes: nodes,
                          outputs: graph.outputs.map { (name: $0.name, node: $0.from) }, rng: dropoutRNG)
    }

    static func module(for layer: GraphLayer, rng: inout RandomGenerator) throws -> any Layer {
        switch layer.layer {
        case .linear(let l):
            return try Linear(inFeatures: try size(l.inFeatures), outFeatures: try size(l.outFeatures), bias: l.bias,
                              weightInit: layer.initializer.map(initializer), biasInit: layer.biasInitializer.map(initializer), rng: &rng)
        case .conv2d(let c):
            return try Conv2d(inChannels: try size(c.inChannels), outChannels: try size(c.outChannels),
                              kernel: pair(c.kernel), stride: pair(c.stride), padding: pair(c.padding), dilation: pair(c.dilation),
                              bias: c.bias, weightInit: layer.initializer.map(initializer),
                              biasInit: layer.biasInitializer.map(initializer), rng: &rng)
        case .maxPool2d(let p):
            return Pool2d(.max, kernel: pair(p.kernel), stride: pair(p.stride), padding: pair(p.padding))
        case .avgPool2d(let p):
            return Pool2d(.average, kernel: pair(p.kernel), stride: pair(p.stride), padding: pair(p.padding))
        case .flatten(let start, let end):
            return Flatten(start: start, end: end)
        case .relu: return ActivationLayer(.relu)
        case .leakyReLU(let slope): return ActivationLayer(.leakyReLU(negativeSlope: Float(slope)))
        case .elu(let alpha): return ActivationLayer(.elu(alpha: Float(alpha)))
        case .sigmoid: return ActivationLayer(.sigmoid)
        case .tanh: return ActivationLayer(.tanh)
        case .softmax(let dim): return ActivationLayer(.softmax(axis: dim))
        case .logSoftmax(let dim): return ActivationLayer(.logSoftmax(axis: dim))
        case .identity: return ActivationLayer(.identity)
        case .batchNorm(let b):
            return BatchNorm(features: try size(b.numFeatures), momentum: Float(b.momentum), eps: Float(b.eps), affine: b.affine)
        case .dropout(let p):
            return Dropout(p: Float(p))
        }
    }

    /// The NN initializer a spec's initializer names (PyTorch's `torch.nn.init` function).
    public static func initializer(_ spec: InitializerSpec) -> Initializer {
        switch spec {
        case .kaimingUniform(let a, let mode, let nonlinearity):
            return .kaimingUniform(a: a, mode: fanMode(mode), nonlinearity: Initializer.Nonlinearity(rawValue: nonlinearity) ?? .leakyReLU)
        case .kaimingNormal(let a, let mode, let nonlinearity):
            return .kaimingNormal(a: a, mode: fanMode(mode), nonlinearity: Initializer.Nonlinearity(rawValue: nonlinearity) ?? .leakyReLU)
        case .xavierUniform(let gain): return .xavierUniform(gain: gain)
        case .xavierNormal(let gain): return .xavierNormal(gain: gain)
        case .uniform(let a, let b): return .uniform(a: a, b: b)
        case .normal(let mean, let std): return .normal(mean: mean, std: std)
        case .constant(let v): return .constant(val: v)
        case .zeros: return .zeros
        case .ones: return .ones
        }
    }

    private static func fanMode(_ mode: InitializerSpec.FanMode) -> Initializer.FanMode {
        mode == .fanIn ? .fanIn : .fanOut
    }

    private static func pair(_ hw: HeightWidth) -> IntOrPair { IntOrPair(hw.height, hw.width) }

    private static func size(_ s: SymbolicSize) throws(LoweringError) -> Int {
        guard let n = s.constant else { throw LoweringError("size \(s) is not known: bind the class counts first") }
        return n
    }
}

/// The graph could not become a model (a programmer error: the front end checks specs first).
public struct LoweringError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
