import Autograd
import Kernels

/// A model as a spec describes it: named inputs, then named nodes in topological order, each a
/// layer sequence fed by one earlier node or input, a concatenation, or a sum (residual); outputs
/// name the nodes they read.
///
/// The model owns its mode: `train()` turns on batch statistics, dropout and gradient recording;
/// `eval()` turns them off, so an evaluation pass records nothing and keeps no intermediates.
/// It also owns the generator dropout draws from.
public final class GraphModel {
    public enum Operation {
        /// Layers applied to the named node or input.
        case layers(from: String, Sequential)
        /// Several named nodes or inputs joined into one.
        case merge(inputs: [String], any MergeModule)
    }

    public struct Node {
        public var name: String
        public var operation: Operation
        public init(name: String, operation: Operation) {
            self.name = name
            self.operation = operation
        }
    }

    public let inputNames: [String]
    public let nodes: [Node]
    /// (output name, node it reads).
    public let outputs: [(name: String, node: String)]
    public private(set) var isTraining = true
    /// The generator dropout layers draw from; part of a checkpoint.
    public var rng: RandomGenerator
    /// For a process of a data-parallel job: where the rows it is given start in the whole batch
    /// (set before each forward pass), and the sum over the processes that batch normalisation
    /// takes its statistics with. See `ForwardContext`.
    public var firstRow = 0
    public var replicas: (any ReplicaSum)?

    public init(inputs: [String], nodes: [Node], outputs: [(name: String, node: String)], rng: RandomGenerator) {
        self.inputNames = inputs
        self.nodes = nodes
        self.outputs = outputs
        self.rng = rng
        var known = Set(inputs)
        for node in nodes {
            for source in node.sources { precondition(known.contains(source), "[model] node \(node.name) reads \(source), which is not defined before it") }
            known.insert(node.name)
        }
        for o in outputs { precondition(known.contains(o.node), "[model] output \(o.name) reads unknown node \(o.node)") }
    }

    /// Training mode: batch statistics, dropout, and gradients recorded for every parameter.
    public func train() { setMode(training: true) }

    /// Evaluation mode: running statistics, no dropout, nothing recorded.
    public func eval() { setMode(training: false) }

    private func setMode(training: Bool) {
        isTraining = training
        for p in parameters { p.tensor.requiresGrad = training }
    }

    /// The outputs for a batch of named inputs.
    public func callAsFunction(_ inputs: [String: Tensor]) -> [String: Tensor] {
        var values = inputs
        var context = ForwardContext(training: isTraining, rng: rng, firstRow: firstRow, replicas: replicas)
        for node in nodes {
            switch node.operation {
            case .layers(let from, let layers):
                values[node.name] = layers(values[from]!, &context)
            case .merge:
                values[node.name] = node.merge(values)
            }
        }
        rng = context.rng
        var result: [String: Tensor] = [:]
        for o in outputs { result[o.name] = values[o.node] }
        return result
    }

    /// Every parameter under its PyTorch `state_dict` name (`embedding.0.weight`).
    public var parameters: [NamedParameter] { collect { $0.parameters } }
    /// Every buffer (`bn.1.running_mean`).
    public var buffers: [NamedParameter] { collect { $0.buffers } }
    /// Every integer counter (`bn.1.num_batches_tracked`).
    public var counters: [(name: String, value: Int)] {
        layerNodes.flatMap { name, seq in seq.counters.map { ("\(name).\($0.name)", $0.value) } }
    }

    /// Restores a counter by its full name; false when no layer has it.
    @discardableResult
    public func setCounter(_ fullName: String, to value: Int) -> Bool {
        for (name, seq) in layerNodes where fullName.hasPrefix(name + ".") {
            let local = String(fullName.dropFirst(name.count + 1))
            guard seq.counters.contains(where: { $0.name == local }) else { continue }
            seq.setCounter(local, to: value)
            return true
        }
        return false
    }

    private var layerNodes: [(String, Sequential)] {
        nodes.compactMap { node in
            if case .layers(_, let seq) = node.operation { return (node.name, seq) }
            return nil
        }
    }

    private func collect(_ list: (Sequential) -> [NamedParameter]) -> [NamedParameter] {
        layerNodes.flatMap { name, seq in list(seq).map { (name: "\(name).\($0.name)", tensor: $0.tensor) } }
    }
}

extension GraphModel.Node {
    /// The result of a merge node from the values of the nodes it reads (nil for a layer
    /// node, whose result needs its layers run).
    public func merge(_ values: [String: Tensor]) -> Tensor? {
        switch operation {
        case .layers: nil
        case .merge(let names, let module): module(names.map { values[$0]! })
        }
    }

    /// The nodes or inputs this node reads.
    public var sources: [String] {
        switch operation {
        case .layers(let from, _): [from]
        case .merge(let inputs, _): inputs
        }
    }
}
