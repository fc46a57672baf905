import Diagnostics
import SpecLanguage

/// One shape rule per layer kind: the resolved layer, its output shape, parameters and FLOPs, or
/// nil after reporting why the layer cannot take its input.
extension Inference {
    mutating func infer(_ spec: LayerSpec, index: Int, node: String, input: TensorShape, origin: Note) -> GraphLayer? {
        let a = spec.options
        let label = "[\(node).\(index) \(spec.kind)]"
        let x = input.dims
        let elements = input.elementCount
        func rank(_ wanted: Set<Int>, _ what: String, hint: String? = nil) -> Bool {
            guard wanted.contains(x.count) else {
                error(.rankMismatch, "\(label) needs \(what), but its input is \(input)", at: spec.kindRange,
                      notes: [origin] + (hint.map { [Note($0)] } ?? []))
                return false
            }
            return true
        }
        func done(_ layer: ResolvedLayer, _ output: [SymbolicSize], parameters: SymbolicSize = 0, flops: SymbolicSize = 0) -> GraphLayer {
            GraphLayer(index: index, layer: layer, initializer: spec.initializer, biasInitializer: spec.biasInitializer,
                       inputShape: input, outputShape: TensorShape(output), parameterCount: parameters, flops: flops, range: spec.range)
        }
        func pair(_ key: String) -> HeightWidth {
            let (h, w) = a.pair(key) ?? (1, 1)
            return HeightWidth(h, w)
        }

        switch spec.kind {
        case "linear":
            guard rank([1], "a vector per sample", hint: x.count > 1 ? "add `flatten` before it" : nil) else { return nil }
            let out = a.size("out") ?? 1
            // A wrong `in` does not change what the layer makes, so inference carries on with the real size.
            if let given = a.size("in") {
                require(given, equals: x[0], .sizeMismatch, "\(label) `in` is {lhs}, but the incoming features are {rhs}",
                        at: a.range(of: "in"), notes: [origin])
            }
            let bias = a.bool("bias") ?? true
            return done(.linear(.init(inFeatures: x[0], outFeatures: out, bias: bias)), [out],
                        parameters: x[0] * out + (bias ? out : 0), flops: SymbolicSize(2) * x[0] * out + (bias ? out : 0))

        case "conv2d":
            guard rank([3], "channels x height x width per sample") else { return nil }
            let out = a.size("out") ?? 1
            if let given = a.size("in") {
                require(given, equals: x[0], .sizeMismatch, "\(label) `in` is {lhs}, but the incoming channels are {rhs}",
                        at: a.range(of: "in"), notes: [origin])
            }
            let kernel = pair("kernel"), stride = pair("stride"), padding = pair("padding"), dilation = pair("dilation")
            guard let h = window(x[1], kernel.height, stride.height, padding.height, dilation.height, ceil: false, "height", label, spec, origin),
                  let w = window(x[2], kernel.width, stride.width, padding.width, dilation.width, ceil: false, "width", label, spec, origin)
            else { return nil }
            let bias = a.bool("bias") ?? true
            let taps = x[0] * SymbolicSize(kernel.height &* kernel.width)
            let positions = out * h * w
            let conv = ResolvedLayer.Conv2d(inChannels: x[0], outChannels: out, kernel: kernel, stride: stride, padding: padding,
                                    dilation: dilation, bias: bias)
            return done(.conv2d(conv), [out, h, w], parameters: taps * out + (bias ? out : 0),
                        flops: SymbolicSize(2) * taps * positions + (bias ? positions : 0))

        case "maxpool2d", "avgpool2d":
            guard rank([3], "channels x height x width per sample") else { return nil }
            let kernel = pair("kernel"), padding = pair("padding")
            let stride = a.isGiven("stride") ? pair("stride") : kernel
            if padding.height > kernel.height / 2 || padding.width > kernel.width / 2 {
                error(.outOfRange, "\(label) `padding` \(padding) is more than half the kernel \(kernel)", at: a.range(of: "padding"))
                return nil
            }
            guard let h = window(x[1], kernel.height, stride.height, padding.height, 1, ceil: false, "height", label, spec, origin),
                  let w = window(x[2], kernel.width, stride.width, padding.width, 1, ceil: false, "width", label, spec, origin)
            else { return nil }
            let pool = ResolvedLayer.Pool2d(kernel: kernel, stride: stride, padding: padding)
            let flops = x[0] * h * w * SymbolicSize(kernel.height &* kernel.width)
            return done(spec.kind == "maxpool2d" ? .maxPool2d(pool) : .avgPool2d(pool), [x[0], h, w], flops: flops)

        case "flatten":
            let full = x.count + 1
            let start = axis(a.int("start_dim") ?? 1, full), end = axis(a.int("end_dim") ?? -1, full)
            guard start >= 1, end < full, start <= end else {
                let key = start < 1 || start >= full || !a.isGiven("end_dim") ? "start_dim" : "end_dim"
                let why = start == 0 ? "axis 0 is the batch, which is never flattened" : Inference.axes(of: input)
                error(.dimOutOfRange, "\(label) cannot flatten axes \(a.int("start_dim") ?? 1) to \(a.int("end_dim") ?? -1) of \(input): \(why)",
                      at: a.range(of: key), notes: [origin])
                return nil
            }
            let merged = x[(start - 1)...(end - 1)].reduce(SymbolicSize(1), *)
            guard merged.isLinear else {
                error(.uncomputableSize, "\(label) would multiply class counts (\(merged)) by flattening "
                    + "\(input)", at: spec.kindRange, notes: [origin])
                return nil
            }
            return done(.flatten(startDim: start, endDim: end), Array(x[..<(start - 1)]) + [merged] + Array(x[end...]))

        case "softmax", "log_softmax":
            let given = a.int("dim") ?? 1
            let dim = axis(given, x.count + 1)
            guard dim >= 1 && dim <= x.count else {
                error(.dimOutOfRange, "\(label) `dim` \(given) is not an axis of \(input): \(Inference.axes(of: input))",
                      at: a.range(of: "dim"), notes: [origin])
                return nil
            }
            return done(spec.kind == "softmax" ? .softmax(dim: dim) : .logSoftmax(dim: dim), x, flops: SymbolicSize(3) * elements)

        case "batchnorm":
            guard rank([1, 2, 3], "(features), (channels, length) or (channels, height, width) per sample") else { return nil }
            let affine = a.bool("affine") ?? true
            let norm = ResolvedLayer.BatchNorm(numFeatures: x[0], spatial: x.count == 3, eps: a.double("eps") ?? 0, momentum: a.double("momentum") ?? 0,
                                       affine: affine)
            return done(.batchNorm(norm), x, parameters: affine ? SymbolicSize(2) * x[0] : 0, flops: SymbolicSize(2) * elements)

        case "relu": return done(.relu, x, flops: elements)
        case "leaky_relu": return done(.leakyReLU(negativeSlope: a.double("negative_slope") ?? 0), x, flops: elements)
        case "elu": return done(.elu(alpha: a.double("alpha") ?? 0), x, flops: elements)
        case "sigmoid": return done(.sigmoid, x, flops: elements)
        case "tanh": return done(.tanh, x, flops: elements)
        case "dropout": return done(.dropout(p: a.double("p") ?? 0), x)
        default: return done(.identity, x)
        }
    }

    /// "its only axis is 1 (0 is the batch)", "its axes are 1 to 3 (0 is the batch)".
    static func axes(of shape: TensorShape) -> String {
        (shape.rank == 1 ? "its only axis is 1" : "its axes are 1 to \(shape.rank)") + " (0 is the batch)"
    }

    /// An axis counted as in PyTorch over `rank` axes (the batch included); negative counts from the end.
    private func axis(_ given: Int, _ rank: Int) -> Int { given < 0 ? given + rank : given }

    /// Output size of a sliding window along one axis, as PyTorch computes it.
    private mutating func window(_ size: SymbolicSize, _ kernel: Int, _ stride: Int, _ padding: Int, _ dilation: Int, ceil: Bool,
                                 _ axisName: String, _ label: String, _ spec: LayerSpec, _ origin: Note) -> SymbolicSize? {
        // Wrapping arithmetic: absurd user sizes give absurd numbers in messages, not a trap.
        let span = dilation &* (kernel &- 1) &+ 1
        guard let n = size.constant else {
            // Symbolic spatial sizes only pass through windows that do not divide them.
            guard stride == 1 else {
                error(.uncomputableSize, "\(label) slides a stride-\(stride) window over the \(axisName) \(size), which depends on the data",
                      at: spec.kindRange, notes: [origin])
                return nil
            }
            return size + SymbolicSize(2 &* padding &- span &+ 1)
        }
        let padded = n &+ 2 &* padding
        guard padded >= span else {
            let paddedText = padding > 0 ? " (\(padded) with padding)" : ""
            let spanText = dilation > 1 ? " (\(span) dilated)" : ""
            error(.windowTooLarge, "\(label) window \(axisName) \(kernel)\(spanText) is larger than the input \(axisName) \(n)\(paddedText)",
                  at: spec.kindRange, notes: [origin])
            return nil
        }
        var out = (padded &- span) / stride &+ 1
        if ceil {
            out = (padded &- span &+ stride &- 1) / stride &+ 1
            // PyTorch drops a last window that would start in the right padding.
            if (out &- 1) &* stride >= n &+ padding { out &-= 1 }
        }
        return SymbolicSize(out)
    }
}
