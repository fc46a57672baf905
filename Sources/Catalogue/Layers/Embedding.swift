import Autograd
import Diagnostics
import GraphIR
import NN
import ONNX
import SpecLanguage

/// `embedding`: `nn.Embedding`, a learned vector per index, read from a model input of indices.
struct EmbeddingLayer: RunnableLayer {
    let kind = KindSpec("embedding", .layer, pytorch: "nn.Embedding",
                        "A learned vector of `embedding_dim` floats for each index in 0..<`num_embeddings`; the output appends that axis to the input's shape. Its input must be a model input holding indices (whole numbers, checked against `num_embeddings` when the data is loaded).", [
        ParameterSpec("num_embeddings", .size, .required, bounds: .atLeast(1),
                      "Size of the table: indices run from 0 to this minus 1. May be a class count such as `classes(city)`."),
        ParameterSpec("embedding_dim", .size, .required, bounds: .atLeast(1), "Floats per vector."),
        ParameterSpec("padding_idx", .int, .optional("none"),
                      "An index whose vector stays as initialised (zeros by default) and gets no gradient; negative counts from the end."),
        WeightKeys.weightInit,
    ], overview: ["indices, any shape", "input shape + `[embedding_dim]`", "`num_embeddings*embedding_dim`", "0"])
    let example = LayerExample(input: [3], "{embedding: {num_embeddings: 5, embedding_dim: 4, padding_idx: 0}}")

    struct Attributes: LayerAttributes {
        var count: SymbolicSize
        var width: SymbolicSize
        /// As written (PyTorch takes negative ones too).
        var paddingIndex: Int?

        var signature: String { "embedding(\(count) x \(width)\(paddingIndex.map { ", padding \($0)" } ?? ""))" }

        func substituting(_ classes: [String: Int]) -> Attributes {
            Attributes(count: count.substituting(classes), width: width.substituting(classes), paddingIndex: paddingIndex)
        }
    }

    func infer(_ layer: inout LayerInference) -> Inferred<Attributes>? {
        let o = layer.options
        guard layer.modelInput != nil else {
            layer.error(.indexInput, "\(layer.label) takes indices, so it must be the first layer of a node that reads a model input",
                        notes: [layer.origin, Note("its input here is the output of another layer: floats, not indices")])
            return nil
        }
        let count = o.size("num_embeddings") ?? 1, width = o.size("embedding_dim") ?? 1
        let padding = o.int("padding_idx")
        if let padding, let n = count.constant, padding < -n || padding >= n {
            layer.error(.outOfRange, "\(layer.label) `padding_idx` \(padding) is not an index of the \(n) embeddings (from \(-n) to \(n - 1))",
                        at: o.range(of: "padding_idx"))
            return nil
        }
        if let padding, padding < 0, count.constant == nil {
            layer.error(.uncomputableSize, "\(layer.label) `padding_idx` \(padding) counts from the end of \(count) embeddings, which depends on the data",
                        at: o.range(of: "padding_idx"), notes: [Note("write the index from the start")])
            return nil
        }
        guard width.isLinear, count.isLinear else { return nil }
        return Inferred(Attributes(count: count, width: width, paddingIndex: padding), output: layer.dims + [width],
                        parameters: count * width)
    }

    func torchModule(_ a: Attributes, _ layer: GraphLayer) -> String {
        TorchExport.call("IndexEmbedding", [Python.size(a.count), Python.size(a.width)] + (a.paddingIndex.map { ["padding_idx=\($0)"] } ?? []))
    }

    var torchHelpers: [String] {
        [
            """
            class IndexEmbedding(nn.Embedding):
                \"\"\"nn.Embedding on a float input holding indices: specrun's model inputs are float32.\"\"\"

                def forward(self, indices):
                    return super().forward(indices.long())
            """,
        ]
    }

    func module(_ a: Attributes, _ layer: GraphLayer, _ context: inout LoweringContext) throws -> any Layer {
        let count = try a.count.value()
        return try Embedding(count: count, width: a.width.value(), paddingIndex: a.paddingIndex.map { $0 < 0 ? $0 + count : $0 },
                             weightInit: context.initializer(layer.initializer), rng: &context.rng)
    }

    func onnx(_ a: Attributes, _ layer: GraphLayer, _ x: String, _ context: inout ONNXLayerContext) throws(LoweringError) -> String {
        // The input holds indices as float32, as specrun's model inputs do; Gather takes integers.
        let indices = context.node("Cast", [x], [.int("to", Int(ONNXTensor.ElementType.int64.rawValue))])
        return context.node("Gather", [try context.parameter("weight"), indices], [.int("axis", 0)])
    }
}

/// A model input that an `embedding` reads as indices, in a bound graph: every value it holds
/// must be a whole number in 0..<`count`. The data is checked with this before the engine sees it
/// (when it is loaded, and in `predict` batch by batch), so a bad value is a data error naming its
/// row, not a failure inside a training step.
public struct IndexInput: Sendable {
    public let input: String
    /// `[tokens.0 embedding]`.
    public let layer: String
    public let count: Int

    /// The first of `values` (samples one after another) that is not an index, with its position.
    public func firstInvalid(_ values: UnsafeBufferPointer<Float>) -> (offset: Int, value: Float)? {
        for (i, v) in values.enumerated() where !(v == v.rounded() && v >= 0 && v < Float(count)) { return (i, v) }
        return nil
    }

    /// "input `tokens` holds 2.5, but [tokens.0 embedding] takes indices: whole numbers from 0 to 9".
    public func problem(_ value: Float) -> String {
        let shown = value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : "\(value)"
        return "input `\(input)` holds \(shown), but \(layer) takes indices: whole numbers from 0 to \(count - 1)"
    }
}

extension Catalogue {
    /// Every model input of a bound graph that an embedding reads, with the embedding's table size.
    public static func indexInputs(of graph: Graph) -> [IndexInput] {
        graph.nodes.compactMap { node in
            guard case .sequence(let from, let layers) = node.operation, graph.input(named: from) != nil,
                  let first = layers.first, let a = first.attributes(as: EmbeddingLayer.Attributes.self), let count = a.count.constant
            else { return nil }
            return IndexInput(input: from, layer: "[\(node.name).0 embedding]", count: count)
        }
    }
}
