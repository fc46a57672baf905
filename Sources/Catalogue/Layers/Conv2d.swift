import Autograd
import GraphIR
import Kernels
import NN
import ONNX
import SpecLanguage

/// `conv2d`: `nn.Conv2d`, a 2-d convolution over channels x height x width.
struct Conv2dLayer: RunnableLayer {
    let kind = KindSpec("conv2d", .layer, pytorch: "nn.Conv2d", "2-d convolution over channels x height x width.", [
        ParameterSpec("in", .size, .optional("inferred from the incoming shape"), bounds: .atLeast(1), pytorch: "in_channels",
                      "Input channels. Optional; when given it is checked against the incoming shape."),
        ParameterSpec("out", .size, .required, bounds: .atLeast(1), pytorch: "out_channels", "Output channels."),
    ] + WindowKeys.keys(stride: false, padding: "Zeros added on each side.") + [
        WindowKeys.dilation,
        ParameterSpec("groups", .int, .defaultValue(.int(1)), bounds: .atLeast(1),
                      "Channel groups: input and output channels split into this many blocks, each output block computed from its input block alone; both counts must be divisible by it. `groups` equal to the input channels is a depthwise convolution."),
        WeightKeys.bias, WeightKeys.weightInit, WeightKeys.biasInit,
    ],
    overview: ["`[C, H, W]`", "`[out, H', W']`", "`out*C/groups*kh*kw + out`", "`2*C/groups*kh*kw*out*H'*W' + out*H'*W'`"])
    let example = LayerExample(input: [3, 6, 6], "{conv2d: {out: 4, kernel: 3, padding: 1}}")

    struct Attributes: LayerAttributes {
        var inChannels: SymbolicSize
        var outChannels: SymbolicSize
        var window: Window2D
        var groups: Int
        var bias: Bool

        var signature: String {
            var parts = ["\(inChannels) -> \(outChannels)", "kernel \(window.kernelText)"]
            if !window.hasStrideOne { parts.append("stride \(window.strideText)") }
            if window.hasPadding { parts.append("padding \(window.paddingText)") }
            if window.isDilated { parts.append("dilation \(window.dilationText)") }
            if groups != 1 { parts.append("groups \(groups)") }
            if !bias { parts.append("no bias") }
            return "conv2d(" + parts.joined(separator: ", ") + ")"
        }

        func substituting(_ classes: [String: Int]) -> Attributes {
            var a = self
            a.inChannels = inChannels.substituting(classes)
            a.outChannels = outChannels.substituting(classes)
            return a
        }
    }

    func infer(_ layer: inout LayerInference) -> Inferred<Attributes>? {
        guard layer.requireRank([3], "channels x height x width per sample") else { return nil }
        let x = layer.dims
        let out = layer.options.size("out") ?? 1
        if let given = layer.options.size("in") {
            layer.require(given, equals: x[0], .sizeMismatch, "\(layer.label) `in` is {lhs}, but the incoming channels are {rhs}",
                          at: layer.options.range(of: "in"))
        }
        let groups = layer.options.int("groups") ?? 1
        var taps = x[0]
        if groups != 1 {
            guard let channels = layer.divisible(x[0], by: groups, "the incoming channels", key: "groups"),
                  layer.divisible(out, by: groups, "`out`", key: "groups") != nil else { return nil }
            taps = SymbolicSize(channels / groups)
        }
        let window = layer.window()
        guard let (h, w) = layer.slide(window) else { return nil }
        let bias = layer.options.flag("bias")
        taps = taps * SymbolicSize(window.kernelH &* window.kernelW)
        let positions = out * h * w
        return Inferred(Attributes(inChannels: x[0], outChannels: out, window: window, groups: groups, bias: bias), output: [out, h, w],
                        parameters: taps * out + (bias ? out : 0), flops: SymbolicSize(2) * taps * positions + (bias ? positions : 0))
    }

    func torchModule(_ a: Attributes, _ layer: GraphLayer) -> String {
        var arguments = [Python.size(a.inChannels), Python.size(a.outChannels), "kernel_size=" + a.window.kernelText]
        if !a.window.hasStrideOne { arguments.append("stride=" + a.window.strideText) }
        if a.window.hasPadding { arguments.append("padding=" + a.window.paddingText) }
        if a.window.isDilated { arguments.append("dilation=" + a.window.dilationText) }
        if a.groups != 1 { arguments.append("groups=\(a.groups)") }
        if !a.bias { arguments.append("bias=False") }
        return TorchExport.call("nn.Conv2d", arguments)
    }

    func module(_ a: Attributes, _ layer: GraphLayer, _ context: inout LoweringContext) throws -> any Layer {
        let w = a.window
        return try Conv2d(inChannels: a.inChannels.value(), outChannels: a.outChannels.value(), kernel: IntOrPair(w.kernelH, w.kernelW),
                          stride: IntOrPair(w.strideH, w.strideW), padding: IntOrPair(w.padH, w.padW),
                          dilation: IntOrPair(w.dilationH, w.dilationW), groups: a.groups, bias: a.bias,
                          weightInit: context.initializer(layer.initializer), biasInit: context.initializer(layer.biasInitializer),
                          rng: &context.rng)
    }

    func onnx(_ a: Attributes, _ layer: GraphLayer, _ x: String, _ context: inout ONNXLayerContext) throws(LoweringError) -> String {
        let w = a.window
        let weight = try context.parameter("weight"), bias = a.bias ? [try context.parameter("bias")] : []
        return context.node("Conv", [x, weight] + bias, [
            .ints("kernel_shape", [w.kernelH, w.kernelW]), .ints("strides", [w.strideH, w.strideW]),
            .ints("pads", [w.padH, w.padW, w.padH, w.padW]), .ints("dilations", [w.dilationH, w.dilationW]), .int("group", a.groups),
        ])
    }
}
