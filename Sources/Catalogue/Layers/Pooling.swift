import Autograd
import GraphIR
import Kernels
import NN
import ONNX
import SpecLanguage

/// `maxpool2d` and `avgpool2d`: `nn.MaxPool2d` and `nn.AvgPool2d` with PyTorch's defaults for what
/// specs cannot set (no dilation, floor rounding, padding counted in averages); `stride` defaults
/// to the kernel.
struct Pool2dLayer: RunnableLayer {
    let kind: KindSpec
    let pooling: Pool2d.Kind
    let torchName: String

    static let max = Pool2dLayer(kind: KindSpec("maxpool2d", .layer, pytorch: "nn.MaxPool2d", "2-d max pooling.",
        WindowKeys.keys(stride: true, padding: "Cells added on each side, never the maximum; at most half the kernel."),
        overview: overview), pooling: .max, torchName: "nn.MaxPool2d")
    static let average = Pool2dLayer(kind: KindSpec("avgpool2d", .layer, pytorch: "nn.AvgPool2d", "2-d average pooling.",
        WindowKeys.keys(stride: true, padding: "Zeros added on each side and counted in the average's divisor (PyTorch's default); at most half the kernel."),
        overview: overview), pooling: .average, torchName: "nn.AvgPool2d")
    private static let overview = ["`[C, H, W]`", "`[C, H', W']`", "0", "`kh*kw*C*H'*W'`"]

    var example: LayerExample { LayerExample(input: [1, 6, 6], "{\(kind.name): {kernel: 2}}") }

    struct Attributes: LayerAttributes {
        var name: String
        var window: Window2D

        var signature: String {
            var parts = ["kernel \(window.kernelText)"]
            if !window.hasStrideOfKernel { parts.append("stride \(window.strideText)") }
            if window.hasPadding { parts.append("padding \(window.paddingText)") }
            return "\(name)(" + parts.joined(separator: ", ") + ")"
        }
    }

    func infer(_ layer: inout LayerInference) -> Inferred<Attributes>? {
        guard layer.requireRank([3], "channels x height x width per sample") else { return nil }
        let window = layer.window(strideDefaultsToKernel: true, dilated: false)
        if window.padH > window.kernelH / 2 || window.padW > window.kernelW / 2 {
            layer.error(.outOfRange, "\(layer.label) `padding` \(window.paddingText) is more than half the kernel \(window.kernelText)",
                        at: layer.options.range(of: "padding"))
            return nil
        }
        guard let (h, w) = layer.slide(window) else { return nil }
        let c = layer.dims[0]
        return Inferred(Attributes(name: kind.name, window: window), output: [c, h, w],
                        flops: c * h * w * SymbolicSize(window.kernelH &* window.kernelW))
    }

    func torchModule(_ a: Attributes, _ layer: GraphLayer) -> String {
        var arguments = ["kernel_size=" + a.window.kernelText]
        if !a.window.hasStrideOfKernel { arguments.append("stride=" + a.window.strideText) }
        if a.window.hasPadding { arguments.append("padding=" + a.window.paddingText) }
        return TorchExport.call(torchName, arguments)
    }

    func module(_ a: Attributes, _ layer: GraphLayer, _ context: inout LoweringContext) throws -> any Layer {
        let w = a.window
        return Pool2d(pooling, kernel: IntOrPair(w.kernelH, w.kernelW), stride: IntOrPair(w.strideH, w.strideW),
                      padding: IntOrPair(w.padH, w.padW))
    }

    func onnx(_ a: Attributes, _ layer: GraphLayer, _ x: String, _ context: inout ONNXLayerContext) throws(LoweringError) -> String {
        let w = a.window
        let window: [ONNXAttribute] = [.ints("kernel_shape", [w.kernelH, w.kernelW]), .ints("strides", [w.strideH, w.strideW]),
                                       .ints("pads", [w.padH, w.padW, w.padH, w.padW])]
        // MaxPool never picks padding; AveragePool counts it in the divisor, as PyTorch does by default.
        return pooling == .max ? context.node("MaxPool", [x], window) : context.node("AveragePool", [x], window + [.int("count_include_pad", 1)])
    }
}
