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
    ///
    /// With `fusing` (the default), a run of conv2d, maxpool2d and an optional relu, leaky_relu or
    /// elu becomes one `ConvPoolBlock` where `ConvPool.isFusable` allows: the same parameters, names
    /// and results, computed without storing the convolution's output. conv2d, a monotone
    /// activation, maxpool2d always becomes one (pooling first; see `fusedBlock`).
    public static func model(for graph: Graph, rng: inout RandomGenerator, dropoutRNG: RandomGenerator,
                             fusing: Bool = true) throws(LoweringError) -> GraphModel {
        var nodes: [GraphModel.Node] = []
        for node in graph.nodes {
            switch node.operation {
            case .sequence(let from, let layers):
                var entries: [Sequential.Entry] = []
                var k = 0
                while k < layers.count {
                    let layer = layers[k]
                    let made: any Layer
                    do { made = try module(for: layer, rng: &rng) } catch {
                        throw LoweringError("\(node.name).\(layer.index) (\(layer.layer.kindName)): \(error)")
                    }
                    // The model's inputs are data: a first layer reading one needs no input gradient.
                    let inputNeedsGradient = k > 0 || graph.input(named: from) == nil
                    if fusing, let conv = made as? Conv2d,
                       let (block, covered) = fusedBlock(conv, on: layer.inputShape, inputNeedsGradient: inputNeedsGradient,
                                                         followedBy: layers[(k + 1)...]) {
                        entries.append(.init(positions: layer.index ..< layer.index + covered, layer: block))
                        k += covered
                    } else {
                        entries.append(.init(positions: layer.index ..< layer.index + 1, layer: made))
                        k += 1
                    }
                }
                nodes.append(.init(name: node.name, operation: .layers(from: from, Sequential(entries: entries))))
            case .concat(let from, let dim):
                nodes.append(.init(name: node.name, operation: .concat(inputs: from, axis: dim)))
            case .add(let from):
                nodes.append(.init(name: node.name, operation: .add(inputs: from)))
            }
        }
        return GraphModel(inputs: graph.inputs.map(\.name), nodes: nodes,
                          outputs: graph.outputs.map { (name: $0.name, node: $0.from) }, rng: dropoutRNG)
    }

    /// The fused block for `conv` and the max pooling (and activation) after it, with the number of
    /// positions it covers, or nil when they do not qualify. An activation that cannot be fused
    /// (a negative slope) stays a layer of its own after a fused convolution and pooling.
    ///
    /// conv -> activation -> maxpool becomes the same block when the activation is monotone
    /// non-decreasing: max(f(a), f(b)) = f(max(a, b)) (see `MonotoneActivation`), so pooling first
    /// gives the same values and gradients while the activation runs on a quarter of the values.
    /// That order pays even where the fused kernel does not apply (the block then composes conv,
    /// pool and activation in that order), so this form always becomes a block.
    static func fusedBlock(_ conv: Conv2d, on input: TensorShape, inputNeedsGradient: Bool,
                           followedBy next: ArraySlice<GraphLayer>) -> (ConvPoolBlock, Int)? {
        let following = Array(next.prefix(2).map(\.layer))
        guard let dims = input.concrete, dims.count == 3, !following.isEmpty else { return nil }
        let pool: ResolvedLayer.Pool2d, activation: MonotoneActivation?, activationFirst: Bool
        if case .maxPool2d(let p) = following[0] {
            (pool, activation, activationFirst) = (p, following.count > 1 ? monotone(following[1]) : nil, false)
        } else if following.count == 2, let f = monotone(following[0]), f.isMonotone, case .maxPool2d(let p) = following[1] {
            (pool, activation, activationFirst) = (p, f, true)
        } else {
            return nil
        }
        guard pool.stride == pool.kernel, pool.padding == HeightWidth(0, 0) else { return nil }
        let w = conv.weight.shape
        let window = Window2D(kernel: (w[2], w[3]), stride: (conv.stride.height, conv.stride.width),
                              padding: (conv.padding.height, conv.padding.width), dilation: (conv.dilation.height, conv.dilation.width))
        let poolWindow = Window2D(kernel: (pool.kernel.height, pool.kernel.width), stride: (pool.stride.height, pool.stride.width))
        let poolKernel = IntOrPair(pool.kernel.height, pool.kernel.width)
        if activationFirst, let activation {
            return (ConvPoolBlock(conv: conv, poolKernel: poolKernel, activation: activation), 3)
        }
        for (candidate, covered) in [(activation, 3), (MonotoneActivation.none, 2)] {
            guard let candidate, ConvPool.isFusable(conv: window, inChannels: w[1], height: dims[1], width: dims[2], pool: poolWindow,
                                                    activation: candidate, inputNeedsGradient: inputNeedsGradient) else { continue }
            return (ConvPoolBlock(conv: conv, poolKernel: poolKernel, activation: candidate), covered)
        }
        return nil
    }

    /// The fusable activation a layer is, if it is one.
    static func monotone(_ layer: ResolvedLayer) -> MonotoneActivation? {
        switch layer {
        case .relu: .relu
        case .leakyReLU(let slope): .leakyRelu(slope: Float(slope))
        case .elu(let alpha): .elu(alpha: Float(alpha))
        default: nil
        }
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
