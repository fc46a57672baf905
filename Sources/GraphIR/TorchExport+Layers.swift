import SpecLanguage

/// Each resolved layer as the `torch.nn` module that computes the same thing, and each spec
/// initializer as its `torch.nn.init` call. Arguments at PyTorch's default are left out, as a
/// person writing the model would leave them out.
extension TorchExport {
    static func module(_ layer: GraphLayer) -> String {
        switch layer.layer {
        case .linear(let l):
            return call("nn.Linear", [Python.size(l.inFeatures), Python.size(l.outFeatures)] + (l.bias ? [] : ["bias=False"]))
        case .conv2d(let c):
            var arguments = [Python.size(c.inChannels), Python.size(c.outChannels), "kernel_size=" + Python.pair(c.kernel)]
            if c.stride != HeightWidth(1, 1) { arguments.append("stride=" + Python.pair(c.stride)) }
            if c.padding != HeightWidth(0, 0) { arguments.append("padding=" + Python.pair(c.padding)) }
            if c.dilation != HeightWidth(1, 1) { arguments.append("dilation=" + Python.pair(c.dilation)) }
            if !c.bias { arguments.append("bias=False") }
            return call("nn.Conv2d", arguments)
        case .maxPool2d(let p): return pool("nn.MaxPool2d", p)
        case .avgPool2d(let p): return pool("nn.AvgPool2d", p)
        case .flatten(let start, let end):
            // The IR counts the end from the front; PyTorch's default end is the last axis.
            return start == 1 && end == layer.inputShape.rank ? "nn.Flatten()" : call("nn.Flatten", ["start_dim=\(start)", "end_dim=\(end)"])
        case .relu: return "nn.ReLU()"
        case .leakyReLU(let slope): return call("nn.LeakyReLU", slope == 0.01 ? [] : ["negative_slope=" + Python.float(slope)])
        case .elu(let alpha): return call("nn.ELU", alpha == 1 ? [] : ["alpha=" + Python.float(alpha)])
        case .sigmoid: return "nn.Sigmoid()"
        case .tanh: return "nn.Tanh()"
        case .softmax(let dim): return "nn.Softmax(dim=\(dim))"
        case .logSoftmax(let dim): return "nn.LogSoftmax(dim=\(dim))"
        case .batchNorm(let b):
            var arguments = [Python.size(b.numFeatures)]
            if b.eps != 1e-5 { arguments.append("eps=" + Python.float(b.eps)) }
            if b.momentum != 0.1 { arguments.append("momentum=" + Python.float(b.momentum)) }
            if !b.affine { arguments.append("affine=False") }
            return call(b.spatial ? "nn.BatchNorm2d" : "nn.BatchNorm1d", arguments)
        case .dropout(let p): return call("nn.Dropout", p == 0.5 ? [] : ["p=" + Python.float(p)])
        case .identity: return "nn.Identity()"
        }
    }

    /// The spec's initializers of a layer as `nn.init` calls on its tensors; none for PyTorch's default.
    static func initializers(_ layer: GraphLayer, node: String) -> [String] {
        let tensor = "\(PythonNames.module(node))[\(layer.index)]"
        var lines: [String] = []
        if let initializer = layer.initializer { lines.append(initCall(initializer, tensor + ".weight")) }
        if let initializer = layer.biasInitializer, layer.hasBias { lines.append(initCall(initializer, tensor + ".bias")) }
        return lines
    }

    private static func initCall(_ initializer: InitializerSpec, _ tensor: String) -> String {
        switch initializer {
        case .kaimingUniform(let a, let mode, let nonlinearity):
            call("nn.init.kaiming_uniform_", [tensor, "a=" + Python.float(a), "mode=" + PythonNames.string(mode.rawValue),
                                              "nonlinearity=" + PythonNames.string(nonlinearity)])
        case .kaimingNormal(let a, let mode, let nonlinearity):
            call("nn.init.kaiming_normal_", [tensor, "a=" + Python.float(a), "mode=" + PythonNames.string(mode.rawValue),
                                             "nonlinearity=" + PythonNames.string(nonlinearity)])
        case .xavierUniform(let gain): call("nn.init.xavier_uniform_", [tensor, "gain=" + Python.float(gain)])
        case .xavierNormal(let gain): call("nn.init.xavier_normal_", [tensor, "gain=" + Python.float(gain)])
        case .uniform(let a, let b): call("nn.init.uniform_", [tensor, "a=" + Python.float(a), "b=" + Python.float(b)])
        case .normal(let mean, let std): call("nn.init.normal_", [tensor, "mean=" + Python.float(mean), "std=" + Python.float(std)])
        case .constant(let value): call("nn.init.constant_", [tensor, "val=" + Python.float(value)])
        case .zeros: call("nn.init.zeros_", [tensor])
        case .ones: call("nn.init.ones_", [tensor])
        }
    }

    private static func pool(_ name: String, _ p: ResolvedLayer.Pool2d) -> String {
        var arguments = ["kernel_size=" + Python.pair(p.kernel)]
        if p.stride != p.kernel { arguments.append("stride=" + Python.pair(p.stride)) }
        if p.padding != HeightWidth(0, 0) { arguments.append("padding=" + Python.pair(p.padding)) }
        return call(name, arguments)
    }

    static func call(_ function: String, _ arguments: [String]) -> String {
        function + "(" + arguments.joined(separator: ", ") + ")"
    }
}

extension GraphLayer {
    var hasBias: Bool {
        switch layer {
        case .linear(let l): l.bias
        case .conv2d(let c): c.bias
        default: false
        }
    }
}
