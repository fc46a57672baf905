import Foundation
import YAMLReader

/// A spec or settings file as a tree of mappings, lists and scalars, so that two runs' files can
/// be compared key by key whatever they hold.
public indirect enum Tree: Sendable, Equatable {
    case scalar(String)
    case list([Tree])
    /// Keys in the order written.
    case map([(key: String, value: Tree)])

    public static func == (a: Tree, b: Tree) -> Bool {
        switch (a, b) {
        case (.scalar(let x), .scalar(let y)): x == y
        case (.list(let x), .list(let y)): x == y
        case (.map(let x), .map(let y)): x.map(\.key) == y.map(\.key) && x.map(\.value) == y.map(\.value)
        default: false
        }
    }

    public init(_ node: YAMLNode) {
        switch node.content {
        case .scalar(let s): self = .scalar(s.value)
        case .sequence(let items): self = .list(items.map(Tree.init))
        case .mapping(let pairs): self = .map(pairs.map { ($0.key, Tree($0.value)) })
        }
    }

    /// A value JSONSerialization read; object keys sorted, numbers as JSON writes them.
    public init(json: Any) {
        switch json {
        case let object as [String: Any]: self = .map(object.keys.sorted().map { ($0, Tree(json: object[$0]!)) })
        case let array as [Any]: self = .list(array.map(Tree.init(json:)))
        case let string as String: self = .scalar(string)
        case let number as NSNumber: self = .scalar(Tree.text(number))
        default: self = .scalar("null")
        }
    }

    private static func text(_ number: NSNumber) -> String {
        // JSON's true and false arrive as NSNumbers too; only their type code tells them from 1 and 0.
        if String(cString: number.objCType) == "c" { return number.boolValue ? "true" : "false" }
        let d = number.doubleValue
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }

    public subscript(key: String) -> Tree? {
        if case .map(let pairs) = self { pairs.first { $0.key == key }?.value } else { nil }
    }

    public var text: String? { if case .scalar(let s) = self { s } else { nil } }
    public var keys: [String] { if case .map(let pairs) = self { pairs.map(\.key) } else { [] } }
    public var items: [Tree] { if case .list(let items) = self { items } else { [] } }

    /// The name of a spec option written bare (`bce`) or as a one-key mapping (`{adam: {lr: 1e-3}}`).
    public var optionName: String? {
        switch self {
        case .scalar(let s): s
        case .map(let pairs) where pairs.count == 1: pairs[0].key
        default: nil
        }
    }

    /// The leaves as `(dotted path, shown value)`: `optimizer.adam.lr` -> `1e-3`,
    /// `model.nodes.mlp.layers[0].linear.out` -> `16`. A list of scalars is one leaf (`[ph, Hardness]`),
    /// so that a long list of class names differs in one row, not hundreds.
    public func leaves(prefix: String = "") -> [(path: String, value: String)] {
        switch self {
        case .scalar(let s): return [(prefix, s)]
        case .list(let items):
            if items.allSatisfy({ $0.text != nil }) { return [(prefix, "[" + items.compactMap(\.text).joined(separator: ", ") + "]")] }
            return items.enumerated().flatMap { i, item in item.leaves(prefix: "\(prefix)[\(i)]") }
        case .map(let pairs):
            if pairs.isEmpty { return [(prefix, "{}")] }
            return pairs.flatMap { $0.value.leaves(prefix: prefix.isEmpty ? $0.key : "\(prefix).\($0.key)") }
        }
    }
}

/// The keys whose values differ between runs, in the order they first appear.
public struct TreeDifference: Sendable {
    public struct Row: Sendable {
        public var path: String
        /// One value per run; nil where the run does not have the key.
        public var values: [String?]
    }

    public var rows: [Row]

    /// Compares the runs' trees key by key. Numbers written differently but equal (`1e-3`, `0.001`)
    /// are the same value.
    public init(_ trees: [Tree?]) {
        let leaves = trees.map { tree in (tree?.leaves() ?? []).reduce(into: [String: String]()) { $0[$1.path] = $1.value } }
        var order: [String] = []
        var seen = Set<String>()
        for tree in trees { for leaf in tree?.leaves() ?? [] where seen.insert(leaf.path).inserted { order.append(leaf.path) } }
        rows = order.compactMap { path in
            let values = leaves.map { $0[path] }
            let first = values[0]
            return values.allSatisfy({ Self.same($0, first) }) ? nil : Row(path: path, values: values)
        }
    }

    static func same(_ a: String?, _ b: String?) -> Bool {
        if a == b { return true }
        guard let a, let b, let x = Double(a), let y = Double(b) else { return false }
        return x == y
    }
}
