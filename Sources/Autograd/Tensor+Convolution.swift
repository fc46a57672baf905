import Kernels

extension Tensor {
    /// 2-d convolution as PyTorch's conv2d (a cross-correlation) of this [N, C, H, W] input with an
    /// [O, C, kh, kw] weight and an optional [O] bias, with zero padding on both sides of each
    /// spatial axis. The result is [N, O, oh, ow] with
    /// oh = floor((H + 2 padding - dilation (kh - 1) - 1) / stride) + 1, and likewise ow.
    public func conv2d(
        _ weight: Tensor, bias: Tensor? = nil, stride: IntOrPair = 1, padding: IntOrPair = 0, dilation: IntOrPair = 1
    ) -> Tensor {
        let g = convolutionGeometry("conv2d", weight, bias, stride: stride, padding: padding, dilation: dilation)
        let out = Tensor(uninitialized: [g.batch, g.outChannels, g.outHeight, g.outWidth])
        Convolution.forward(x: data, weight: weight.data, bias: bias?.data, y: out.data, geometry: g)
        // One pass computes both parameter gradients (the bias rides along in the GEMM); with the
        // input's gradient too, the pass computes all three (Winograd shares its work).
        return recordingConvolutionBackward(out, weight: weight, bias: bias) { dy, dx, accumulate, dWeight, dBias in
            if let dx {
                Convolution.gradients(dy: dy, x: self.data, weight: weight.data, dx: dx, accumulate: accumulate,
                                      dWeight: dWeight, dBias: dBias, geometry: g)
            } else {
                Convolution.parameterGradients(dy: dy, x: self.data, dWeight: dWeight, dBias: dBias, geometry: g)
            }
        }
    }

    /// Grouped 2-d convolution, as PyTorch's conv2d with `groups`: the C input channels and the O
    /// output channels split into `groups` consecutive blocks, block g of the output computed from
    /// block g of the input alone, with an [O, C / groups, kh, kw] weight; groups = C is depthwise.
    ///
    /// Stride 1 runs on the grouped padded-rows kernels (each output reads its group's planes of
    /// the padded image in place). Other strides are a composite of per-group convolutions over
    /// channel slices, joined along the channels: the slices and the join carry the gradients.
    public func conv2d(
        _ weight: Tensor, bias: Tensor? = nil, stride: IntOrPair = 1, padding: IntOrPair = 0, dilation: IntOrPair = 1, groups: Int
    ) -> Tensor {
        guard groups != 1 else { return conv2d(weight, bias: bias, stride: stride, padding: padding, dilation: dilation) }
        precondition(shape.rank == 4 && weight.shape.rank == 4 && groups > 0 && shape[1] == weight.shape[1] * groups
                     && weight.shape[0] % groups == 0,
                     "[conv2d] weight \(weight.shape) does not fit input \(shape) in \(groups) groups: it must be (O,\(shape[1] / max(groups, 1)),kh,kw) with O divisible by \(groups)")
        let window = Window2D(kernel: (weight.shape[2], weight.shape[3]), stride: stride.pair, padding: padding.pair, dilation: dilation.pair)
        let g = ConvGeometry(batch: shape[0], inChannels: shape[1], height: shape[2], width: shape[3], outChannels: weight.shape[0],
                             window: window)
        if window.problem(height: shape[2], width: shape[3]) == nil && Convolution.rowsApply(g) {
            if let bias {
                precondition(bias.shape == [weight.shape[0]], "[conv2d] bias \(bias.shape) must be (\(weight.shape[0]),) for weight \(weight.shape)")
            }
            return groupedConv2d(weight, bias: bias, geometry: g, groups: groups)
        }
        let inPerGroup = weight.shape[1], outPerGroup = weight.shape[0] / groups
        let parts = (0..<groups).map { g in
            let outputs = (g * outPerGroup)..<((g + 1) * outPerGroup)
            return slice(axis: 1, (g * inPerGroup)..<((g + 1) * inPerGroup))
                .conv2d(weight.slice(axis: 0, outputs), bias: bias?.slice(axis: 0, outputs), stride: stride, padding: padding, dilation: dilation)
        }
        return Tensor.concat(parts, axis: 1)
    }

    /// The grouped convolution on its own kernels, forward and backward.
    private func groupedConv2d(_ weight: Tensor, bias: Tensor?, geometry g: ConvGeometry, groups: Int) -> Tensor {
        let out = Tensor(uninitialized: [g.batch, g.outChannels, g.outHeight, g.outWidth])
        Convolution.groupedForward(x: data, weight: weight.data, bias: bias?.data, y: out.data, geometry: g, groups: groups)
        return recordingConvolutionBackward(out, weight: weight, bias: bias) { dy, dx, accumulate, dWeight, dBias in
            Convolution.groupedGradients(dy: dy, x: self.data, weight: weight.data, dx: dx, accumulate: accumulate,
                                         dWeight: dWeight, dBias: dBias, geometry: g, groups: groups)
        }
    }

    /// Records the backward pass of a convolution `out` of this input: `gradients(dy, dx,
    /// accumulate, dWeight, dBias)` computes dx (=|+=, nil when the input needs no gradient) and
    /// overwrites dWeight and dBias (each nil when not wanted). The parameter gradients land in
    /// temporaries and are then copied or added into each gradient.
    private func recordingConvolutionBackward(
        _ out: Tensor, weight: Tensor, bias: Tensor?,
        _ gradients: @escaping (UnsafePointer<Float>, UnsafeMutablePointer<Float>?, Bool, UnsafeMutablePointer<Float>?,
                                UnsafeMutablePointer<Float>?) -> Void
    ) -> Tensor {
        let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
        return out.recordingBackward(inputs) { _, grad in
            let dWeight = weight.requiresGrad ? Tensor(uninitialized: weight.shape) : nil
            let dBias = bias?.requiresGrad == true ? Tensor(uninitialized: [weight.shape[0]]) : nil
            if self.requiresGrad {
                self.accumulateGradient { dx, accumulate in gradients(grad.data, dx, accumulate, dWeight?.data, dBias?.data) }
            } else if dWeight != nil || dBias != nil {
                gradients(grad.data, nil, false, dWeight?.data, dBias?.data)
            }
            if let dWeight { weight.addGradient(dWeight) }
            if let dBias, let bias { bias.addGradient(dBias) }
        }
    }

    /// The geometry of a convolution of this input with `weight`, checked.
    func convolutionGeometry(
        _ op: String, _ weight: Tensor, _ bias: Tensor?, stride: IntOrPair, padding: IntOrPair, dilation: IntOrPair
    ) -> ConvGeometry {
        precondition(shape.rank == 4, "[\(op)] input must be (N,C,H,W), got shape \(shape)")
        precondition(weight.shape.rank == 4 && weight.shape[1] == shape[1],
                     "[\(op)] weight \(weight.shape) does not fit input \(shape): it must be (O,\(shape[1]),kh,kw)")
        if let bias {
            precondition(bias.shape == [weight.shape[0]], "[\(op)] bias \(bias.shape) must be (\(weight.shape[0]),) for weight \(weight.shape)")
        }
        let window = Window2D(kernel: (weight.shape[2], weight.shape[3]), stride: stride.pair, padding: padding.pair, dilation: dilation.pair)
        if let problem = window.problem(height: shape[2], width: shape[3]) {
            preconditionFailure("[\(op)] input \(shape), weight \(weight.shape): \(problem)")
        }
        return ConvGeometry(batch: shape[0], inChannels: shape[1], height: shape[2], width: shape[3],
                            outChannels: weight.shape[0], window: window)
    }

    /// Adds `contribution` (of this tensor's shape) into the gradient.
    func addGradient(_ contribution: Tensor) {
        accumulateGradient { d, accumulate in
            Elementwise.copy(contribution.data, into: d, count: contribution.count, accumulate: accumulate)
        }
    }
}
