import Diagnostics
import GraphIR
import Kernels
import SpecLanguage

/// The keys of a 2-d window (`kernel`, `stride`, `padding`) shared by convolution and pooling,
/// and the shape rule of a window sliding over height and width, with its diagnostics.
enum WindowKeys {
    /// Up to 65,536: far beyond any image a CPU trains on, and small enough that the window
    /// arithmetic below cannot overflow.
    static let positive = Bounds.interval(1, 65_536)
    static let padding = Bounds.interval(0, 65_536)

    static func keys(stride defaultsToKernel: Bool, padding: String) -> [ParameterSpec] {
        [
            ParameterSpec("kernel", .intPair, .required, bounds: positive, pytorch: "kernel_size",
                          "Window height and width: `3` or `[3, 5]`."),
            defaultsToKernel
                ? ParameterSpec("stride", .intPair, .optional("`kernel`"), bounds: positive, "Step between windows.")
                : ParameterSpec("stride", .intPair, .defaultValue(.pair(1, 1)), bounds: positive, "Step between windows."),
            ParameterSpec("padding", .intPair, .defaultValue(.pair(0, 0)), bounds: Self.padding, padding),
        ]
    }

    static let dilation = ParameterSpec("dilation", .intPair, .defaultValue(.pair(1, 1)), bounds: positive,
                                        "Spacing between the window's taps.")
}

extension LayerInference {
    /// `(height, width)` of a pair option; (1, 1) when absent (a draft with errors).
    func pair(_ key: String) -> (Int, Int) { options.pair(key) ?? (1, 1) }

    /// The window the layer's options describe; `stride` defaults to the kernel when the layer says so.
    func window(strideDefaultsToKernel: Bool = false, dilated: Bool = true) -> Window2D {
        let kernel = pair("kernel")
        let stride = strideDefaultsToKernel && !options.isGiven("stride") ? kernel : pair("stride")
        return Window2D(kernel: kernel, stride: stride, padding: pair("padding"), dilation: dilated ? pair("dilation") : (1, 1))
    }

    /// The output height and width of `window` over the input's last two axes, as PyTorch computes
    /// them (floor rounding); nil after reporting a window that does not fit or a size that
    /// depends on the data in a way the window cannot pass through.
    mutating func slide(_ window: Window2D) -> (height: SymbolicSize, width: SymbolicSize)? {
        let dims = input.dims
        guard let h = slide(dims[dims.count - 2], window.kernelH, window.strideH, window.padH, window.dilationH, "height"),
              let w = slide(dims[dims.count - 1], window.kernelW, window.strideW, window.padW, window.dilationW, "width")
        else { return nil }
        return (h, w)
    }

    private mutating func slide(_ size: SymbolicSize, _ kernel: Int, _ stride: Int, _ padding: Int, _ dilation: Int,
                                _ axisName: String) -> SymbolicSize? {
        // Wrapping arithmetic: absurd user sizes give absurd numbers in messages, not a trap.
        let span = dilation &* (kernel &- 1) &+ 1
        guard let n = size.constant else {
            // Symbolic spatial sizes only pass through windows that do not divide them.
            guard stride == 1 else {
                error(.uncomputableSize, "\(label) slides a stride-\(stride) window over the \(axisName) \(size), which depends on the data",
                      notes: [origin])
                return nil
            }
            return size + SymbolicSize(2 &* padding &- span &+ 1)
        }
        let padded = n &+ 2 &* padding
        guard padded >= span else {
            let paddedText = padding > 0 ? " (\(padded) with padding)" : ""
            let spanText = dilation > 1 ? " (\(span) dilated)" : ""
            error(.windowTooLarge, "\(label) window \(axisName) \(kernel)\(spanText) is larger than the input \(axisName) \(n)\(paddedText)",
                  notes: [origin])
            return nil
        }
        return SymbolicSize((padded &- span) / stride &+ 1)
    }
}

extension Window2D {
    /// `3` or `(3, 5)`, as summaries and PyTorch's arguments write a pair.
    var kernelText: String { Python.pair(kernelH, kernelW) }
    var strideText: String { Python.pair(strideH, strideW) }
    var paddingText: String { Python.pair(padH, padW) }
    var dilationText: String { Python.pair(dilationH, dilationW) }
    var hasStrideOne: Bool { strideH == 1 && strideW == 1 }
    var hasStrideOfKernel: Bool { strideH == kernelH && strideW == kernelW }
    var hasPadding: Bool { padH != 0 || padW != 0 }
    var isDilated: Bool { dilationH != 1 || dilationW != 1 }
}
