import Diagnostics

/// A problem with the data a spec names: a missing folder, a corrupt PNG, a CSV that does not
/// have the columns the spec asks for.
///
/// `message` is one line and `path` is the file or folder it is about, kept apart so the runner
/// can print both next to the spec location that named the path:
/// `specs/water.yaml:5:11: error: data/water.csv: no column 'Sulphate'; did you mean 'Sulfate'?`
public struct DataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong, without the path (e.g. `line 7, column 'ph': missing value`).
    public var message: String
    /// The file or folder concerned, as resolved against the data root.
    public var path: String

    public init(_ message: String, path: String) {
        self.message = message
        self.path = path
    }

    /// `path: message`, one line.
    public var description: String { "\(path): \(message)" }
}

/// `; did you mean 'x'?` when one of `candidates` is close to `name` (edit distance, ignoring
/// case), else the empty string.
func didYouMean(_ name: String, among candidates: [String]) -> String {
    let target = Array(name.lowercased().unicodeScalars)
    var best: (name: String, distance: Int)?
    for candidate in candidates {
        let d = editDistance(target, Array(candidate.lowercased().unicodeScalars))
        if d < (best?.distance ?? .max) { best = (candidate, d) }
    }
    guard let best, best.distance <= max(2, target.count / 3) else { return "" }
    return "; did you mean \(excerpt(best.name))?"
}

/// Levenshtein distance: insertions, deletions and substitutions each cost one.
private func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
    if a.isEmpty { return b.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in stride(from: 1, through: b.count, by: 1) {
            let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
            current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

/// A quoted list for messages: `'a', 'b', 'c'` (with `and N more` past `limit`).
func quotedList(_ names: [String], limit: Int = 12) -> String {
    let shown = names.prefix(limit).map { excerpt($0) }.joined(separator: ", ")
    return names.count > limit ? "\(shown) and \(names.count - limit) more" : shown
}

