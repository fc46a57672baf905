import Autograd
import GraphIR
import Kernels
import NN

/// When a convolution, a max pooling and a monotone activation run as one fused kernel
/// (`ConvPoolBlock`), which never stores the convolution's output.
enum ConvPoolFusion {
    /// The fused block for `conv` and the layers after it, with the number of positions it
    /// covers, or nil when they do not qualify:
    /// - conv -> maxpool (-> activation): where `ConvPool.isFusable` allows; an activation that
    ///   cannot be fused (a negative slope) stays a layer of its own after the block.
    /// - conv -> activation -> maxpool, for an activation that is monotone non-decreasing:
    ///   max(f(a), f(b)) = f(max(a, b)) (see `MonotoneActivation`), so pooling first gives the same
    ///   values and gradients while the activation runs on a quarter of the values. That order
    ///   pays even where the fused kernel does not apply (the block then composes conv, pool and
    ///   activation), so this form always becomes a block.
    /// A grouped convolution is never fused.
    static func block(_ conv: Conv2d, on input: TensorShape, inputNeedsGradient: Bool,
                      followedBy next: ArraySlice<GraphLayer>) -> (ConvPoolBlock, Int)? {
        let following = Array(next.prefix(2))
        // The fused kernel convolves every input channel into every output: no groups.
        guard conv.groups == 1, let dims = input.concrete, dims.count == 3, let first = following.first else { return nil }
        let pool: Pool2dLayer.Attributes, activation: MonotoneActivation?, activationFirst: Bool
        if let p = maxPool(first) {
            (pool, activation, activationFirst) = (p, following.count > 1 ? monotone(following[1]) : nil, false)
        } else if following.count == 2, let f = monotone(first), f.isMonotone, let p = maxPool(following[1]) {
            (pool, activation, activationFirst) = (p, f, true)
        } else {
            return nil
        }
        guard pool.window.hasStrideOfKernel, !pool.window.hasPadding else { return nil }
        let w = conv.weight.shape
        let window = Window2D(kernel: (w[2], w[3]), stride: (conv.stride.height, conv.stride.width),
                              padding: (conv.padding.height, conv.padding.width), dilation: (conv.dilation.height, conv.dilation.width))
        let poolWindow = Window2D(kernel: (pool.window.kernelH, pool.window.kernelW), stride: (pool.window.strideH, pool.window.strideW))
        let poolKernel = IntOrPair(pool.window.kernelH, pool.window.kernelW)
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

    /// The layer's pooling when it is a max pooling.
    private static func maxPool(_ layer: GraphLayer) -> Pool2dLayer.Attributes? {
        layer.kind == "maxpool2d" ? layer.attributes(as: Pool2dLayer.Attributes.self) : nil
    }

    /// The activation as the fused kernel applies it, when the layer is one it has.
    private static func monotone(_ layer: GraphLayer) -> MonotoneActivation? {
        layer.attributes(as: Activation.Attributes.self)?.monotone
    }
}
