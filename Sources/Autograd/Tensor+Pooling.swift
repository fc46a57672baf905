import Kernels

extension Tensor {
    /// Max pooling over the spatial axes of this [N, C, H, W] tensor, as PyTorch's max_pool2d with
    /// ceil_mode false: the padding (at most half the kernel) counts as -inf, the stride defaults to
    /// the kernel size, and the gradient goes to the first maximum of each window in row-major
    /// order (overlapping windows add up). NaN propagates.
    public func maxPool2d(kernelSize: IntOrPair, stride: IntOrPair? = nil, padding: IntOrPair = 0) -> Tensor {
        let g = poolGeometry("maxpool2d", kernelSize, stride, padding)
        let out = Tensor(uninitialized: [shape[0], shape[1], g.outHeight, g.outWidth])
        let indices = Pooling.maxForward(x: data, y: out.data, geometry: g)
        return out.recordingBackward([self]) { _, grad in
            self.accumulateGradient { dx, accumulate in
                Pooling.maxBackward(dy: grad.data, indices: indices, dx: dx, geometry: g, accumulate: accumulate)
            }
        }
    }

    /// Average pooling over the spatial axes of this [N, C, H, W] tensor, as PyTorch's avg_pool2d
    /// with its defaults: ceil_mode false and count_include_pad true, so every window divides by
    /// kh kw, zero padding (at most half the kernel) included. The stride defaults to the kernel size.
    public func avgPool2d(kernelSize: IntOrPair, stride: IntOrPair? = nil, padding: IntOrPair = 0) -> Tensor {
        let g = poolGeometry("avgpool2d", kernelSize, stride, padding)
        let out = Tensor(uninitialized: [shape[0], shape[1], g.outHeight, g.outWidth])
        Pooling.averageForward(x: data, y: out.data, geometry: g)
        return out.recordingBackward([self]) { _, grad in
            self.accumulateGradient { dx, accumulate in
                Pooling.averageBackward(dy: grad.data, dx: dx, geometry: g, accumulate: accumulate)
            }
        }
    }

    /// Average pooling of this [N, C, H, W] tensor to [N, C, outHeight, outWidth], as PyTorch's
    /// adaptive_avg_pool2d: output cell i averages input rows floor(i H / oh) ..< ceil((i + 1) H / oh),
    /// and likewise for columns. An output of 1 x 1 is global average pooling.
    public func adaptiveAvgPool2d(_ outputSize: IntOrPair) -> Tensor {
        let g = adaptiveGeometry("adaptive_avg_pool2d", outputSize)
        let out = Tensor(uninitialized: [shape[0], shape[1], g.outHeight, g.outWidth])
        AdaptivePooling.averageForward(x: data, y: out.data, geometry: g)
        return out.recordingBackward([self]) { _, grad in
            self.accumulateGradient { dx, accumulate in
                AdaptivePooling.averageBackward(dy: grad.data, dx: dx, geometry: g, accumulate: accumulate)
            }
        }
    }

    /// Max pooling of this [N, C, H, W] tensor to [N, C, outHeight, outWidth] over the windows of
    /// `adaptiveAvgPool2d`, as PyTorch's adaptive_max_pool2d: the gradient goes to the first
    /// maximum of each window (overlapping windows add up); NaN propagates.
    public func adaptiveMaxPool2d(_ outputSize: IntOrPair) -> Tensor {
        let g = adaptiveGeometry("adaptive_max_pool2d", outputSize)
        let out = Tensor(uninitialized: [shape[0], shape[1], g.outHeight, g.outWidth])
        let indices = AdaptivePooling.maxForward(x: data, y: out.data, geometry: g)
        return out.recordingBackward([self]) { _, grad in
            self.accumulateGradient { dx, accumulate in
                AdaptivePooling.maxBackward(dy: grad.data, indices: indices, dx: dx, geometry: g, accumulate: accumulate)
            }
        }
    }

    private func adaptiveGeometry(_ op: String, _ outputSize: IntOrPair) -> AdaptivePoolGeometry {
        precondition(shape.rank == 4 && shape[2] > 0 && shape[3] > 0, "[\(op)] input must be (N,C,H,W) with H, W > 0, got shape \(shape)")
        precondition(outputSize.height > 0 && outputSize.width > 0, "[\(op)] output size must be positive, got \(outputSize)")
        return AdaptivePoolGeometry(planes: shape[0] * shape[1], height: shape[2], width: shape[3],
                                    outHeight: outputSize.height, outWidth: outputSize.width)
    }

    private func poolGeometry(_ op: String, _ kernel: IntOrPair, _ stride: IntOrPair?, _ padding: IntOrPair) -> PoolGeometry {
        precondition(shape.rank == 4, "[\(op)] input must be (N,C,H,W), got shape \(shape)")
        let window = Window2D(kernel: kernel.pair, stride: (stride ?? kernel).pair, padding: padding.pair)
        if let problem = window.problem(height: shape[2], width: shape[3]) {
            preconditionFailure("[\(op)] input \(shape), kernel \(kernel): \(problem)")
        }
        precondition(2 * padding.height <= kernel.height && 2 * padding.width <= kernel.width,
                     "[\(op)] padding \(padding) must be at most half of kernel \(kernel)")
        return PoolGeometry(planes: shape[0] * shape[1], height: shape[2], width: shape[3], window: window)
    }
}
