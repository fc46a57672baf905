import Diagnostics

/// A YAML scalar as written: its text, how it was quoted, and its explicit tag if any. The reader
/// does not decide whether `1e-3` is a number: that depends on what the spec expects there.
public struct YAMLScalar: Hashable, Sendable {
    /// How the scalar was written.
    public enum Style: Hashable, Sendable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    public var value: String
    public var style: Style
    /// An explicit core-schema tag (`!!str`, `!!int`, ...), or nil.
    public var tag: YAMLTag?

    public init(_ value: String, style: Style = .plain, tag: YAMLTag? = nil) {
        self.value = value
        self.style = style
        self.tag = tag
    }

    /// Whether the scalar may be read as a number, boolean or null: written plain without a
    /// `!!str` tag, or tagged as one of those types. Quoted strings are never numbers.
    public var isPlain: Bool {
        switch tag {
        case .some(.str): false
        case .some(.int), .some(.float), .some(.bool), .some(.null): true
        default: style == .plain
        }
    }
}

/// The YAML core-schema tags the reader understands; any other tag is an error.
public enum YAMLTag: String, Hashable, Sendable {
    case str, int, float, bool, null, seq, map
}

/// A node of the document tree: a scalar, a sequence or a mapping, with its place in the file.
public struct YAMLNode: Hashable, Sendable {
    /// What the node is.
    public enum Content: Hashable, Sendable {
        case scalar(YAMLScalar)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    public var content: Content
    /// Where the node is written; for a node reached through an alias, where the anchored node is.
    public var range: SourceRange

    public init(_ content: Content, range: SourceRange) {
        self.content = content
        self.range = range
    }

    public var scalar: YAMLScalar? {
        if case .scalar(let s) = content { s } else { nil }
    }

    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = content { items } else { nil }
    }

    public var mapping: [YAMLPair]? {
        if case .mapping(let pairs) = content { pairs } else { nil }
    }

    /// "a string", "a list", "a mapping", "null", ... for messages like "expected a number, found a list".
    public var kindDescription: String {
        switch content {
        case .sequence: "a list"
        case .mapping: "a mapping"
        case .scalar(let s):
            if s.isPlain && (s.value.isEmpty || s.value == "~" || s.value == "null" || s.value == "Null" || s.value == "NULL") {
                "null"
            } else {
                excerpt(s.value)
            }
        }
    }

    /// The value of a key in a mapping node, if this is a mapping that has it.
    public subscript(key: String) -> YAMLNode? {
        mapping?.first { $0.key == key }?.value
    }

    /// The same tree with every range in the named source (nesting is bounded by the reader's
    /// `maxDepth`, so the recursion is too).
    func inSource(_ source: String) -> YAMLNode {
        var range = self.range
        range.source = source
        switch content {
        case .scalar: return YAMLNode(content, range: range)
        case .sequence(let items): return YAMLNode(.sequence(items.map { $0.inSource(source) }), range: range)
        case .mapping(let pairs):
            return YAMLNode(.mapping(pairs.map { pair in
                var keyRange = pair.keyRange
                keyRange.source = source
                return YAMLPair(key: pair.key, keyRange: keyRange, value: pair.value.inSource(source))
            }), range: range)
        }
    }
}

extension Diagnostic {
    /// The same diagnostic with its range and its notes' ranges in the named source.
    func inSource(_ source: String) -> Diagnostic {
        var d = self
        d.range?.source = source
        for i in d.notes.indices { d.notes[i].range?.source = source }
        return d
    }
}

/// One entry of a mapping. Keys are always scalars (the reader rejects others), so the key is kept
/// as its text with its own place.
public struct YAMLPair: Hashable, Sendable {
    public var key: String
    public var keyRange: SourceRange
    public var value: YAMLNode

    public init(key: String, keyRange: SourceRange, value: YAMLNode) {
        self.key = key
        self.keyRange = keyRange
        self.value = value
    }
}

/// The result of reading one file: the file (for rendering), the root node if the file could be
/// parsed, and every problem found.
public struct YAMLDocument: Sendable {
    public var file: SourceFile
    /// Nil when the file is empty or could not be parsed.
    public var root: YAMLNode?
    public var diagnostics: [Diagnostic]
}

/// Bounds that keep hostile input cheap: a spec is a few kilobytes, so these are generous.
public struct YAMLLimits: Sendable {
    /// Largest accepted file, in bytes.
    public var maxBytes: Int
    /// Deepest accepted nesting of sequences and mappings.
    public var maxDepth: Int
    /// Most nodes the document may contain once every alias is expanded; a "billion laughs"
    /// file crosses this after a few thousand events and is refused.
    public var maxNodes: Int

    public init(maxBytes: Int = 4 << 20, maxDepth: Int = 64, maxNodes: Int = 100_000) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
    }
}
