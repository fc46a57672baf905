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

    /// For a plain scalar that specrun (YAML 1.2) reads as a number but YAML 1.1 readers (PyYAML,
    /// and the editors and schema checkers built on it) read as a string, the same number written
    /// so that every reader agrees; nil when they already do. YAML 1.1 wants a dot in a float and a
    /// sign in its exponent (`1e-3` and `1.0e3` are strings to it, `0.001` and `1.0e+3` numbers),
    /// no sign before a bare fraction (`-.5`), and reads an integer with a leading zero as octal or,
    /// with an 8 or 9 in it, as a string.
    public static func yaml11Spelling(of s: String) -> String? {
        switch PlainScalar(YAMLScalar(s)) {
        case .float(let d):
            return isYAML11Float(s) ? nil : portableSpelling(d)
        case .int(let i):
            let digits = s.drop { $0 == "-" || $0 == "+" }
            return digits.count > 1 && digits.first == "0" ? String(i) : nil
        default:
            return nil
        }
    }

    /// PyYAML's float forms: `[-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)?` or `\.[0-9_]+([eE][-+][0-9]+)?`
    /// (the underscores aside, which YAML 1.2 does not read as a number anyway).
    static func isYAML11Float(_ s: String) -> Bool {
        var chars = Substring(s)
        let signed = chars.first == "-" || chars.first == "+"
        if signed { chars = chars.dropFirst() }
        let mantissaEnd = chars.firstIndex { $0 == "e" || $0 == "E" } ?? chars.endIndex
        guard chars[..<mantissaEnd].contains("."), !(signed && chars.first == ".") else { return false }
        guard mantissaEnd < chars.endIndex else { return true }
        let sign = chars[chars.index(after: mantissaEnd)...].first
        return sign == "-" || sign == "+"
    }

    /// `0.001`, `2000.0`, `1.0e-8`: Swift's shortest round-trip text, with a dot in the mantissa and
    /// a signed exponent.
    static func portableSpelling(_ d: Double) -> String {
        let text = "\(d)"
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return text }
        var mantissa = String(text[..<e])
        if !mantissa.contains(".") { mantissa += ".0" }
        var exponent = Substring(text[text.index(after: e)...])
        let sign = exponent.first == "-" ? "-" : "+"
        exponent = exponent.drop { $0 == "-" || $0 == "+" }.drop { $0 == "0" }
        return mantissa + "e" + sign + (exponent.isEmpty ? "0" : String(exponent))
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
