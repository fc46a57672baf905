import Kernels

extension Tensor {
    /// `conv2d(weight, bias:, stride:, padding:, dilation:)`, then `maxPool2d(kernelSize: poolKernel)`
    /// (stride = kernel, no padding), then `activation`, as one operation: the composition's result
    /// and gradients, up to the rounding of the convolution's sums.
    ///
    /// Fused (`ConvPool`) where `ConvPool.isFusable` allows (convolution stride 1, 2x2 pooling, few
    /// taps, wide enough rows, a monotone activation): there the convolution's output is never
    /// stored, which makes an image model's first block twice as fast; elsewhere this composes
    /// the three operations.
    public func conv2dMaxPool(
        _ weight: Tensor, bias: Tensor? = nil, stride: IntOrPair = 1, padding: IntOrPair = 0, dilation: IntOrPair = 1,
        poolKernel: IntOrPair = 2, activation: MonotoneActivation = .none
    ) -> Tensor {
        let conv = convolutionGeometry("conv2d_maxpool", weight, bias, stride: stride, padding: padding, dilation: dilation)
        let pool = Window2D(kernel: poolKernel.pair, stride: poolKernel.pair)
        guard ConvPool.isFusable(conv: conv.window, inChannels: conv.inChannels, height: conv.height, width: conv.width,
                                 pool: pool, activation: activation, inputNeedsGradient: requiresGrad) else {
            let pooled = conv2d(weight, bias: bias, stride: stride, padding: padding, dilation: dilation).maxPool2d(kernelSize: poolKernel)
            switch activation {
            case .none: return pooled
            case .relu: return pooled.relu()
            case .leakyRelu(let slope): return pooled.leakyRelu(negativeSlope: slope)
            case .elu(let alpha): return pooled.elu(alpha: alpha)
            }
        }
        let g = ConvPoolGeometry(conv: conv)
        let out = Tensor(uninitialized: [conv.batch, conv.outChannels, g.pooledHeight, g.pooledWidth])
        let record = ConvPool.forward(x: data, weight: weight.data, bias: bias?.data, y: out.data, geometry: g, activation: activation)
        let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
        return out.recordingBackward(inputs) { out, grad in
            self.accumulateGradient { dx, accumulate in
                ConvPool.inputGradient(dy: grad.data, y: out.data, record: record, weight: weight.data, dx: dx,
                                       geometry: g, activation: activation, accumulate: accumulate)
            }
            // One pass computes both parameter gradients, into temporaries then copied or added.
            let dWeight = weight.requiresGrad ? Tensor(uninitialized: weight.shape) : nil
            let dBias = bias?.requiresGrad == true ? Tensor(uninitialized: [conv.outChannels]) : nil
            guard dWeight != nil || dBias != nil else { return }
            ConvPool.parameterGradients(dy: grad.data, y: out.data, record: record, x: self.data,
                                        dWeight: dWeight?.data, dBias: dBias?.data, geometry: g, activation: activation)
            if let dWeight { weight.addGradient(dWeight) }
            if let dBias, let bias { bias.addGradient(dBias) }
        }
    }
}
