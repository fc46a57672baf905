/// Builds an `ONNXGraph` node by node. Values get unique names: the graph's inputs and outputs
/// keep the names they are given (a model's interface), and every other value is named after
/// what makes it, with a suffix when that name is taken, so layers never need to coordinate.
public struct ONNXGraphBuilder: Sendable {
    public private(set) var graph: ONNXGraph
    private var taken: Set<String>
    private var nodeNames: Set<String> = []

    /// `reserved`: names that must stay free for values added later under those exact names (the
    /// graph's outputs).
    public init(name: String, reserving reserved: [String] = []) {
        graph = ONNXGraph(name: name)
        taken = Set(reserved)
    }

    /// `base`, or `base_1`, `base_2`, ... whichever is free; marks it taken.
    public mutating func uniqueName(_ base: String) -> String {
        var name = base, k = 0
        while taken.contains(name) {
            k += 1
            name = "\(base)_\(k)"
        }
        taken.insert(name)
        return name
    }

    /// Declares a graph input of float32 under exactly `name`, which must be free.
    public mutating func input(_ name: String, dims: [ONNXValueInfo.Dimension]) -> String {
        precondition(!taken.contains(name), "[onnx] input name '\(name)' is already taken")
        taken.insert(name)
        graph.inputs.append(ONNXValueInfo(name: name, dims: dims))
        return name
    }

    /// Declares `value` a graph output named `name` (reserved at `init`): an Identity node gives it
    /// that name, so the output's name is the interface's whatever made it.
    public mutating func output(_ name: String, from value: String, dims: [ONNXValueInfo.Dimension]) {
        precondition(!graph.outputs.contains { $0.name == name }, "[onnx] output '\(name)' declared twice")
        appendNode("Identity", [value], [name], name: name)
        graph.outputs.append(ONNXValueInfo(name: name, dims: dims))
    }

    /// A float32 constant (a weight, a scale); returns its name, `name` made unique.
    public mutating func initializer(_ name: String, dims: [Int], floats: [Float]) -> String {
        let unique = uniqueName(name)
        graph.initializers.append(ONNXTensor(name: unique, dims: dims, floats: floats))
        return unique
    }

    /// An int64 constant: a shape, axes, slice bounds.
    public mutating func initializer(_ name: String, dims: [Int], int64s: [Int]) -> String {
        let unique = uniqueName(name)
        graph.initializers.append(ONNXTensor(name: unique, dims: dims, int64s: int64s.map(Int64.init)))
        return unique
    }

    /// A float32 scalar constant.
    public mutating func scalar(_ name: String, _ value: Float) -> String { initializer(name, dims: [], floats: [value]) }

    /// Applies `op` to `inputs`; the one output is named after `name`, made unique. An empty input
    /// name is an optional input left out (ONNX's convention).
    @discardableResult
    public mutating func node(_ op: String, _ inputs: [String], name: String, _ attributes: [ONNXAttribute] = []) -> String {
        let output = uniqueName(name)
        appendNode(op, inputs, [output], name: name, attributes)
        return output
    }

    private mutating func appendNode(_ op: String, _ inputs: [String], _ outputs: [String], name: String, _ attributes: [ONNXAttribute] = []) {
        var nodeName = "\(name)/\(op)", k = 0
        while nodeNames.contains(nodeName) {
            k += 1
            nodeName = "\(name)/\(op)_\(k)"
        }
        nodeNames.insert(nodeName)
        graph.nodes.append(ONNXNode(op, inputs: inputs, outputs: outputs, name: nodeName, attributes: attributes))
    }
}
