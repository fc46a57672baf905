/// The quoting of user input in messages, shared by every stage that reports on it.

/// `text` quoted for a one-line message: `'abc'`, or when longer than `limit` characters its start
/// and its size, `'abcdefgh...' (52428800 bytes)`; line breaks and other control characters
/// are escaped. A message quotes what it refuses, but never echoes a 50 MB cell.
public func excerpt(_ text: String, limit: Int = 40) -> String {
    var shown = ""
    var count = 0
    var truncated = false
    for character in text {
        if count == limit {
            truncated = true
            break
        }
        count += 1
        for scalar in character.unicodeScalars {
            switch scalar {
            case "\n": shown += "\\n"
            case "\r": shown += "\\r"
            case "\t": shown += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f: shown += "\\u{\(String(scalar.value, radix: 16))}"
            default: shown.unicodeScalars.append(scalar)
            }
        }
    }
    return truncated ? "'\(shown)...' (\(text.utf8.count) bytes)" : "'\(shown)'"
}
