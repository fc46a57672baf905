import Foundation

/// A JSON decoding error as one short line that names the key: `missing "epoch"`, `"epoch" must be
/// a whole number`. `DecodingError`'s own description is a multi-line dump of Swift types.
enum JSONProblem {
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not readable: \(String(describing: error).prefix(200))" }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing \(place(context.codingPath + [key]))"
        case .typeMismatch(let type, let context):
            return "\(place(context.codingPath)) must be \(noun(type))"
        case .valueNotFound(let type, let context):
            return "\(place(context.codingPath)) is null, expected \(noun(type))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "\(place(context.codingPath)) is not valid"
        @unknown default:
            return "not readable as expected"
        }
    }

    /// `"best_epoch"`, `"dropout_state"[2]`, as the key is spelled in the file (snake case).
    private static func place(_ path: [any CodingKey]) -> String {
        guard !path.isEmpty else { return "the document" }
        return path.map { key in
            if let index = key.intValue { return "[\(index)]" }
            return "\"" + snakeCase(key.stringValue) + "\""
        }.joined()
    }

    private static func snakeCase(_ name: String) -> String {
        var out = ""
        for c in name {
            if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) }
        }
        return out
    }

    private static func noun(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is UInt64.Type, is Int64.Type: "a whole number"
        case is Double.Type, is Float.Type: "a number"
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        default:
            String(describing: type).hasPrefix("Array") ? "a list" : (String(describing: type).hasPrefix("Dictionary") ? "an object" : "of another type")
        }
    }
}
