import CYAML
import Diagnostics

/// Reads YAML with libyaml into a `YAMLNode` tree with 1-based places. The only code in specrun
/// that touches libyaml.
///
/// It rejects, each with a located diagnostic: syntax errors (libyaml's message and mark),
/// duplicate keys, keys that are not scalars, aliases that would expand past `maxNodes`, tags
/// outside the core schema, a second document, input that is not UTF-8, and input past the limits.
public enum YAMLReader {
    /// Reads a file's bytes; `path` is used only for messages. `source` names the source in every
    /// range (see `SourceRange.source`) when the file is read as part of another spec: a file it
    /// extends, or a `--set` argument's value.
    public static func read(bytes: [UInt8], path: String, source: String? = nil, limits: YAMLLimits = YAMLLimits()) -> YAMLDocument {
        var document = read(bytes: bytes, path: path, limits: limits)
        guard let source else { return document }
        document.root = document.root?.inSource(source)
        document.diagnostics = document.diagnostics.map { $0.inSource(source) }
        return document
    }

    private static func read(bytes: [UInt8], path: String, limits: YAMLLimits) -> YAMLDocument {
        if let bad = firstInvalidUTF8(bytes) {
            let file = SourceFile(path: path, text: String(decoding: bytes, as: UTF8.self))
            let at = file.location(atScalarOffset: bad.scalarIndex)
            let d = Diagnostic(.notUTF8, "the file is not valid UTF-8: byte "
                + "0x\(String(bytes[bad.byteOffset], radix: 16, uppercase: true)) at offset \(bad.byteOffset)",
                               at: SourceRange(at: at), notes: [Note("specs must be saved as UTF-8")])
            return YAMLDocument(file: file, root: nil, diagnostics: [d])
        }
        let file = SourceFile(path: path, text: String(decoding: bytes, as: UTF8.self))
        if bytes.count > limits.maxBytes {
            let d = Diagnostic(.limitExceeded, "the file is \(bytes.count) bytes; specrun reads specs of at most \(limits.maxBytes) bytes",
                               at: nil)
            return YAMLDocument(file: file, root: nil, diagnostics: [d])
        }
        var builder = TreeBuilder(file: file, limits: limits)
        builder.parse(bytes)
        return YAMLDocument(file: file, root: builder.failed ? nil : builder.root, diagnostics: builder.diagnostics)
    }

    /// Reads text already in memory (tests, stdin, arguments).
    public static func read(text: String, path: String, source: String? = nil, limits: YAMLLimits = YAMLLimits()) -> YAMLDocument {
        read(bytes: Array(text.utf8), path: path, source: source, limits: limits)
    }

    /// The byte offset and scalar index of the first byte that does not decode as UTF-8.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> (byteOffset: Int, scalarIndex: Int)? {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0, index = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                offset += UTF8.width(scalar)
                index += 1
            case .emptyInput:
                return nil
            case .error:
                return (min(offset, bytes.count - 1), index)
            }
        }
    }
}

/// Turns libyaml's event stream into nodes with an explicit stack (no recursion, so nesting depth
/// costs no native stack).
private struct TreeBuilder {
    let file: SourceFile
    let limits: YAMLLimits
    var diagnostics: [Diagnostic] = []
    var root: YAMLNode?
    /// Set when the tree cannot be trusted (syntax error, a limit crossed): no root is returned.
    var failed = false

    private enum Collection {
        case sequence([YAMLNode])
        case mapping([YAMLPair], pendingKey: (String, SourceRange)?, skipNext: Bool, seen: [String: SourceRange])
    }

    private struct Frame {
        var collection: Collection
        var start: SourceLocation
        var anchor: String?
        /// Nodes in this subtree with aliases expanded, for the alias budget.
        var size: Int
    }

    private var stack: [Frame] = []
    private var anchors: [String: (node: YAMLNode, size: Int)] = [:]
    private var expandedNodes = 0
    private var documents = 0

    init(file: SourceFile, limits: YAMLLimits) {
        self.file = file
        self.limits = limits
    }

    mutating func parse(_ bytes: [UInt8]) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) != 0 else {
            fail(.yamlSyntax, "libyaml could not allocate a parser", at: nil)
            return
        }
        defer { yaml_parser_delete(&parser) }
        // libyaml reads a pointer with a length; an empty array may have no storage, so read a
        // one-byte buffer with length zero instead.
        let input = bytes.isEmpty ? [0] : bytes
        input.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, bytes.count)
            var done = false
            while !done && !failed {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) != 0 else {
                    reportParserError(parser)
                    return
                }
                done = event.type == YAML_STREAM_END_EVENT
                handle(event)
                yaml_event_delete(&event)
            }
        }
    }

    private mutating func handle(_ event: yaml_event_t) {
        let start = location(event.start_mark)
        let range = SourceRange(start: start, end: location(event.end_mark))
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                fail(.multipleDocuments, "the file holds more than one YAML document; a spec is one document",
                     at: range, notes: [Note("remove the second `---` or split the file")])
            }
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            let value = String(decoding: UnsafeBufferPointer(start: s.value, count: s.length), as: UTF8.self)
            let style: YAMLScalar.Style = switch s.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: .literal
            case YAML_FOLDED_SCALAR_STYLE: .folded
            default: .plain
            }
            let tag = resolveTag(s.tag, allowed: [.str, .int, .float, .bool, .null], nonSpecific: .str, at: range)
            complete(YAMLNode(.scalar(YAMLScalar(value, style: style, tag: tag)), range: range), anchor: string(s.anchor), size: 1)
        case YAML_ALIAS_EVENT:
            let name = string(event.data.alias.anchor) ?? ""
            guard let target = anchors[name] else {
                fail(.yamlSyntax, "the alias '*\(name)' refers to no anchor defined before it", at: range)
                return
            }
            complete(target.node, anchor: nil, size: target.size)
        case YAML_SEQUENCE_START_EVENT:
            _ = resolveTag(event.data.sequence_start.tag, allowed: [.seq], nonSpecific: .seq, at: range)
            push(.sequence([]), start: start, anchor: string(event.data.sequence_start.anchor), range: range)
        case YAML_MAPPING_START_EVENT:
            _ = resolveTag(event.data.mapping_start.tag, allowed: [.map], nonSpecific: .map, at: range)
            push(.mapping([], pendingKey: nil, skipNext: false, seen: [:]), start: start,
                 anchor: string(event.data.mapping_start.anchor), range: range)
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else { return }
            let content: YAMLNode.Content = switch frame.collection {
            case .sequence(let items): .sequence(items)
            case .mapping(let pairs, _, _, _): .mapping(pairs)
            }
            complete(YAMLNode(content, range: SourceRange(start: frame.start, end: range.end)), anchor: frame.anchor, size: frame.size)
        default:
            break
        }
    }

    private mutating func push(_ collection: Collection, start: SourceLocation, anchor: String?, range: SourceRange) {
        guard stack.count < limits.maxDepth else {
            fail(.limitExceeded, "the document nests deeper than \(limits.maxDepth) levels", at: range)
            return
        }
        stack.append(Frame(collection: collection, start: start, anchor: anchor, size: 1))
    }

    /// Adds a finished node to its parent (or makes it the root), counting it against the budget.
    private mutating func complete(_ node: YAMLNode, anchor: String?, size: Int) {
        expandedNodes += size
        if expandedNodes > limits.maxNodes {
            fail(.aliasExpansion, "the document expands to more than \(limits.maxNodes) nodes once its aliases are resolved",
                 at: node.range, notes: [Note("specrun refuses documents whose aliases multiply their size (a \"billion laughs\" file)")])
            return
        }
        if let anchor { anchors[anchor] = (node, size) }
        guard var frame = stack.popLast() else {
            root = node
            return
        }
        frame.size += size
        switch frame.collection {
        case .sequence(var items):
            items.append(node)
            frame.collection = .sequence(items)
        case .mapping(var pairs, let pendingKey, let skipNext, var seen):
            if let (key, keyRange) = pendingKey {
                if !skipNext { pairs.append(YAMLPair(key: key, keyRange: keyRange, value: node)) }
                frame.collection = .mapping(pairs, pendingKey: nil, skipNext: false, seen: seen)
            } else if let scalar = node.scalar {
                var skip = false
                if let first = seen[scalar.value] {
                    diagnostics.append(Diagnostic(.duplicateKey, "the key '\(scalar.value)' appears twice in one mapping", at: node.range,
                                                  notes: [Note("first defined here; the second value is ignored", at: first)]))
                    skip = true
                } else {
                    seen[scalar.value] = node.range
                }
                frame.collection = .mapping(pairs, pendingKey: (scalar.value, node.range), skipNext: skip, seen: seen)
            } else {
                diagnostics.append(Diagnostic(.complexKey, "a mapping key must be a plain name, not \(node.kindDescription)", at: node.range))
                frame.collection = .mapping(pairs, pendingKey: ("", node.range), skipNext: true, seen: seen)
            }
        }
        stack.append(frame)
    }

    private mutating func resolveTag(_ pointer: UnsafeMutablePointer<yaml_char_t>?, allowed: [YAMLTag], nonSpecific: YAMLTag,
                                     at range: SourceRange) -> YAMLTag? {
        guard let text = string(pointer) else { return nil }
        if text == "!" { return nonSpecific }
        let prefix = "tag:yaml.org,2002:"
        if text.hasPrefix(prefix), let tag = YAMLTag(rawValue: String(text.dropFirst(prefix.count))), allowed.contains(tag) {
            return tag
        }
        let shown = text.hasPrefix(prefix) ? "!!" + text.dropFirst(prefix.count) : text
        diagnostics.append(Diagnostic(.unsupportedTag, "specrun does not understand the tag '\(shown)' here", at: range,
                                      notes: [Note("allowed here: " + allowed.map { "'!!\($0.rawValue)'" }.joined(separator: ", ") + ", or no tag")]))
        return nil
    }

    private mutating func reportParserError(_ parser: yaml_parser_t) {
        let problem = string(parser.problem) ?? "libyaml reported an error"
        switch parser.error {
        case YAML_READER_ERROR:
            let at = file.location(atUTF8Offset: parser.problem_offset)
            fail(.yamlSyntax, problem, at: SourceRange(at: at))
        case YAML_MEMORY_ERROR:
            fail(.limitExceeded, "libyaml ran out of memory reading the file", at: nil)
        default:
            var notes: [Note] = []
            if let context = string(parser.context) {
                notes.append(Note(context, at: SourceRange(at: location(parser.context_mark))))
            }
            fail(.yamlSyntax, problem, at: SourceRange(at: location(parser.problem_mark)), notes: notes)
        }
    }

    private mutating func fail(_ code: DiagnosticCode, _ message: String, at range: SourceRange?, notes: [Note] = []) {
        diagnostics.append(Diagnostic(code, message, at: range, notes: notes))
        failed = true
    }

    private func location(_ mark: yaml_mark_t) -> SourceLocation {
        file.location(atScalarOffset: Int(clamping: mark.index))
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
    }

    private func string(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}
