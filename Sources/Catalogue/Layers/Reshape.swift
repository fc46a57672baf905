import Autograd
import GraphIR
import NN
import ONNX
import SpecLanguage

/// `reshape`: the same elements per sample in another shape (`torch.reshape` on each sample; in
/// PyTorch's modules, `nn.Flatten` then `nn.Unflatten`).
struct ReshapeLayer: RunnableLayer {
    let kind = KindSpec("reshape", .layer, pytorch: "nn.Unflatten",
                        "The same elements per sample in another shape, in row-major order: CSV pixel columns as `[1, 28, 28]` for a conv2d.", [
        ParameterSpec("shape", .ints, .required,
                      "The shape per sample (without the batch axis); one size may be -1, inferred from the others."),
    ], overview: ["any", "`shape`", "0", "0"])
    let example = LayerExample(input: [6], "{reshape: {shape: [-1, 2, 3]}}")

    struct Attributes: LayerAttributes {
        var shape: [Int]
        var signature: String { "reshape(\(shape.map(String.init).joined(separator: "x")))" }
    }

    func infer(_ layer: inout LayerInference) -> Inferred<Attributes>? {
        let written = layer.options.ints("shape") ?? [1]
        guard let shape = layer.resolve(written, count: layer.input.elementCount, key: "shape", "reshape \(layer.input) to") else { return nil }
        return Inferred(Attributes(shape: shape), output: shape.map { SymbolicSize($0) })
    }

    func torchModule(_ a: Attributes, _ layer: GraphLayer) -> String {
        let unflatten = "nn.Unflatten(1, \(Python.tuple(a.shape)))"
        if a.shape.count == 1 { return "nn.Flatten()" }
        return layer.inputShape.rank == 1 ? unflatten : "nn.Sequential(nn.Flatten(), \(unflatten))"
    }

    func module(_ a: Attributes, _ layer: GraphLayer, _ context: inout LoweringContext) throws -> any Layer {
        let shape = a.shape
        return ActivationLayer("reshape") { x in x.reshaped(to: Shape([x.shape[0]] + shape)) }
    }

    func onnx(_ a: Attributes, _ layer: GraphLayer, _ x: String, _ context: inout ONNXLayerContext) throws(LoweringError) -> String {
        context.reshape(x, to: a.shape)
    }
}

/// `unflatten`: `nn.Unflatten`, one axis split into several.
struct UnflattenLayer: RunnableLayer {
    let kind = KindSpec("unflatten", .layer, pytorch: "nn.Unflatten", "Splits the axis `dim` into axes of the given `sizes`.", [
        ParameterSpec("dim", .int, .required, "The axis to split, counted as in PyTorch (0 is the batch); negative counts from the end."),
        ParameterSpec("sizes", .ints, .required, pytorch: "unflattened_size",
                      "The sizes it splits into, whose product is its size; one may be -1, inferred from the others."),
    ], overview: ["any", "`dim` split into `sizes`", "0", "0"])
    let example = LayerExample(input: [6], "{unflatten: {dim: 1, sizes: [2, 3]}}")

    /// `dim` counted as in PyTorch (0 is the batch), normalised to be non-negative.
    struct Attributes: LayerAttributes {
        var dim: Int
        var sizes: [Int]
        var signature: String { "unflatten(dim \(dim) into \(sizes.map(String.init).joined(separator: "x")))" }
    }

    func infer(_ layer: inout LayerInference) -> Inferred<Attributes>? {
        let o = layer.options, x = layer.dims
        let given = o.int("dim") ?? 1, dim = layer.axis(given)
        guard dim >= 1 && dim <= layer.input.rank else {
            let why = dim == 0 ? "axis 0 is the batch, which is never split" : layer.axesDescription
            layer.error(.dimOutOfRange, "\(layer.label) `dim` \(given) is not an axis of \(layer.input) it can split: \(why)",
                        at: o.range(of: "dim"), notes: [layer.origin])
            return nil
        }
        guard let sizes = layer.resolve(o.ints("sizes") ?? [1], count: x[dim - 1], key: "sizes", "split axis \(dim) (\(x[dim - 1])) of \(layer.input) into")
        else { return nil }
        return Inferred(Attributes(dim: dim, sizes: sizes), output: Array(x[..<(dim - 1)]) + sizes.map { SymbolicSize($0) } + Array(x[dim...]))
    }

    func torchModule(_ a: Attributes, _ layer: GraphLayer) -> String { "nn.Unflatten(\(a.dim), \(Python.tuple(a.sizes)))" }

    func module(_ a: Attributes, _ layer: GraphLayer, _ context: inout LoweringContext) throws -> any Layer {
        let dim = a.dim, sizes = a.sizes
        return ActivationLayer("unflatten") { x in
            let dims = x.shape.dims
            return x.reshaped(to: Shape(Array(dims[..<dim]) + sizes + Array(dims[(dim + 1)...])))
        }
    }

    func onnx(_ a: Attributes, _ layer: GraphLayer, _ x: String, _ context: inout ONNXLayerContext) throws(LoweringError) -> String {
        context.reshape(x, to: try context.dims(layer.outputShape))
    }
}

extension LayerInference {
    /// Sizes written with at most one -1 for `count` elements: the -1 inferred; nil after
    /// reporting sizes that cannot hold exactly `count` elements (`what` says what the layer was
    /// doing: "reshape (6,) to").
    mutating func resolve(_ written: [Int], count: SymbolicSize, key: String, _ what: String) -> [Int]? {
        let range = options.range(of: key)
        let text = "[" + written.map(String.init).joined(separator: ", ") + "]"
        let unknowns = written.filter { $0 == -1 }.count
        if unknowns > 1 || written.contains(where: { $0 == 0 || $0 < -1 }) {
            error(.outOfRange, "\(label) `\(key)` \(text) must hold positive sizes and at most one -1", at: range)
            return nil
        }
        let known = written.filter { $0 != -1 }.reduce(1, *)
        guard let n = count.constant else {
            error(.uncomputableSize, "\(label) cannot \(what) \(text): the size depends on the data", at: range, notes: [origin])
            return nil
        }
        guard unknowns == 1 ? n % known == 0 : n == known else {
            error(.indivisibleSize, "\(label) cannot \(what) \(text): \(n) elements do not fit", at: range, notes: [origin])
            return nil
        }
        return written.map { $0 == -1 ? n / known : $0 }
    }
}
