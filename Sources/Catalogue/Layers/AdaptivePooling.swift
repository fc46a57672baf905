import Autograd
import GraphIR
import NN
import ONNX
import SpecLanguage

/// `adaptive_avg_pool2d` and `adaptive_max_pool2d`: `nn.AdaptiveAvgPool2d` and
/// `nn.AdaptiveMaxPool2d`, pooling to a fixed output size whatever the input's height and width.
struct AdaptivePool2dLayer: RunnableLayer {
    let kind: KindSpec
    let pooling: Pool2d.Kind
    let torchName: String

    static let average = AdaptivePool2dLayer(kind: KindSpec("adaptive_avg_pool2d", .layer, pytorch: "nn.AdaptiveAvgPool2d",
        "2-d average pooling to a fixed output size: output cell i covers input rows floor(i H / h) to ceil((i + 1) H / h), likewise for columns. `output_size: 1` is global average pooling.",
        [outputSize], overview: overview), pooling: .average, torchName: "nn.AdaptiveAvgPool2d")
    static let max = AdaptivePool2dLayer(kind: KindSpec("adaptive_max_pool2d", .layer, pytorch: "nn.AdaptiveMaxPool2d",
        "2-d max pooling to a fixed output size, over the windows of `adaptive_avg_pool2d`. `output_size: 1` is global max pooling.",
        [outputSize], overview: overview), pooling: .max, torchName: "nn.AdaptiveMaxPool2d")

    private static let outputSize = ParameterSpec("output_size", .intPair, .required, bounds: .atLeast(1),
                                                  "Output height and width: `1` for global pooling, or `[h, w]`.")
    private static let overview = ["`[C, H, W]`", "`[C, h, w]`", "0", "about `C*H*W`"]

    var example: LayerExample { LayerExample(input: [3, 5, 7], "{\(kind.name): {output_size: [2, 3]}}") }

    struct Attributes: LayerAttributes {
        var name: String
        var height: Int
        var width: Int

        var signature: String { "\(name)(\(Python.pair(height, width)))" }
    }

    func infer(_ layer: inout LayerInference) -> Inferred<Attributes>? {
        guard layer.requireRank([3], "channels x height x width per sample") else { return nil }
        let (h, w) = layer.pair("output_size")
        let x = layer.dims
        // Each input is read once; overlapping windows (an output larger than the input) read some again.
        return Inferred(Attributes(name: kind.name, height: h, width: w), output: [x[0], SymbolicSize(h), SymbolicSize(w)],
                        flops: layer.input.elementCount)
    }

    func torchModule(_ a: Attributes, _ layer: GraphLayer) -> String { "\(torchName)(\(Python.pair(a.height, a.width)))" }

    func module(_ a: Attributes, _ layer: GraphLayer, _ context: inout LoweringContext) throws -> any Layer {
        AdaptivePool2d(pooling, outputSize: IntOrPair(a.height, a.width))
    }

    func onnx(_ a: Attributes, _ layer: GraphLayer, _ x: String, _ context: inout ONNXLayerContext) throws(LoweringError) -> String {
        let input = try context.dims(layer.inputShape), (height, width) = (input[1], input[2])
        if height % a.height == 0 && width % a.width == 0 {
            // Equal windows that tile the input: an ordinary pooling.
            let kernel = [height / a.height, width / a.width]
            return context.node(pooling == .max ? "MaxPool" : "AveragePool", [x], [.ints("kernel_shape", kernel), .ints("strides", kernel)])
        }
        // Windows of different sizes (ONNX has no adaptive pooling): each output cell is a slice of
        // the input reduced over height and width, and the cells are concatenated back.
        let reduce = pooling == .max ? "ReduceMax" : "ReduceMean"
        let axes = context.ints("axes", [2, 3])
        var rows: [String] = []
        for i in 0..<a.height {
            let (top, bottom) = (i * height / a.height, ((i + 1) * height + a.height - 1) / a.height)
            var cells: [String] = []
            for j in 0..<a.width {
                let (left, right) = (j * width / a.width, ((j + 1) * width + a.width - 1) / a.width)
                let window = context.node("Slice", [x, context.ints("starts", [top, left]), context.ints("ends", [bottom, right]), axes])
                cells.append(context.node(reduce, [window], [.ints("axes", [2, 3]), .int("keepdims", 1)]))
            }
            rows.append(cells.count == 1 ? cells[0] : context.node("Concat", cells, [.int("axis", 3)]))
        }
        return rows.count == 1 ? rows[0] : context.node("Concat", rows, [.int("axis", 2)])
    }
}
