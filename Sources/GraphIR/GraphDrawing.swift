import Foundation

/// `specrun graph`: the graph as Graphviz DOT or as a Mermaid flowchart. Inputs are ellipses,
/// layer sequences boxes listing their layers, merges hexagons, outputs notes naming their loss.
public enum GraphDrawing {
    /// `dot` for Graphviz, `mermaid` for Mermaid flowcharts (GitHub renders them in Markdown).
    public enum Format: String, CaseIterable, Sendable {
        case dot, mermaid
    }

    /// The graph as text in the format.
    public static func render(_ graph: Graph, format: Format) -> String {
        switch format {
        case .dot: dot(graph)
        case .mermaid: mermaid(graph)
        }
    }

    /// Each element of the drawing: an id, its kind, the lines of its label.
    private struct Element {
        enum Kind { case input, sequence, merge, output }
        var id: String
        var kind: Kind
        var lines: [String]
    }

    private static func elements(_ graph: Graph) -> (elements: [Element], edges: [(from: String, to: String, label: String)]) {
        var elements: [Element] = []
        var edges: [(String, String, String)] = []
        for input in graph.inputs {
            elements.append(Element(id: "input:" + input.name, kind: .input, lines: [input.name, input.shape.description]))
        }
        let inputNames = Set(graph.inputs.map(\.name))
        func id(_ name: String) -> String { (inputNames.contains(name) ? "input:" : "node:") + name }
        for node in graph.nodes {
            var lines = [node.name]
            let kind: Element.Kind
            switch node.operation {
            case .sequence(_, let layers):
                kind = .sequence
                lines += layers.map { "\($0.index) \($0.signature)" }
            case .merge(let merge):
                kind = .merge
                let detail = merge.attributes.signature
                lines.append(merge.kind + (detail.isEmpty ? "" : ", " + detail))
            }
            lines.append(node.outputShape.description)
            elements.append(Element(id: "node:" + node.name, kind: kind, lines: lines))
            for source in node.sources {
                edges.append((id(source), "node:" + node.name, graph.shape(of: source)?.description ?? ""))
            }
        }
        for output in graph.outputs {
            elements.append(Element(id: "output:" + output.name, kind: .output,
                                    lines: [output.name, "\(output.loss.name) x \(output.weight)", "target \(output.target.name)"]))
            edges.append(("node:" + output.from, "output:" + output.name, output.shape.description))
        }
        return (elements, edges)
    }

    static func dot(_ graph: Graph) -> String {
        let (elements, edges) = elements(graph)
        func quote(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        var out = ["digraph \(quote(graph.name)) {", "  rankdir=TB;", "  node [fontname=\"Helvetica\", fontsize=10];",
                   "  edge [fontname=\"Helvetica\", fontsize=9];"]
        for e in elements {
            let shape = switch e.kind {
            case .input: "ellipse"
            case .sequence: "box"
            case .merge: "hexagon"
            case .output: "note"
            }
            let label = e.lines.map { $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") }.joined(separator: "\\n")
            out.append("  \(quote(e.id)) [shape=\(shape), label=\"\(label)\"];")
        }
        for edge in edges { out.append("  \(quote(edge.from)) -> \(quote(edge.to)) [label=\(quote(edge.label))];") }
        out.append("}")
        return out.joined(separator: "\n") + "\n"
    }

    static func mermaid(_ graph: Graph) -> String {
        let (elements, edges) = elements(graph)
        // Mermaid ids allow letters, digits and `_`; a prefix per kind also keeps names like `end` from being keywords.
        func id(_ s: String) -> String {
            let parts = s.split(separator: ":", maxSplits: 1)
            let prefix = ["input": "in_", "node": "n_", "output": "out_"][String(parts[0])] ?? ""
            return prefix + String(parts[1].map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
        }
        func text(_ s: String) -> String { s.replacingOccurrences(of: "\"", with: "#quot;") }
        var out = ["flowchart TD"]
        for e in elements {
            let label = "\"" + e.lines.map(text).joined(separator: "<br/>") + "\""
            let shaped = switch e.kind {
            case .input: "([\(label)])"
            case .sequence: "[\(label)]"
            case .merge: "{{\(label)}}"
            case .output: "[/\(label)/]"
            }
            out.append("  \(id(e.id))\(shaped)")
        }
        for edge in edges { out.append("  \(id(edge.from)) -->|\"\(text(edge.label))\"| \(id(edge.to))") }
        return out.joined(separator: "\n") + "\n"
    }
}
