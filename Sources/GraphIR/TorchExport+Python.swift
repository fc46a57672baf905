import Diagnostics
import Foundation
import SpecLanguage

/// How the spec's names, sizes and numbers are written in the exported Python.
///
/// Spec names allow `-` and non-ASCII letters, and may be Python keywords or nn.Module methods
/// (`forward`, `train`): such names keep their spelling where Python takes any string (dict keys,
/// `state_dict` names) and are changed only where Python needs an identifier.
struct PythonNames {
    /// The local variable (or forward() argument) holding each input's and node's value.
    private var variables: [String: String] = [:]

    init(_ graph: Graph) {
        var used: Set<String> = ["self", "torch", "nn", "F"]
        for name in graph.inputs.map(\.name) + graph.nodes.map(\.name) {
            let base = PythonNames.identifier(name)
            var candidate = base, suffix = 2
            while used.contains(candidate) {
                candidate = "\(base)_\(suffix)"
                suffix += 1
            }
            used.insert(candidate)
            variables[name] = candidate
        }
    }

    /// The variable holding an input's or node's value.
    func variable(_ name: String) -> String { variables[name] ?? PythonNames.identifier(name) }

    /// `self.image_layer`, or `self._modules["train"]` for a node whose name cannot be an attribute
    /// (not an identifier, or one that nn.Module already uses). Both register the same submodule,
    /// so the state_dict names are the node's name either way.
    static func module(_ name: String) -> String {
        isAttribute(name) ? "self.\(name)" : "self._modules[\(string(name))]"
    }

    static func isAttribute(_ name: String) -> Bool {
        identifier(name) == name && !name.hasPrefix("_") && !moduleAttributes.contains(name)
    }

    /// The name as an ASCII Python identifier: other characters become `_`, and a keyword gets a
    /// trailing `_`.
    static func identifier(_ name: String) -> String {
        var out = String(String.UnicodeScalarView(name.unicodeScalars.map { scalar in
            scalar.isASCII && (scalar == "_" || scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)) ? scalar : "_"
        }))
        if let first = out.unicodeScalars.first, ("0"..."9").contains(first) { out = "_" + out }
        return keywords.contains(out) ? out + "_" : out
    }

    /// A double-quoted Python string literal (a spec's `name` may hold any character): a JSON
    /// string's escapes are all Python escapes with the same meaning.
    static func string(_ text: String) -> String { JSONValue.string(text).rendered(pretty: false) }

    /// Text for a comment or docstring line: line breaks become spaces, backslashes and quotes
    /// cannot end or escape anything.
    static func prose(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 }).replacingOccurrences(of: "\\", with: "/").replacingOccurrences(of: "\"\"\"", with: "\"\" \"")
    }

    /// Python's keywords (3.13); soft keywords such as `match` are valid names.
    static let keywords: Set<String> = [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else",
        "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise",
        "return", "try", "while", "with", "yield",
    ]

    /// The public attributes of a torch 2.13 nn.Module (`dir(nn.Module)` and `training`): a node
    /// named like one of these would be shadowed by it.
    static let moduleAttributes: Set<String> = [
        "T_destination", "add_module", "apply", "bfloat16", "buffers", "call_super_init", "children", "compile", "cpu", "cuda",
        "double", "dump_patches", "eval", "extra_repr", "float", "forward", "get_buffer", "get_extra_state", "get_parameter",
        "get_submodule", "half", "ipu", "load_state_dict", "modules", "mtia", "named_buffers", "named_children", "named_modules",
        "named_parameters", "parameters", "register_backward_hook", "register_buffer", "register_forward_hook",
        "register_forward_pre_hook", "register_full_backward_hook", "register_full_backward_pre_hook",
        "register_load_state_dict_post_hook", "register_load_state_dict_pre_hook", "register_module", "register_parameter",
        "register_state_dict_post_hook", "register_state_dict_pre_hook", "requires_grad_", "set_extra_state", "set_submodule",
        "share_memory", "state_dict", "to", "to_empty", "train", "training", "type", "xpu", "zero_grad",
    ]
}

/// Python expressions for sizes and numbers, as the exported file and the definitions' PyTorch
/// twins write them.
public enum Python {
    /// `16384`, `classes["character"]`, `128 + classes["alphabet"]`, `2 * classes["a"] * classes["b"]`:
    /// a size in terms of the `classes` dict that Model and synthetic_batch receive.
    public static func size(_ size: SymbolicSize) -> String {
        guard !size.terms.isEmpty else { return "0" }
        let ordered = size.terms.sorted { a, b in
            (a.key.count, a.key.joined(separator: ",")) < (b.key.count, b.key.joined(separator: ","))
        }
        var out = ""
        for (i, (monomial, coefficient)) in ordered.enumerated() {
            if i == 0 { out += coefficient < 0 ? "-" : "" } else { out += coefficient < 0 ? " - " : " + " }
            let factors = monomial.map { "classes[\(PythonNames.string($0))]" }
            let magnitude = String(coefficient.magnitude)
            out += (factors.isEmpty ? [magnitude] : coefficient.magnitude == 1 ? factors : [magnitude] + factors).joined(separator: " * ")
        }
        return out
    }

    /// A float literal: Swift's shortest round-tripping form, which Python reads as the same double.
    public static func float(_ value: Double) -> String { "\(value)" }

    public static func bool(_ value: Bool) -> String { value ? "True" : "False" }

    /// `3` or `(3, 5)`: the forms PyTorch's window arguments take (height, width).
    public static func pair(_ height: Int, _ width: Int) -> String { height == width ? "\(height)" : "(\(height), \(width))" }

    /// `(1, 28, 28)`, or `(5,)` for one item.
    public static func tuple(_ items: [Int]) -> String {
        items.count == 1 ? "(\(items[0]),)" : "(" + items.map(String.init).joined(separator: ", ") + ")"
    }

    /// A double-quoted string literal.
    public static func string(_ s: String) -> String { PythonNames.string(s) }
}
