import Diagnostics
import YAMLReader

extension Decoder {
    /// "an integer", "a list of two numbers", ... as in "`lr` must be a number".
    func describe(_ type: ParameterType) -> String {
        switch type {
        case .int: "an integer"
        case .float: "a number"
        case .bool: "true or false"
        case .string: "a string"
        case .reference(let what): "the name of \(what)"
        case .size: "a size (a positive integer or an expression in classes(<label field>))"
        case .intPair: "an integer or a list of two integers"
        case .ints: "an integer or a list of integers"
        case .floatPair: "a list of two numbers"
        case .numbers(let integer, let counts):
            "\(integer ? "an integer" : "a number") or a list of " + counts.map(String.init).joined(separator: " or ") + (integer ? " integers" : " numbers")
        case .choice(let words): "one of " + words.map { "'\($0)'" }.joined(separator: ", ")
        case .list: "a list"
        case .component(let family): family.withArticle
        case .record, .map, .node: "a mapping"
        }
    }

    /// Notes for a scalar of the wrong type: a quoted number, a YAML 1.1 boolean.
    private func hints(_ node: YAMLNode, expected: ParameterType) -> [Note] {
        guard let s = node.scalar else { return [] }
        if !s.isPlain, case .int = PlainScalar(YAMLScalar(s.value)) { return [Note("quoted values are text; remove the quotes to write a number")] }
        if !s.isPlain, case .float = PlainScalar(YAMLScalar(s.value)) { return [Note("quoted values are text; remove the quotes to write a number")] }
        if case .bool = expected, PlainScalar.isYAML11Boolean(s.value) {
            return [Note("write true or false: specrun does not read YAML 1.1's \(excerpt(s.value)) as a boolean")]
        }
        return []
    }

    private mutating func wrongType(_ node: YAMLNode, _ type: ParameterType, path: String) {
        error(.wrongType, "`\(path)` must be \(describe(type)), found \(node.kindDescription)", at: node.range, notes: hints(node, expected: type))
    }

    private mutating func check(_ x: Double, _ bounds: Bounds?, path: String, at node: YAMLNode) -> Bool {
        guard let bounds, !bounds.contains(x) else { return true }
        error(.outOfRange, "`\(path)` must be \(bounds), found \(node.scalar.map { $0.value.count > 40 ? excerpt($0.value) : $0.value } ?? SpecValue.number(x))", at: node.range)
        return false
    }

    /// Warns where a number is written in a form YAML 1.1 readers take for a string: their JSON
    /// Schema checks (editors) would reject a spec that specrun accepts.
    private mutating func checkPortable(_ s: YAMLScalar, path: String, at node: YAMLNode) {
        guard s.isPlain, let spelling = PlainScalar.yaml11Spelling(of: s.value) else { return }
        error(.yaml11Number, "`\(path)` is written \(s.value), which YAML 1.1 readers (PyYAML, editors built on it) read as text; write \(spelling)",
              at: node.range, notes: [Note("specrun reads YAML 1.2, where \(s.value) is the number \(spelling)")])
    }

    mutating func decodeInt(_ node: YAMLNode, path: String, bounds: Bounds?) -> Int? {
        guard let s = node.scalar else {
            wrongType(node, .int, path: path)
            return nil
        }
        checkPortable(s, path: path, at: node)
        switch PlainScalar(s) {
        case .int(let i):
            return check(Double(i), bounds, path: path, at: node) ? i : nil
        case .float(let d):
            if Self.isIntegerLiteral(s.value) {
                tooLarge(node, path: path)
                return nil
            }
            error(.wrongType, "`\(path)` must be an integer, found \(SpecValue.number(d) == s.value ? s.value : excerpt(s.value))", at: node.range,
                  notes: d == d.rounded() ? [Note("write it without a decimal point or exponent")] : [])
            return nil
        default:
            wrongType(node, .int, path: path)
            return nil
        }
    }

    /// Digits with an optional sign: an integer written plainly (that may not fit an Int).
    static func isIntegerLiteral(_ text: String) -> Bool {
        let digits = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// An integer beyond Int's range (`epochs: 1180591620717411303424`).
    mutating func tooLarge(_ node: YAMLNode, path: String) {
        let text = node.scalar?.value ?? ""
        let shown = text.count > 40 ? String(text.prefix(40)) + "... (\(text.count) digits)" : text
        error(.outOfRange, "`\(path)` is \(shown), beyond the largest integer (\(Int.max))", at: node.range)
    }

    mutating func decodeFloat(_ node: YAMLNode, path: String, bounds: Bounds?) -> Double? {
        guard let s = node.scalar else {
            wrongType(node, .float, path: path)
            return nil
        }
        checkPortable(s, path: path, at: node)
        let d: Double
        switch PlainScalar(s) {
        case .int(let i): d = Double(i)
        case .float(let f): d = f
        default:
            wrongType(node, .float, path: path)
            return nil
        }
        return check(d, bounds, path: path, at: node) ? d : nil
    }

    mutating func decodeBool(_ node: YAMLNode, path: String) -> SpecValue? {
        if let s = node.scalar, case .bool(let b) = PlainScalar(s) { return .bool(b) }
        wrongType(node, .bool, path: path)
        return nil
    }

    /// Any non-null scalar, as written: a column may well be called `2020`.
    mutating func decodeString(_ node: YAMLNode, path: String, type: ParameterType) -> String? {
        guard let s = node.scalar, PlainScalar(s) != .null else {
            wrongType(node, type, path: path)
            return nil
        }
        return s.value
    }

    mutating func decodeSize(_ node: YAMLNode, path: String, bounds: Bounds?) -> SymbolicSize? {
        guard let s = node.scalar, PlainScalar(s) != .null else {
            wrongType(node, .size, path: path)
            return nil
        }
        checkPortable(s, path: path, at: node)
        switch PlainScalar(s) {
        case .int(let i):
            return check(Double(i), bounds, path: path, at: node) ? SymbolicSize(i) : nil
        case .float where Self.isIntegerLiteral(s.value):
            tooLarge(node, path: path)
            return nil
        case .float, .bool:
            wrongType(node, .size, path: path)
            return nil
        default:
            break
        }
        let size: SymbolicSize
        switch SymbolicSize.parse(s.value) {
        case .success(let v): size = v
        case .failure(let e):
            error(.badSize, "`\(path)` is not a size: \(e.message)", at: node.range,
                  notes: [Note("a size is a positive integer or a sum such as `128 + classes(alphabet)`")])
            return nil
        }
        guard size.isLinear else {
            let product = size.terms.keys.first { $0.count > 1 }.map { $0.map { "classes(\($0))" }.joined(separator: "*") } ?? ""
            error(.badSize, "`\(path)` multiplies class counts (\(product)); a size must be linear in the class counts", at: node.range)
            return nil
        }
        for symbol in size.symbols { classUses.append(ClassUse(field: symbol, range: node.range)) }
        if let c = size.constant {
            return check(Double(c), bounds, path: path, at: node) ? SymbolicSize(c) : nil
        }
        guard size.terms.allSatisfy({ $0.key.isEmpty || $0.value > 0 }) else {
            error(.badSize, "`\(path)` subtracts a class count (\(size)); sizes may only add class counts", at: node.range)
            return nil
        }
        return size
    }
}
