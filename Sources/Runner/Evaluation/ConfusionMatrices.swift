import Foundation

/// The confusion matrices of an evaluation, as `confusion_matrix.json` in a run folder holds them
/// (the format `specrun report` reads; README, "Comparing runs"):
///
///     {"matrices": [{"output": "alphabet", "split": "test", "epoch": 10,
///                    "classes": ["Balinese", ...], "counts": [[41, 2, ...], ...]}]}
///
/// `counts[i][j]` is the number of samples of true class `classes[i]` predicted as `classes[j]`.
public struct ConfusionMatrices: Codable, Sendable, Equatable {
    public struct Matrix: Codable, Sendable, Equatable {
        public var output: String
        public var split: String
        public var epoch: Int?
        public var classes: [String]
        public var counts: [[Int]]
    }

    public var matrices: [Matrix]

    static let fileName = "confusion_matrix.json"

    /// Writes these matrices into `folder`'s file, keeping the matrices it already holds for other
    /// outputs or splits (an evaluation of the same output and split replaces its matrix).
    func merge(into folder: URL) throws(RunError) -> URL {
        let url = folder.appendingPathComponent(Self.fileName)
        var kept: [Matrix] = []
        if let data = try? Data(contentsOf: url) {
            guard let existing = try? JSON.decode(ConfusionMatrices.self, from: data) else {
                throw RunError(.file, "\(url.path): not a confusion matrix file specrun can add to; move it away to write a new one")
            }
            kept = existing.matrices.filter { old in !matrices.contains { $0.output == old.output && $0.split == old.split } }
        }
        do { try AtomicFile.write(JSON.encode(ConfusionMatrices(matrices: kept + matrices), pretty: false), to: url) } catch {
            throw .file(error)
        }
        return url
    }

    /// Each matrix as text, rows true and columns predicted; a matrix of more than `drawn` classes
    /// as its most frequent confusions instead (a table that wide helps no one on a terminal).
    public func text(drawn: Int = 20) -> String {
        matrices.map { m in
            let total = m.counts.joined().reduce(0, +), correct = m.classes.indices.reduce(0) { $0 + m.counts[$1][$1] }
            var lines = ["confusion matrix of `\(m.output)` on the \(m.split) split: \(correct) of \(total) correct"]
            if m.classes.count <= drawn {
                lines.append("(rows: true class, columns: predicted)")
                let labels = m.classes.map { String($0.prefix(12)) }
                let width = max(labels.map(\.count).max() ?? 1, m.counts.joined().map { String($0).count }.max() ?? 1)
                let pad = { (s: String) in String(repeating: " ", count: max(0, width - s.count)) + s }
                lines.append(String(repeating: " ", count: width) + "  " + labels.map(pad).joined(separator: " "))
                for (label, row) in zip(labels, m.counts) {
                    lines.append(pad(label) + "  " + row.map { pad(String($0)) }.joined(separator: " "))
                }
            } else {
                var confusions: [(count: Int, actual: Int, predicted: Int)] = []
                for (i, row) in m.counts.enumerated() { for (j, n) in row.enumerated() where i != j && n > 0 { confusions.append((n, i, j)) } }
                confusions.sort { ($0.count, $1.actual, $1.predicted) > ($1.count, $0.actual, $0.predicted) }
                lines.append(confusions.isEmpty ? "no confusions" : "\(m.classes.count) classes; the most frequent confusions (true -> predicted):")
                for c in confusions.prefix(10) { lines.append("  \(m.classes[c.actual]) -> \(m.classes[c.predicted]): \(c.count)") }
            }
            return lines.joined(separator: "\n")
        }.joined(separator: "\n\n")
    }
}
