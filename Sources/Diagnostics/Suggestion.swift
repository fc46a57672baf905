/// "Did you mean ...?" for misspelt names: the closest candidate by edit distance (with adjacent
/// transpositions), if it is close enough to be a plausible typo.
public enum Suggestion {
    /// The closest candidate to `word`, or nil when none is within a third of the word's length
    /// (at least one edit for words of three letters or more). Comparison ignores case and treats `-` like `_`.
    public static func closest(to word: String, among candidates: some Sequence<String>) -> String? {
        let w = normalized(word)
        // Long strings are never names; skip them so a pathological input costs nothing.
        guard !w.isEmpty && w.count <= 64 else { return nil }
        // One edit in a two-letter word changes half of it: that is not a typo.
        let limit = max(w.count >= 3 ? 1 : 0, w.count / 3)
        var best: (String, Int)?
        for candidate in candidates {
            let d = distance(w, normalized(candidate))
            if d <= limit && d < (best?.1 ?? Int.max) { best = (candidate, d) }
        }
        return best?.0
    }

    /// A note "did you mean 'x'?" when a candidate is close, else one listing the candidates when
    /// there are few enough to read.
    public static func note(for word: String, among candidates: [String]) -> Note? {
        if let match = closest(to: word, among: candidates) { return Note("did you mean '\(match)'?") }
        guard !candidates.isEmpty, candidates.count <= 16 else { return nil }
        return Note("expected one of " + candidates.map { "'\($0)'" }.joined(separator: ", "))
    }

    private static func normalized(_ s: String) -> [Character] {
        Array(s.lowercased().map { $0 == "-" ? "_" : $0 })
    }

    /// Optimal string alignment distance.
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var d = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d = min(d, previous2[j - 2] + 1)
                }
                current[j] = d
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
