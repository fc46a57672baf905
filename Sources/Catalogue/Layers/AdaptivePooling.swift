import Autograd
import GraphIR
import NN
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
}
