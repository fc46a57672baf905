import Diagnostics
import Autograd
import DataPipeline
import Foundation
import NN

/// A model's `state_dict` in the safetensors format: parameters and buffers as F32, integer
/// counters (BatchNorm's `num_batches_tracked`) as I64, names as PyTorch's, in model order.
public enum StateDict {
    public static func entries(of model: GraphModel) -> [SafeTensors.Entry] {
        var entries = (model.parameters + model.buffers).map { SafeTensors.Entry(name: $0.name, shape: $0.tensor.shape.dims, floats: $0.tensor.values) }
        entries += model.counters.map { SafeTensors.Entry(name: $0.name, shape: [], int64s: [Int64($0.value)]) }
        let order = Dictionary(uniqueKeysWithValues: stateNames(of: model).enumerated().map { ($1, $0) })
        return entries.sorted { order[$0.name]! < order[$1.name]! }
    }

    /// Names in the order PyTorch's state_dict lists them: per layer, parameters then buffers.
    static func stateNames(of model: GraphModel) -> [String] {
        let all = model.parameters.map(\.name) + model.buffers.map(\.name) + model.counters.map(\.name)
        func layerKey(_ name: String) -> [Int] {
            // "<node>.<index>.<local>": sort by node order, then layer index.
            let parts = name.split(separator: ".")
            let node = model.nodes.firstIndex { $0.name == parts[0] } ?? 0
            return [node, Int(parts.count > 1 ? parts[1] : "0") ?? 0]
        }
        return all.enumerated().sorted { a, b in
            let (ka, kb) = (layerKey(a.element), layerKey(b.element))
            return ka != kb ? ka.lexicographicallyPrecedes(kb) : a.offset < b.offset
        }.map(\.element)
    }

    /// Copies saved values into the model; every tensor and counter must be present with its shape.
    public static func load(_ file: SafeTensors, into model: GraphModel, source: String) throws(RunError) {
        let expected = Set(stateNames(of: model)), found = Set(file.entries.map(\.name))
        if expected != found {
            let missing = expected.subtracting(found).sorted(), extra = found.subtracting(expected).sorted()
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing \(missing.prefix(4).map { excerpt($0) }.joined(separator: ", "))\(missing.count > 4 ? ", ..." : "")") }
            if !extra.isEmpty { parts.append("unexpected \(extra.prefix(4).map { excerpt($0) }.joined(separator: ", "))\(extra.count > 4 ? ", ..." : "")") }
            throw RunError(.file, "\(source): the weights do not fit this spec's model (\(parts.joined(separator: "; ")))")
        }
        let byName = Dictionary(file.entries.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for (name, tensor) in model.parameters + model.buffers {
            let entry = byName[name]!
            guard entry.shape == tensor.shape.dims, let values = entry.floats else {
                throw RunError(.file, "\(source): \(name) is \(entry.dtype.rawValue) \(SafeTensors.describe(entry.shape)), the model needs F32 \(tensor.shape.dims)")
            }
            // A NaN or infinite weight makes every output NaN: eval would report `loss: nan` and
            // predict null probabilities, as if that were a result.
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw RunError(.file, "\(source): \(name) holds \(values[bad]) at index \(bad); these weights come from a diverged run")
            }
            values.withUnsafeBufferPointer { tensor.data.update(from: $0.baseAddress!, count: tensor.count) }
        }
        for (name, _) in model.counters {
            guard let entry = byName[name], entry.shape.isEmpty, let value = entry.int64s?.first, value >= 0 else {
                throw RunError(.file, "\(source): \(name) must be a non-negative I64 scalar")
            }
            model.setCounter(name, to: Int(value))
        }
    }
}
