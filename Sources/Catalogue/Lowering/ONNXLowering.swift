import Autograd
import GraphIR
import NN
import ONNX

/// Turns a compiled, bound graph and its trained weights into an ONNX model that computes what
/// the model computes in evaluation mode: batchnorm with its running statistics, dropout the
/// identity. Each layer and merge adds its own nodes (its definition's `onnx`).
///
/// The model's interface is the spec's: one float32 input per model input, named as in the spec,
/// taking the tensors specrun's model takes (after the data pipeline's decoding, resizing and
/// normalisation), with the batch as a dynamic first axis `batch`; one output per spec output,
/// named as in the spec, holding what the output's node makes (logits, before any softmax the
/// loss applies). Weights are initializers named as in the state dict (`image_layer.0.weight`).
extension Catalogue {
    /// The ONNX model for `graph` (class counts bound) with the values of `weights` (a model's
    /// `parameters + buffers`, named as in its state dict).
    public func onnxModel(for graph: Graph, weights: [NamedParameter]) throws(LoweringError) -> ONNXModel {
        // The spec keeps inputs and outputs apart; an ONNX graph's values share one namespace.
        if let clash = graph.outputs.first(where: { graph.input(named: $0.name) != nil }) {
            throw LoweringError("output '\(clash.name)' has the name of a model input, and an ONNX model's inputs and outputs "
                                + "need distinct names: rename one of them in the spec")
        }
        var context = ONNXLayerContext(builder: ONNXGraphBuilder(name: graph.name, reserving: graph.outputs.map(\.name)),
                                       weights: Dictionary(weights.map { ($0.name, $0.tensor) }, uniquingKeysWith: { first, _ in first }))
        var values: [String: String] = [:]
        for input in graph.inputs {
            values[input.name] = context.builder.input(input.name, dims: try Self.dims(input.shape, of: input.name))
        }
        for node in graph.nodes {
            switch node.operation {
            case .sequence(let from, let layers):
                var x = values[from]!
                for layer in layers {
                    context.prefix = "\(node.name).\(layer.index)"
                    do { x = try self.layer(layer.kind).onnxErased(layer, x, &context) } catch {
                        throw LoweringError("\(node.name).\(layer.index) (\(layer.kind)): \(error)")
                    }
                }
                values[node.name] = x
            case .merge(let merge):
                context.prefix = node.name
                values[node.name] = self.merge(merge.kind).onnxErased(merge, merge.from.map { values[$0]! }, &context)
            }
        }
        for output in graph.outputs {
            context.builder.output(output.name, from: values[output.from]!, dims: try Self.dims(output.shape, of: output.name))
        }
        let problems = context.builder.graph.structuralProblems
        precondition(problems.isEmpty, "[onnx] the export of \(graph.name) is ill-formed: \(problems.joined(separator: "; "))")
        return ONNXModel(graph: context.builder.graph)
    }

    /// `batch` then the sample's axes.
    static func dims(_ shape: TensorShape, of name: String) throws(LoweringError) -> [ONNXValueInfo.Dimension] {
        guard let concrete = shape.concrete else { throw LoweringError("\(name) \(shape) is not known: bind the class counts first") }
        return [.named("batch")] + concrete.map { .fixed($0) }
    }
}

/// What a layer's ONNX lowering works with: the graph being built, and the trained weights.
/// Values are named after the layer (`image_layer.0`), weights as in the state dict.
public struct ONNXLayerContext {
    public var builder: ONNXGraphBuilder
    let weights: [String: Tensor]
    /// `image_layer.0`: the layer's state-dict prefix; a merge's node name.
    var prefix = ""

    /// The layer's parameter or buffer `local` (`weight`, `running_mean`) as an initializer,
    /// named as in the state dict; `dims` reshapes it (same element count) for broadcasting.
    public mutating func parameter(_ local: String, dims: [Int]? = nil) throws(LoweringError) -> String {
        let name = "\(prefix).\(local)"
        guard let tensor = weights[name] else { throw LoweringError("no weight named \(name)") }
        let shape = dims ?? tensor.shape.dims
        guard shape.reduce(1, *) == tensor.count else {
            throw LoweringError("\(name) has \(tensor.count) values, not the \(shape.reduce(1, *)) of \(shape)")
        }
        return builder.initializer(name, dims: shape, floats: tensor.values)
    }

    /// The dimensions of a sample of `shape`, which class counts must have fixed.
    public func dims(_ shape: TensorShape) throws(LoweringError) -> [Int] {
        guard let dims = shape.concrete else { throw LoweringError("size \(shape) is not known: bind the class counts first") }
        return dims
    }

    /// A float32 constant of the layer (a scale of ones where the layer learns none).
    public mutating func constant(_ what: String, dims: [Int], floats: [Float]) -> String {
        builder.initializer("\(prefix).\(what)", dims: dims, floats: floats)
    }

    /// An int64 vector constant: a shape, axes, slice bounds.
    public mutating func ints(_ what: String, _ values: [Int]) -> String {
        builder.initializer("\(prefix).\(what)", dims: [values.count], int64s: values)
    }

    /// A float32 scalar constant of the layer.
    public mutating func scalar(_ what: String, _ value: Float) -> String { builder.scalar("\(prefix).\(what)", value) }

    /// One node of the layer; its output's name.
    public mutating func node(_ op: String, _ inputs: [String], _ attributes: [ONNXAttribute] = []) -> String {
        builder.node(op, inputs, name: prefix, attributes)
    }

    /// `x` reshaped to `batch` x `dims` (a Reshape whose 0 keeps the batch axis as it is).
    public mutating func reshape(_ x: String, to dims: [Int]) -> String {
        node("Reshape", [x, ints("shape", [0] + dims)])
    }
}

extension RunnableLayer {
    /// `onnx` for a layer this definition resolved.
    func onnxErased(_ layer: GraphLayer, _ x: String, _ context: inout ONNXLayerContext) throws(LoweringError) -> String {
        guard let attributes = layer.attributes as? Attributes else {
            preconditionFailure("[\(kind.name)] the layer's attributes are \(type(of: layer.attributes)), not this definition's")
        }
        return try onnx(attributes, layer, x, &context)
    }
}

extension RunnableMerge {
    /// `onnx` for a merge this definition resolved.
    func onnxErased(_ merge: GraphMerge, _ operands: [String], _ context: inout ONNXLayerContext) -> String {
        guard let attributes = merge.attributes as? Attributes else {
            preconditionFailure("[\(kind.name)] the merge's attributes are \(type(of: merge.attributes)), not this definition's")
        }
        return onnx(attributes, operands, &context)
    }
}
