import Diagnostics
import SpecLanguage

extension Graph {
    /// Fixes the class counts once the data is loaded (`["alphabet": 8, "character": 242]`, keyed
    /// by label field), completes the checks that waited for them, and on success replaces every
    /// symbolic size in the graph (shapes, layer sizes, parameter and FLOP counts) by its value.
    ///
    /// Returns the problems found; when there are any, the graph is left unchanged. Diagnostics
    /// point into the spec file, so render them with the `SourceFile` the spec was loaded from.
    public mutating func bind(_ classCounts: [String: Int]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for symbol in symbols {
            guard let value = classCounts[symbol] else {
                diagnostics.append(Diagnostic(.badBinding, "no class count was given for the label field '\(symbol)'", at: nil,
                                              notes: [Note("the graph depends on classes(\(symbol))")]))
                continue
            }
            if value < 1 {
                diagnostics.append(Diagnostic(.badBinding, "the label field '\(symbol)' has \(value) classes; it needs at least 1", at: nil))
            }
        }
        guard diagnostics.isEmpty else { return diagnostics }
        for check in pendingChecks {
            let lhs = check.lhs.substituting(classCounts), rhs = check.rhs.substituting(classCounts)
            guard let l = lhs.constant, let r = rhs.constant, l != r else { continue }
            let used = Set(check.lhs.symbols + check.rhs.symbols).sorted()
            let values = used.map { "classes(\($0)) = \(classCounts[$0] ?? 0)" }.joined(separator: ", ")
            diagnostics.append(Diagnostic(check.code, DiagnosticSink.fill(check.template, Graph.show(check.lhs, l), Graph.show(check.rhs, r)),
                                          at: check.range, notes: check.notes + [Note("the loaded data has \(values)")]))
        }
        guard diagnostics.isEmpty else { return diagnostics }
        // Sizes that depend on class counts meet the size limits only now.
        for node in nodes {
            for layer in node.layers {
                let label = "[\(node.name).\(layer.index) \(layer.kind)]"
                if let why = SizeLimits.problem(layer.parameterCount.substituting(classCounts), "parameters") {
                    diagnostics.append(Diagnostic(.tooLarge, "\(label) needs \(why) with the loaded data's class counts", at: layer.range))
                } else if let why = SizeLimits.problem(layer.outputShape.substituting(classCounts).elementCount, "values per sample") {
                    diagnostics.append(Diagnostic(.tooLarge, "\(label) makes \(why) with the loaded data's class counts", at: layer.range))
                }
            }
        }
        guard diagnostics.isEmpty else { return diagnostics }
        substitute(classCounts)
        return []
    }

    /// `8` for a constant, `classes(alphabet) = 8` for a size that depended on the data.
    private static func show(_ size: SymbolicSize, _ value: Int) -> String {
        size.constant != nil ? String(value) : "\(size) = \(value)"
    }

    private mutating func substitute(_ values: [String: Int]) {
        for i in inputs.indices { inputs[i].shape = inputs[i].shape.substituting(values) }
        for i in nodes.indices {
            nodes[i].outputShape = nodes[i].outputShape.substituting(values)
            if case .sequence(let from, var layers) = nodes[i].operation {
                for j in layers.indices {
                    layers[j].attributes = layers[j].attributes.substituting(values)
                    layers[j].inputShape = layers[j].inputShape.substituting(values)
                    layers[j].outputShape = layers[j].outputShape.substituting(values)
                    layers[j].parameterCount = layers[j].parameterCount.substituting(values)
                    layers[j].flops = layers[j].flops.substituting(values)
                }
                nodes[i].operation = .sequence(from: from, layers: layers)
            }
        }
        for i in outputs.indices { outputs[i].shape = outputs[i].shape.substituting(values) }
        pendingChecks = []
        bindings.merge(values) { _, new in new }
    }

    /// Whether every size in the graph is a constant.
    public var isBound: Bool { symbols.isEmpty }
}
