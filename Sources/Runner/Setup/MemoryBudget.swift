import Foundation
import GraphIR

/// Whether a bound model fits in memory, checked before a single tensor is allocated: a model
/// inside the graph's size limits can still need more than the machine has, and would otherwise
/// fail deep in an allocation (or bring the machine to swap).
public enum MemoryBudget {
    /// What training needs, roughly from above: weights, their gradients and two optimizer state
    /// buffers per parameter (Adam's), and every layer's output for a batch, kept for backward
    /// with its gradient.
    public static func trainingBytes(_ graph: Graph, batchSize: Int) -> Double {
        let parameters = Double(graph.parameterCount.constant ?? 0)
        var activations = graph.inputs.reduce(0.0) { $0 + Double($1.shape.elementCount.constant ?? 0) }
        for node in graph.nodes {
            activations += node.layers.reduce(0.0) { $0 + Double($1.outputShape.elementCount.constant ?? 0) }
            if node.layers.isEmpty { activations += Double(node.outputShape.elementCount.constant ?? 0) }
        }
        return 4 * (4 * parameters + 2 * activations * Double(batchSize))
    }

    /// Why the model cannot train in `available` bytes, or nil when it fits.
    public static func problem(_ graph: Graph, batchSize: Int, available: Double) -> String? {
        let needed = trainingBytes(graph, batchSize: batchSize)
        guard needed > available else { return nil }
        return "the model needs about \(SizeLimits.bytes(needed)) to train (weights, gradients, optimizer state, and every layer's "
            + "output for a batch of \(batchSize)), more than the \(SizeLimits.bytes(available)) this machine has available; "
            + "make the layers smaller or lower data.batch_size"
    }

    /// Memory this process may still use: the kernel's MemAvailable, capped by a cgroup limit
    /// (containers, CI runners) when one is set.
    public static func availableBytes() -> Double {
        var available = Double.infinity
        if let meminfo = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
           let line = meminfo.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
           let kb = Double(line.split(separator: " ").dropFirst().first ?? "") {
            available = kb * 1024
        }
        // cgroup v2, then v1; "max" and absurd v1 values mean no limit.
        for (limitFile, usageFile) in [("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
                                       ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes")] {
            guard let limit = number(limitFile), limit < 1e18 else { continue }
            available = min(available, limit - (number(usageFile) ?? 0))
            break
        }
        return available
    }

    private static func number(_ path: String) -> Double? {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}
