import YAMLReader

/// What a YAML scalar means as data. libyaml hands over text; specrun decides here, once, which
/// texts are numbers, booleans and null (the YAML 1.2 core schema, without its infinities and NaN),
/// so that every part of the spec reads `1e-3` and `yes` the same way.
public enum PlainScalar: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)

    /// The meaning of a scalar: a quoted or `!!str` scalar is always a string; a plain one is null,
    /// a boolean, an integer, a float, or else a string.
    public init(_ scalar: YAMLScalar) {
        guard scalar.isPlain else {
            self = .string(scalar.value)
            return
        }
        let s = scalar.value
        switch s {
        case "", "~", "null", "Null", "NULL": self = .null
        case "true", "True", "TRUE": self = .bool(true)
        case "false", "False", "FALSE": self = .bool(false)
        default:
            if PlainScalar.isInteger(s), let i = Int(s) {
                self = .int(i)
            } else if PlainScalar.isFloat(s), let d = Double(s), d.isFinite {
                self = .float(d)
            } else {
                self = .string(s)
            }
        }
    }

    /// Whether the text is one of YAML 1.1's other spellings of a boolean (`yes`, `off`, ...),
    /// which YAML 1.2 reads as strings. specrun refuses them where a boolean goes, with a hint,
    /// rather than guess.
    public static func isYAML11Boolean(_ s: String) -> Bool {
        ["y", "yes", "n", "no", "on", "off"].contains(s.lowercased())
    }

    /// `[-+]?[0-9]+`
    static func isInteger(_ s: String) -> Bool {
        var chars = Substring(s)
        if chars.first == "-" || chars.first == "+" { chars = chars.dropFirst() }
        return !chars.isEmpty && chars.allSatisfy(\.isASCIIDigit)
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
    static func isFloat(_ s: String) -> Bool {
        var chars = Substring(s)
        if chars.first == "-" || chars.first == "+" { chars = chars.dropFirst() }
        let mantissaEnd = chars.firstIndex { $0 == "e" || $0 == "E" } ?? chars.endIndex
        let mantissa = chars[..<mantissaEnd]
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }) else { return false }
        guard !(parts.first?.isEmpty ?? true) || (parts.count == 2 && !parts[1].isEmpty) else { return false }
        guard mantissaEnd < chars.endIndex else { return true }
        var exponent = chars[chars.index(after: mantissaEnd)...]
        if exponent.first == "-" || exponent.first == "+" { exponent = exponent.dropFirst() }
        return !exponent.isEmpty && exponent.allSatisfy(\.isASCIIDigit)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
