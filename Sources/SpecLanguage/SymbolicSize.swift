/// A size that may depend on the data: an integer polynomial over class counts, written
/// `classes(<label field>)`. Shapes only ever hold linear forms such as `128 + classes(alphabet)`;
/// parameter and FLOP counts may hold products (a linear layer from `classes(a)` to `classes(b)`
/// has `classes(a)*classes(b)` weights).
///
/// A symbol is the name of the label field whose class count it stands for: `SymbolicSize.classes("alphabet")`
/// prints as `classes(alphabet)` and is bound with `["alphabet": 8]`.
public struct SymbolicSize: Hashable, Sendable, Comparable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// Coefficient of each monomial; a monomial is its sorted symbols (repeated for powers), the
    /// constant term is the empty monomial. Zero coefficients are never stored.
    public private(set) var terms: [[String]: Int]

    public init(_ constant: Int) {
        terms = constant == 0 ? [:] : [[]: constant]
    }

    public init(integerLiteral value: Int) { self.init(value) }

    private init(terms: [[String]: Int]) {
        self.terms = terms.filter { $0.value != 0 }
    }

    /// The class count of a label field.
    public static func classes(_ field: String) -> SymbolicSize { SymbolicSize(terms: [[field]: 1]) }

    /// The value when the size does not depend on the data.
    public var constant: Int? {
        terms.keys.allSatisfy(\.isEmpty) ? (terms[[]] ?? 0) : nil
    }

    /// The fields whose class counts the size depends on, sorted.
    public var symbols: [String] { Set(terms.keys.joined()).sorted() }

    /// The highest number of symbols multiplied in one term (0 for a constant).
    public var degree: Int { terms.keys.map(\.count).max() ?? 0 }

    public var isLinear: Bool { degree <= 1 }

    /// The constant term.
    public var constantTerm: Int { terms[[]] ?? 0 }

    /// The size with some symbols replaced by their values; a size with every symbol bound is a constant.
    public func substituting(_ values: [String: Int]) -> SymbolicSize {
        var result: [[String]: Int] = [:]
        for (monomial, coefficient) in terms {
            var c = coefficient
            var rest: [String] = []
            for symbol in monomial {
                if let v = values[symbol] { c = Self.product(c, v) } else { rest.append(symbol) }
            }
            result[rest] = Self.sum(result[rest] ?? 0, c)
        }
        return SymbolicSize(terms: result)
    }

    /// Arithmetic saturates at Int.max (and Int.min) instead of trapping or wrapping: sizes come
    /// from user input, and an absurd size must stay absurdly large (where the graph's size limits
    /// catch it), never turn negative or crash.
    public static func + (a: SymbolicSize, b: SymbolicSize) -> SymbolicSize {
        SymbolicSize(terms: a.terms.merging(b.terms, uniquingKeysWith: sum))
    }

    /// a + b, clamped to Int's range.
    static func sum(_ a: Int, _ b: Int) -> Int {
        let (r, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? .max : .min) : r
    }

    /// a * b, clamped to Int's range.
    static func product(_ a: Int, _ b: Int) -> Int {
        let (r, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? ((a > 0) == (b > 0) ? .max : .min) : r
    }

    /// Whether some arithmetic on the way clamped: a term sits at Int.max or Int.min.
    public var saturated: Bool { terms.values.contains { $0 == .max || $0 == .min } }

    public static func - (a: SymbolicSize, b: SymbolicSize) -> SymbolicSize { a + b * SymbolicSize(-1) }

    public static func * (a: SymbolicSize, b: SymbolicSize) -> SymbolicSize {
        var result: [[String]: Int] = [:]
        for (ma, ca) in a.terms {
            for (mb, cb) in b.terms {
                let key = (ma + mb).sorted()
                result[key] = sum(result[key] ?? 0, product(ca, cb))
            }
        }
        return SymbolicSize(terms: result)
    }

    public static func += (a: inout SymbolicSize, b: SymbolicSize) { a = a + b }

    /// Orders constants by value and puts symbolic sizes after them, so sorted output is stable.
    public static func < (a: SymbolicSize, b: SymbolicSize) -> Bool {
        switch (a.constant, b.constant) {
        case let (x?, y?): x < y
        case (.some, nil): true
        case (nil, .some): false
        case (nil, nil): a.description < b.description
        }
    }

    /// `128 + classes(alphabet)`, `137*classes(character)`.
    public var description: String { formatted(grouping: false) }

    /// The size as text; with `grouping`, constants get thousands separators (`2,097,280`).
    public func formatted(grouping: Bool) -> String {
        guard !terms.isEmpty else { return "0" }
        let ordered = terms.sorted { a, b in
            (a.key.count, a.key.joined(separator: ",")) < (b.key.count, b.key.joined(separator: ","))
        }
        var out = ""
        for (i, (monomial, coefficient)) in ordered.enumerated() {
            let magnitude = coefficient.magnitude
            if i == 0 { out += coefficient < 0 ? "-" : "" } else { out += coefficient < 0 ? " - " : " + " }
            let number = grouping ? SymbolicSize.grouped(magnitude) : String(magnitude)
            if monomial.isEmpty {
                out += number
            } else {
                let factors = monomial.map { "classes(\($0))" }.joined(separator: "*")
                out += magnitude == 1 ? factors : number + "*" + factors
            }
        }
        return out
    }

    static func grouped(_ n: UInt) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(d)
        }
        return out
    }
}

extension SymbolicSize {
    /// Reads a size expression: integers and `classes(<name>)` joined by `+`, `-` and `*`, with
    /// parentheses; a failure says why. Whether the result is linear and positive is for the
    /// caller to judge.
    public static func parse(_ text: String) -> Result<SymbolicSize, SizeSyntaxError> {
        var parser = SizeParser(Array(text.unicodeScalars))
        return parser.parseAll()
    }
}

/// Why a size expression could not be read.
public struct SizeSyntaxError: Error, Hashable, Sendable {
    public var message: String
}

private struct SizeParser {
    let s: [Unicode.Scalar]
    var i = 0

    init(_ s: [Unicode.Scalar]) { self.s = s }

    mutating func parseAll() -> Result<SymbolicSize, SizeSyntaxError> {
        do {
            let value = try expression(depth: 0)
            skipSpace()
            if i < s.count { throw SizeSyntaxError(message: "unexpected '\(s[i])' at character \(i + 1)") }
            return .success(value)
        } catch let e as SizeSyntaxError {
            return .failure(e)
        } catch {
            return .failure(SizeSyntaxError(message: "\(error)"))
        }
    }

    mutating func skipSpace() { while i < s.count && s[i] == " " { i += 1 } }

    mutating func expression(depth: Int) throws -> SymbolicSize {
        guard depth < 16 else { throw SizeSyntaxError(message: "parentheses nest too deeply") }
        var value = try term(depth: depth)
        while true {
            skipSpace()
            guard i < s.count, s[i] == "+" || s[i] == "-" else { return value }
            let minus = s[i] == "-"
            i += 1
            let rhs = try term(depth: depth)
            value = minus ? value - rhs : value + rhs
        }
    }

    mutating func term(depth: Int) throws -> SymbolicSize {
        var value = try factor(depth: depth)
        while true {
            skipSpace()
            guard i < s.count, s[i] == "*" else { return value }
            i += 1
            value = value * (try factor(depth: depth))
        }
    }

    mutating func factor(depth: Int) throws -> SymbolicSize {
        skipSpace()
        guard i < s.count else { throw SizeSyntaxError(message: "the expression ends where a number or classes(...) was expected") }
        if s[i] == "(" {
            i += 1
            let inner = try expression(depth: depth + 1)
            skipSpace()
            guard i < s.count, s[i] == ")" else { throw SizeSyntaxError(message: "a '(' is not closed") }
            i += 1
            return inner
        }
        if s[i].properties.numericType != nil && s[i].isASCII {
            var n = 0
            while i < s.count, s[i].isASCII, let d = Int(String(s[i])) {
                let (m, o1) = n.multipliedReportingOverflow(by: 10)
                let (r, o2) = m.addingReportingOverflow(d)
                if o1 || o2 { throw SizeSyntaxError(message: "the number is too large") }
                n = r
                i += 1
            }
            return SymbolicSize(n)
        }
        let word = identifier()
        guard word == "classes" else {
            throw SizeSyntaxError(message: word.isEmpty ? "unexpected '\(s[i])' at character \(i + 1)"
                                                        : "unknown function '\(word)'; sizes may use classes(<label field>)")
        }
        skipSpace()
        guard i < s.count, s[i] == "(" else { throw SizeSyntaxError(message: "write classes(<label field>)") }
        i += 1
        skipSpace()
        let field = identifier()
        skipSpace()
        guard !field.isEmpty, i < s.count, s[i] == ")" else { throw SizeSyntaxError(message: "write classes(<label field>)") }
        i += 1
        return .classes(field)
    }

    mutating func identifier() -> String {
        var out = ""
        while i < s.count, s[i] == "_" || s[i] == "-" || s[i].properties.isAlphabetic || (s[i].isASCII && s[i].properties.numericType != nil) {
            out.unicodeScalars.append(s[i])
            i += 1
        }
        return out
    }
}
