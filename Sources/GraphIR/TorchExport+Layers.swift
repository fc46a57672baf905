import SpecLanguage

/// Each layer as the `torch.nn` module that computes the same thing (its definition's
/// `torchModule`), and each spec initializer as its `torch.nn.init` call.
extension TorchExport {
    static func module(_ layer: GraphLayer) -> String { layer.torchModule }

    /// The spec's initializers of a layer as `nn.init` calls on its tensors; none for PyTorch's default.
    static func initializers(_ layer: GraphLayer, node: String, _ definitions: Definitions) -> [String] {
        let tensor = "\(PythonNames.module(node))[\(layer.index)]"
        var lines: [String] = []
        if let c = layer.initializer { lines.append(definitions.initializer(c.name).torchCall(c.options, tensor: tensor + ".weight")) }
        if let c = layer.biasInitializer, layer.hasBias {
            lines.append(definitions.initializer(c.name).torchCall(c.options, tensor: tensor + ".bias"))
        }
        return lines
    }

    /// `name(a, b)`.
    public static func call(_ function: String, _ arguments: [String]) -> String {
        function + "(" + arguments.joined(separator: ", ") + ")"
    }
}
