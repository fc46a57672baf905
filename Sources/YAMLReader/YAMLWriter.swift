import CYAML
import Diagnostics

/// Writes a `YAMLNode` tree as YAML text with libyaml's emitter: the spec a run composed from the
/// files it extends and the `--set` arguments, saved in the run folder as spec.yaml.
///
/// Reading the text back gives the same tree but for places: every scalar keeps its text and its
/// style (a quoted `'1'` stays a string, a plain `1e-3` stays a number, an explicit tag stays).
/// Mappings and lists are written in block style, those holding only scalars in flow style
/// (`inputs: {features: [9]}` reads as written by hand). Comments are not part of the tree.
public enum YAMLWriter {
    /// The text of a tree; the empty string for nil (an empty document).
    public static func text(_ root: YAMLNode?) -> String {
        guard let root else { return "" }
        // libyaml keeps pointers into the emitter while it works: it stays at one address.
        let emitter = UnsafeMutablePointer<yaml_emitter_t>.allocate(capacity: 1)
        emitter.initialize(to: yaml_emitter_t())
        defer { emitter.deallocate() }
        guard yaml_emitter_initialize(emitter) != 0 else { preconditionFailure("libyaml could not allocate an emitter") }
        defer { yaml_emitter_delete(emitter) }
        let output = Output()
        let context = Unmanaged.passUnretained(output).toOpaque()
        yaml_emitter_set_output(emitter, { context, buffer, size in
            guard let context, let buffer else { return 0 }
            Unmanaged<Output>.fromOpaque(context).takeUnretainedValue().bytes.append(contentsOf: UnsafeBufferPointer(start: buffer, count: size))
            return 1
        }, context)
        yaml_emitter_set_unicode(emitter, 1)
        yaml_emitter_set_width(emitter, 120)
        var writer = EventWriter(emitter: emitter)
        writer.emit { yaml_stream_start_event_initialize(&$0, YAML_UTF8_ENCODING) }
        writer.emit { yaml_document_start_event_initialize(&$0, nil, nil, nil, 1) }
        writer.node(root)
        writer.emit { yaml_document_end_event_initialize(&$0, 1) }
        writer.emit { yaml_stream_end_event_initialize(&$0) }
        // A tree read by YAMLReader only holds what libyaml can write back; a failure is a bug here.
        precondition(yaml_emitter_flush(emitter) != 0, "libyaml could not write the tree: \(writer.problem ?? "")")
        precondition(writer.problem == nil, "libyaml could not write the tree: \(writer.problem ?? "")")
        return String(decoding: output.bytes, as: UTF8.self)
    }

    /// Where the emitter's output goes (a class, so the C callback can reach it through a pointer).
    private final class Output {
        var bytes: [UInt8] = []
    }

    private struct EventWriter {
        let emitter: UnsafeMutablePointer<yaml_emitter_t>
        var problem: String?

        mutating func emit(_ initialize: (inout yaml_event_t) -> Int32) {
            guard problem == nil else { return }
            var event = yaml_event_t()
            guard initialize(&event) != 0 else {
                problem = "could not make an event"
                return
            }
            // yaml_emitter_emit takes ownership of the event, also when it fails.
            if yaml_emitter_emit(emitter, &event) == 0 {
                problem = emitter.pointee.problem.map { String(cString: $0) } ?? "the emitter failed"
            }
        }

        mutating func node(_ node: YAMLNode) {
            switch node.content {
            case .scalar(let s):
                scalar(s)
            case .sequence(let items):
                let style = items.allSatisfy { $0.scalar != nil } ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE
                emit { yaml_sequence_start_event_initialize(&$0, nil, nil, 1, style) }
                for item in items { self.node(item) }
                emit { yaml_sequence_end_event_initialize(&$0) }
            case .mapping(let pairs):
                let style = pairs.allSatisfy { $0.value.scalar != nil } ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE
                emit { yaml_mapping_start_event_initialize(&$0, nil, nil, 1, style) }
                for pair in pairs {
                    scalar(YAMLScalar(pair.key))
                    self.node(pair.value)
                }
                emit { yaml_mapping_end_event_initialize(&$0) }
            }
        }

        mutating func scalar(_ s: YAMLScalar) {
            let style: yaml_scalar_style_t = switch s.style {
            case .plain: YAML_PLAIN_SCALAR_STYLE
            case .singleQuoted: YAML_SINGLE_QUOTED_SCALAR_STYLE
            case .doubleQuoted: YAML_DOUBLE_QUOTED_SCALAR_STYLE
            case .literal: YAML_LITERAL_SCALAR_STYLE
            case .folded: YAML_FOLDED_SCALAR_STYLE
            }
            let tag = s.tag.map { "tag:yaml.org,2002:" + $0.rawValue }
            // Without a tag, a plain scalar is implicit as plain and a quoted one as quoted, so
            // the emitter writes neither a tag nor another style than asked.
            let plainImplicit: Int32 = tag == nil && s.style == .plain ? 1 : 0
            let quotedImplicit: Int32 = tag == nil && s.style != .plain ? 1 : 0
            // A terminating zero keeps the buffer non-empty for an empty scalar; it is not counted.
            var value = Array(s.value.utf8) + [0]
            var tagBytes = tag.map { Array($0.utf8) + [0] }
            emit { event in
                value.withUnsafeMutableBufferPointer { v in
                    withOptionalPointer(&tagBytes) { t in
                        yaml_scalar_event_initialize(&event, nil, t, v.baseAddress, Int32(v.count - 1), plainImplicit, quotedImplicit, style)
                    }
                }
            }
        }
    }
}

/// libyaml copies what it is given, so a pointer that lives for the call is enough.
private func withOptionalPointer<R>(_ bytes: inout [UInt8]?, _ body: (UnsafeMutablePointer<yaml_char_t>?) -> R) -> R {
    guard bytes != nil else { return body(nil) }
    return bytes!.withUnsafeMutableBufferPointer { body($0.baseAddress) }
}
