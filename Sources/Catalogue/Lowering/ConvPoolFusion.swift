import Autograd
import GraphIR
import Kernels
import NN

/// When a convolution, the max pooling after it and a monotone activation run as one fused
/// kernel (`ConvPoolBlock`), which never stores the convolution's output.
enum ConvPoolFusion {
    /// The fused block for `conv` and the max pooling (and activation) after it, with the number of
    /// positions it covers, or nil when they do not qualify. An activation that cannot be fused
    /// (a negative slope) stays a layer of its own after a fused convolution and pooling. A grouped
    /// convolution is never fused.
    static func block(_ conv: Conv2d, on input: TensorShape, inputNeedsGradient: Bool,
                      followedBy next: ArraySlice<GraphLayer>) -> (ConvPoolBlock, Int)? {
        // The fused kernel convolves every input channel into every output: no groups.
        guard conv.groups == 1, let first = next.first, first.kind == "maxpool2d", let p = first.attributes(as: Pool2dLayer.Attributes.self),
              p.window.hasStrideOfKernel, !p.window.hasPadding, let dims = input.concrete, dims.count == 3 else { return nil }
        let w = conv.weight.shape
        let window = Window2D(kernel: (w[2], w[3]), stride: (conv.stride.height, conv.stride.width),
                              padding: (conv.padding.height, conv.padding.width), dilation: (conv.dilation.height, conv.dilation.width))
        let pool = Window2D(kernel: (p.window.kernelH, p.window.kernelW), stride: (p.window.strideH, p.window.strideW))
        let activation = next.dropFirst().first?.attributes(as: Activation.Attributes.self)?.monotone
        for (candidate, covered) in [(activation, 3), (MonotoneActivation.none, 2)] {
            guard let candidate, ConvPool.isFusable(conv: window, inChannels: w[1], height: dims[1], width: dims[2], pool: pool,
                                                    activation: candidate, inputNeedsGradient: inputNeedsGradient) else { continue }
            return (ConvPoolBlock(conv: conv, poolKernel: IntOrPair(p.window.kernelH, p.window.kernelW), activation: candidate), covered)
        }
        return nil
    }
}
