/// A sliding window over the two spatial axes of an [N, C, H, W] tensor: kernel size, stride,
/// zero (or -inf) padding on both sides, and dilation, each as (height, width). Convolution and
/// pooling share it, and with it PyTorch's output-size rule (ceil_mode false).
public struct Window2D: Sendable, Hashable, CustomStringConvertible {
    public var kernelH, kernelW: Int
    public var strideH, strideW: Int
    public var padH, padW: Int
    public var dilationH, dilationW: Int

    public init(kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1)) {
        (kernelH, kernelW) = kernel
        (strideH, strideW) = stride
        (padH, padW) = padding
        (dilationH, dilationW) = dilation
    }

    /// The span of input rows one window covers: d (k - 1) + 1.
    var extentH: Int { dilationH * (kernelH - 1) + 1 }
    var extentW: Int { dilationW * (kernelW - 1) + 1 }

    /// floor((H + 2p - d (k - 1) - 1) / s) + 1; zero or negative when the window does not fit.
    public func outputHeight(_ height: Int) -> Int { (height + 2 * padH - extentH) / strideH + 1 }
    public func outputWidth(_ width: Int) -> Int { (width + 2 * padW - extentW) / strideW + 1 }

    /// Why this window cannot run over an input of `height` x `width`, or nil when it can.
    public func problem(height: Int, width: Int) -> String? {
        if min(kernelH, kernelW) < 1 { return "kernel \(kernelH)x\(kernelW) must be positive" }
        if min(strideH, strideW) < 1 { return "stride (\(strideH),\(strideW)) must be positive" }
        if min(dilationH, dilationW) < 1 { return "dilation (\(dilationH),\(dilationW)) must be positive" }
        if min(padH, padW) < 0 { return "padding (\(padH),\(padW)) must not be negative" }
        if height + 2 * padH < extentH || width + 2 * padW < extentW {
            return "window \(extentH)x\(extentW) does not fit the padded input \(height + 2 * padH)x\(width + 2 * padW)"
        }
        return nil
    }

    public var description: String {
        "kernel \(kernelH)x\(kernelW), stride (\(strideH),\(strideW)), padding (\(padH),\(padW)), dilation (\(dilationH),\(dilationW))"
    }
}
