import Autograd
import GraphIR
import NN
import ONNX
import SpecLanguage

/// `concat`: `torch.cat` along `dim`; every other axis must match.
struct ConcatMerge: RunnableMerge {
    let kind = KindSpec("concat", .merge, pytorch: "torch.cat", shorthand: "from",
                        "Concatenates several nodes or inputs along `dim`; every other axis must match.", [
        ParameterSpec("from", .list(.reference("inputs or nodes"), minCount: 2), .required, "The inputs or nodes to join, in order."),
        ParameterSpec("dim", .int, .defaultValue(.int(1)),
                      "The axis, counted as in PyTorch: 0 is the batch, 1 the features or channels; negative counts from the end."),
    ], overview: ["several", "summed along `dim`", "0", "0"])

    /// `dim` counted as in PyTorch (0 is the batch), normalised to be positive.
    struct Attributes: LayerAttributes {
        var dim: Int
        var signature: String { "dim \(dim)" }
    }

    func infer(_ merge: inout MergeInference) -> InferredMerge<Attributes>? {
        let inputs = merge.inputs, from = merge.from, name = merge.node.name
        let rank = inputs[0].rank
        guard inputs.allSatisfy({ $0.rank == rank }) else {
            merge.error(.concatMismatch, "concat '\(name)' joins shapes of different ranks: \(merge.listing)", at: merge.node.nameRange,
                        notes: merge.origins)
            return nil
        }
        let dim = merge.options.int("dim") ?? 1
        let axis = dim < 0 ? dim + rank + 1 : dim
        guard axis >= 1 && axis <= rank else {
            merge.error(.dimOutOfRange, "concat '\(name)' `dim` \(dim) is not an axis of \(inputs[0]): \(merge.axes(of: inputs[0]))",
                        at: merge.node.range)
            return nil
        }
        var out = inputs[0].dims
        out[axis - 1] = inputs.map { $0.dims[axis - 1] }.reduce(SymbolicSize(0), +)
        for i in 0..<rank where i != axis - 1 {
            for (k, (ref, shape)) in zip(from, inputs).enumerated().dropFirst() {
                let ok = merge.require(shape.dims[i], equals: inputs[0].dims[i], .concatMismatch,
                                       "concat '\(name)' along dim \(axis) needs every other axis to match, but axis "
                                           + "\(i + 1) is {lhs} in '\(ref.name)' and {rhs} in '\(from[0].name)' (\(merge.listing))",
                                       at: ref.range, notes: [merge.origins[0], merge.origins[k]])
                if !ok { return nil }
            }
        }
        return InferredMerge(Attributes(dim: axis), output: TensorShape(out))
    }

    func torchExpression(_ a: Attributes, operands: [String]) -> String {
        "torch.cat([" + operands.joined(separator: ", ") + "], dim=\(a.dim))"
    }

    func module(_ a: Attributes) -> any MergeModule { Concatenation(axis: a.dim) }

    func onnx(_ a: Attributes, _ operands: [String], _ context: inout ONNXLayerContext) -> String {
        context.node("Concat", operands, [.int("axis", a.dim)])
    }
}

/// `add`: the elementwise sum of several inputs or nodes of one shape (a residual connection).
struct AddMerge: RunnableMerge {
    let kind = KindSpec("add", .merge, pytorch: "torch.add", shorthand: "from",
                        "Sums several nodes or inputs of one shape (a residual connection).", [
        ParameterSpec("from", .list(.reference("inputs or nodes"), minCount: 2), .required, "The inputs or nodes to add."),
    ], overview: ["several of one shape", "same", "0", "one per element per extra input"])

    struct Attributes: LayerAttributes {
        var signature: String { "" }
    }

    func infer(_ merge: inout MergeInference) -> InferredMerge<Attributes>? {
        let inputs = merge.inputs, from = merge.from, name = merge.node.name
        for (k, (ref, shape)) in zip(from, inputs).enumerated().dropFirst() {
            guard shape.rank == inputs[0].rank else {
                merge.error(.addMismatch, "add '\(name)' sums shapes that differ: \(merge.listing)", at: ref.range,
                            notes: [merge.origins[0], merge.origins[k]])
                return nil
            }
            for i in 0..<shape.rank {
                let ok = merge.require(shape.dims[i], equals: inputs[0].dims[i], .addMismatch,
                                       "add '\(name)' sums shapes that differ: axis \(i + 1) is {lhs} in '\(ref.name)' "
                                           + "and {rhs} in '\(from[0].name)' (\(merge.listing))",
                                       at: ref.range, notes: [merge.origins[0], merge.origins[k]])
                if !ok { return nil }
            }
        }
        return InferredMerge(Attributes(), output: inputs[0], flops: inputs[0].elementCount * SymbolicSize(inputs.count - 1))
    }

    func torchExpression(_ a: Attributes, operands: [String]) -> String { operands.joined(separator: " + ") }

    func module(_ a: Attributes) -> any MergeModule { Sum() }

    func onnx(_ a: Attributes, _ operands: [String], _ context: inout ONNXLayerContext) -> String { context.node("Sum", operands) }
}
