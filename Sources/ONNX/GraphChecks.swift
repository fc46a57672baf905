extension ONNXGraph {
    /// What makes the graph ill-formed, in words: a value read before anything makes it, a name
    /// made twice, an output nothing makes. Empty for a graph ONNX Runtime can load as far as
    /// names and order go (`export-onnx` checks its own graphs with this before writing them).
    public var structuralProblems: [String] {
        var problems: [String] = []
        var defined = Set<String>()
        func define(_ name: String, _ what: String) {
            if !defined.insert(name).inserted { problems.append("\(what) '\(name)' reuses a name already defined") }
        }
        for input in inputs { define(input.name, "input") }
        for tensor in initializers { define(tensor.name, "initializer") }
        for node in nodes {
            for input in node.inputs where !input.isEmpty && !defined.contains(input) {
                problems.append("node '\(node.name)' reads '\(input)' before anything makes it")
            }
            for output in node.outputs { define(output, "output of node '\(node.name)'") }
        }
        for output in outputs where !defined.contains(output.name) { problems.append("graph output '\(output.name)' is made by no node") }
        return problems
    }
}
