import Foundation

/// Just enough of JSON Schema 2020-12 to check specs against `specrun schema` without Python:
/// the keywords the generator uses (`$ref` within the document, type, properties, required,
/// additionalProperties, propertyNames, minProperties, items, minItems, maxItems, enum, const, anyOf, bounds,
/// pattern). Unknown keywords are refused so that the schema cannot outgrow this checker silently.
struct MiniSchemaValidator {
    let root: [String: Any]

    static let keywords: Set<String> = [
        "$schema", "title", "description", "default", "$ref", "$defs", "type", "properties", "required",
        "additionalProperties", "propertyNames", "minProperties", "items", "minItems", "maxItems", "enum", "const", "anyOf",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "pattern",
    ]

    /// Every problem with the schema itself: unknown keywords and `$ref`s that resolve to nothing.
    func structuralProblems() -> [String] {
        var problems: [String] = []
        func visit(_ schema: Any, _ path: String) {
            guard let object = schema as? [String: Any] else {
                if !(schema is Bool) { problems.append("\(path): not a schema") }
                return
            }
            for (key, value) in object {
                if !Self.keywords.contains(key) { problems.append("\(path): unknown keyword \(key)") }
                switch key {
                case "$ref":
                    if resolve(value as? String ?? "") == nil { problems.append("\(path): unresolved \(value)") }
                case "$defs", "properties":
                    for (name, sub) in value as? [String: Any] ?? [:] { visit(sub, "\(path)/\(key)/\(name)") }
                case "anyOf":
                    for (i, sub) in (value as? [Any] ?? []).enumerated() { visit(sub, "\(path)/anyOf/\(i)") }
                case "items", "additionalProperties", "propertyNames":
                    visit(value, "\(path)/\(key)")
                default: break
                }
            }
        }
        visit(root, "#")
        return problems
    }

    func resolve(_ ref: String) -> Any? {
        guard ref.hasPrefix("#/") else { return nil }
        var node: Any = root
        for part in ref.dropFirst(2).split(separator: "/") {
            guard let next = (node as? [String: Any])?[String(part)] else { return nil }
            node = next
        }
        return node
    }

    /// Whether the instance conforms.
    func validate(_ instance: Any, against schema: Any? = nil) -> Bool {
        let schema = schema ?? root
        if let b = schema as? Bool { return b }
        guard let s = schema as? [String: Any] else { return false }
        if let ref = s["$ref"] as? String, let target = resolve(ref), !validate(instance, against: target) { return false }
        if let type = s["type"] as? String, !Self.matches(instance, type) { return false }
        if let options = s["enum"] as? [Any], !options.contains(where: { Self.equal($0, instance) }) { return false }
        if let constant = s["const"], !Self.equal(constant, instance) { return false }
        if let any = s["anyOf"] as? [Any], !any.contains(where: { validate(instance, against: $0) }) { return false }
        if let n = Self.number(instance) {
            if let m = (s["minimum"] as? NSNumber)?.doubleValue, n < m { return false }
            if let m = (s["maximum"] as? NSNumber)?.doubleValue, n > m { return false }
            if let m = (s["exclusiveMinimum"] as? NSNumber)?.doubleValue, n <= m { return false }
            if let m = (s["exclusiveMaximum"] as? NSNumber)?.doubleValue, n >= m { return false }
        }
        if let text = instance as? String, let pattern = s["pattern"] as? String, !Self.matches(text, pattern: pattern) { return false }
        if let array = instance as? [Any] {
            if let min = s["minItems"] as? Int, array.count < min { return false }
            if let max = s["maxItems"] as? Int, array.count > max { return false }
            if let items = s["items"], !array.allSatisfy({ validate($0, against: items) }) { return false }
        }
        if let object = instance as? [String: Any] {
            let properties = s["properties"] as? [String: Any] ?? [:]
            for key in s["required"] as? [String] ?? [] where object[key] == nil { return false }
            if let min = s["minProperties"] as? Int, object.count < min { return false }
            for (key, value) in object {
                if let p = properties[key] {
                    if !validate(value, against: p) { return false }
                } else if let extra = s["additionalProperties"], !validate(value, against: extra) {
                    return false
                }
                if let names = s["propertyNames"], !validate(key, against: names) { return false }
            }
        }
        return true
    }

    static func matches(_ value: Any, _ type: String) -> Bool {
        switch type {
        case "object": value is [String: Any]
        case "array": value is [Any]
        case "string": value is String
        case "null": value is NSNull
        case "boolean": isBool(value)
        case "integer": !isBool(value) && (value as? NSNumber).map { $0.doubleValue == $0.doubleValue.rounded() } == true
        case "number": !isBool(value) && value is NSNumber
        default: false
        }
    }

    static func isBool(_ value: Any) -> Bool {
        guard let n = value as? NSNumber else { return false }
        return String(cString: n.objCType) == "c" || type(of: value) == Bool.self
    }

    static func number(_ value: Any) -> Double? { isBool(value) ? nil : (value as? NSNumber)?.doubleValue }

    static func equal(_ a: Any, _ b: Any) -> Bool {
        if let x = a as? String, let y = b as? String { return x == y }
        if let x = number(a), let y = number(b) { return x == y }
        return false
    }

    static func matches(_ text: String, pattern: String) -> Bool {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return false }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
