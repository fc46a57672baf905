import Autograd
import GraphIR
import NN
import ONNX
import SpecLanguage

/// `layernorm`: `nn.LayerNorm`, each sample normalised over its last axes.
struct LayerNormLayer: RunnableLayer {
    let kind = KindSpec("layernorm", .layer, pytorch: "nn.LayerNorm",
                        "Layer normalisation: each sample normalised over its last axes (`normalized_shape`) with its own mean and variance.", [
        ParameterSpec("normalized_shape", .ints, .required, bounds: .atLeast(1),
                      "The sizes of the input's last axes to normalise over: `64` for a vector, `[16, 8, 8]` for a whole 16-channel 8x8 map. Checked against the incoming shape."),
        ParameterSpec("eps", .float, .defaultValue(.float(1e-5)), bounds: .above(0), "Added to the variance for stability."),
        ParameterSpec("elementwise_affine", .bool, .defaultValue(.bool(true)),
                      "Whether the layer learns a scale (and a shift, see `bias`) per normalised element."),
        ParameterSpec("bias", .bool, .defaultValue(.bool(true)), "Whether the affine part includes the shift."),
    ], overview: ["any, ending with `normalized_shape`", "same", "`2*prod(normalized_shape)` if elementwise_affine", "two per element"])
    let example = LayerExample(input: [3, 4, 4], "{layernorm: {normalized_shape: [4, 4]}}")

    struct Attributes: LayerAttributes {
        var normalizedShape: [Int]
        var eps: Double
        var affine: Bool
        var bias: Bool

        var signature: String { "layernorm(\(normalizedShape.map(String.init).joined(separator: "x")))" }
    }

    func infer(_ layer: inout LayerInference) -> Inferred<Attributes>? {
        let o = layer.options, x = layer.dims
        let shape = o.ints("normalized_shape") ?? [1]
        let written = "[" + shape.map(String.init).joined(separator: ", ") + "]"
        guard shape.count <= x.count else {
            layer.error(.indivisibleSize, "\(layer.label) `normalized_shape` \(written) has more axes than its input \(layer.input)",
                        at: o.range(of: "normalized_shape"), notes: [layer.origin])
            return nil
        }
        for (given, actual) in zip(shape, x.suffix(shape.count)) {
            guard layer.require(SymbolicSize(given), equals: actual, .indivisibleSize,
                                "\(layer.label) `normalized_shape` \(written) is not the end of its input \(layer.input): {lhs} against {rhs}",
                                at: o.range(of: "normalized_shape")) else { return nil }
        }
        let affine = o.bool("elementwise_affine") ?? true, bias = o.bool("bias") ?? true
        let n = shape.reduce(1, *)
        return Inferred(Attributes(normalizedShape: shape, eps: o.number("eps"), affine: affine, bias: bias), output: x,
                        parameters: SymbolicSize(affine ? n * (bias ? 2 : 1) : 0), flops: SymbolicSize(2) * layer.input.elementCount)
    }

    func torchModule(_ a: Attributes, _ layer: GraphLayer) -> String {
        let shape = a.normalizedShape
        var arguments = [shape.count == 1 ? String(shape[0]) : "(" + shape.map(String.init).joined(separator: ", ") + ")"]
        if a.eps != 1e-5 { arguments.append("eps=" + Python.float(a.eps)) }
        if !a.affine { arguments.append("elementwise_affine=False") }
        if a.affine && !a.bias { arguments.append("bias=False") }
        return TorchExport.call("nn.LayerNorm", arguments)
    }

    func module(_ a: Attributes, _ layer: GraphLayer, _ context: inout LoweringContext) throws -> any Layer {
        LayerNorm(normalizedShape: Shape(a.normalizedShape), eps: Float(a.eps), elementwiseAffine: a.affine, bias: a.bias)
    }

    func onnx(_ a: Attributes, _ layer: GraphLayer, _ x: String, _ context: inout ONNXLayerContext) throws(LoweringError) -> String {
        let shape = a.normalizedShape, n = shape.reduce(1, *)
        let scale = a.affine ? try context.parameter("weight", dims: shape) : context.constant("scale", dims: shape, floats: Array(repeating: 1, count: n))
        let shift = a.affine && a.bias ? [try context.parameter("bias", dims: shape)] : []
        return context.node("LayerNormalization", [x, scale] + shift, [.int("axis", -shape.count), .float("epsilon", Float(a.eps))])
    }
}

/// `groupnorm`: `nn.GroupNorm`, each sample normalised over groups of channels.
struct GroupNormLayer: RunnableLayer {
    let kind = KindSpec("groupnorm", .layer, pytorch: "nn.GroupNorm",
                        "Group normalisation: the channels of each sample split into `num_groups` groups, each normalised with its own mean and variance over its channels and positions.", [
        ParameterSpec("num_groups", .int, .required, bounds: .atLeast(1), "Groups of channels; must divide the channels."),
        ParameterSpec("num_channels", .size, .optional("inferred from the incoming shape"), bounds: .atLeast(1),
                      "Channels. Optional; when given it is checked against the incoming shape."),
        ParameterSpec("eps", .float, .defaultValue(.float(1e-5)), bounds: .above(0), "Added to the variance for stability."),
        ParameterSpec("affine", .bool, .defaultValue(.bool(true)), "Whether the layer learns a scale and a shift per channel."),
    ], overview: ["`[C, ...]`", "same", "`2*C` if affine", "two per element"])
    let example = LayerExample(input: [4, 2, 3], "{groupnorm: {num_groups: 2}}")

    struct Attributes: LayerAttributes {
        var groups: Int
        var channels: Int
        var eps: Double
        var affine: Bool

        var signature: String { "groupnorm(\(groups) groups of \(channels))" }
    }

    func infer(_ layer: inout LayerInference) -> Inferred<Attributes>? {
        guard layer.requireRank([1, 2, 3], "(channels), (channels, length) or (channels, height, width) per sample") else { return nil }
        let o = layer.options, x = layer.dims
        if let given = o.size("num_channels") {
            layer.require(given, equals: x[0], .sizeMismatch, "\(layer.label) `num_channels` is {lhs}, but the incoming channels are {rhs}",
                          at: o.range(of: "num_channels"))
        }
        let groups = o.int("num_groups") ?? 1
        guard let channels = layer.divisible(x[0], by: groups, "the incoming channels", key: "num_groups") else { return nil }
        let affine = o.bool("affine") ?? true
        return Inferred(Attributes(groups: groups, channels: channels, eps: o.number("eps"), affine: affine), output: x,
                        parameters: SymbolicSize(affine ? 2 * channels : 0), flops: SymbolicSize(2) * layer.input.elementCount)
    }

    func torchModule(_ a: Attributes, _ layer: GraphLayer) -> String {
        var arguments = [String(a.groups), String(a.channels)]
        if a.eps != 1e-5 { arguments.append("eps=" + Python.float(a.eps)) }
        if !a.affine { arguments.append("affine=False") }
        return TorchExport.call("nn.GroupNorm", arguments)
    }

    func module(_ a: Attributes, _ layer: GraphLayer, _ context: inout LoweringContext) throws -> any Layer {
        GroupNorm(groups: a.groups, channels: a.channels, eps: Float(a.eps), affine: a.affine)
    }

    func onnx(_ a: Attributes, _ layer: GraphLayer, _ x: String, _ context: inout ONNXLayerContext) throws(LoweringError) -> String {
        // GroupNormalization is an operator only from opset 18: instance normalisation of the
        // sample seen as (groups, channels/groups * positions) normalises each group, and the
        // per-channel scale and shift follow.
        let input = try context.dims(layer.inputShape), g = a.groups
        let grouped = context.reshape(x, to: [g, -1])
        let normalized = context.node("InstanceNormalization", [grouped, context.constant("group_scale", dims: [g], floats: Array(repeating: 1, count: g)),
                                                                context.constant("group_shift", dims: [g], floats: Array(repeating: 0, count: g))],
                                      [.float("epsilon", Float(a.eps))])
        let y = context.reshape(normalized, to: input)
        guard a.affine else { return y }
        let perChannel = [a.channels] + Array(repeating: 1, count: input.count - 1)
        return context.node("Add", [context.node("Mul", [y, try context.parameter("weight", dims: perChannel)]), try context.parameter("bias", dims: perChannel)])
    }
}

extension LayerInference {
    /// `size` when it is a fixed number that `divisor` (the option `key`) divides; nil after
    /// reporting why not (E037 for a remainder, E035 for a size from the data).
    mutating func divisible(_ size: SymbolicSize, by divisor: Int, _ what: String, key: String) -> Int? {
        guard let n = size.constant else {
            error(.uncomputableSize, "\(label) splits \(what) \(size) into `\(key)` \(divisor) parts, but that size depends on the data",
                  at: options.range(of: key), notes: [origin])
            return nil
        }
        guard divisor > 0, n % divisor == 0 else {
            error(.indivisibleSize, "\(label) `\(key)` \(divisor) does not divide \(what) (\(n))", at: options.range(of: key), notes: [origin])
            return nil
        }
        return n
    }
}
