import Foundation

/// A classification output's confusion matrix, as `confusion_matrix.json` in a run folder holds it:
///
///     {"matrices": [{"output": "alphabet", "split": "test", "epoch": 10,
///                    "classes": ["Balinese", "Greek", ...],
///                    "counts": [[41, 2, ...], [0, 37, ...], ...]}]}
///
/// `counts[i][j]` is how many samples of true class `classes[i]` were predicted as `classes[j]`
/// (rows true, columns predicted, as scikit-learn orders them); `epoch` is optional.
public struct ConfusionMatrix: Sendable, Equatable {
    public var output: String
    public var split: String
    public var epoch: Int?
    public var classes: [String]
    public var counts: [[Int]]

    public init(output: String, split: String, epoch: Int?, classes: [String], counts: [[Int]]) {
        self.output = output
        self.split = split
        self.epoch = epoch
        self.classes = classes
        self.counts = counts
    }

    /// Every matrix of a confusion_matrix.json, each checked: a square table of counts, one row
    /// and one column per class.
    static func read(_ url: URL) throws(ReportError) -> [ConfusionMatrix] {
        guard let data = try? Data(contentsOf: url) else { throw ReportError("\(url.path): cannot read") }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let list = object["matrices"] as? [Any] else {
            throw ReportError("\(url.path): expected an object with a `matrices` list")
        }
        return try list.enumerated().map { (i, item) throws(ReportError) -> ConfusionMatrix in
            let place = "\(url.path): matrices[\(i)]"
            guard let m = item as? [String: Any], let output = m["output"] as? String, let split = m["split"] as? String,
                  let classes = m["classes"] as? [String], let rows = m["counts"] as? [[Any]] else {
                throw ReportError("\(place): needs `output`, `split`, `classes` (strings) and `counts` (a list of lists)")
            }
            let counts = rows.map { $0.compactMap { ($0 as? NSNumber)?.intValue } }
            guard counts.count == classes.count, zip(counts, rows).allSatisfy({ $0.count == classes.count && $1.count == classes.count }),
                  counts.joined().allSatisfy({ $0 >= 0 }) else {
                throw ReportError("\(place): `counts` must be \(classes.count) rows of \(classes.count) counts, one per class")
            }
            return ConfusionMatrix(output: output, split: split, epoch: m["epoch"] as? Int, classes: classes, counts: counts)
        }
    }

    public var total: Int { counts.joined().reduce(0, +) }
    public var correct: Int { classes.indices.reduce(0) { $0 + counts[$1][$1] } }

    /// The off-diagonal cells, most frequent first: `(true class, predicted class, count)`.
    var confusions: [(actual: Int, predicted: Int, count: Int)] {
        var all: [(actual: Int, predicted: Int, count: Int)] = []
        for i in classes.indices { for j in classes.indices where i != j && counts[i][j] > 0 { all.append((i, j, counts[i][j])) } }
        return all.sorted { ($0.count, $1.actual, $1.predicted) > ($1.count, $0.actual, $0.predicted) }
    }

    /// Classes up to this many are drawn cell by cell; more are summarised in tables.
    static let drawnClasses = 30

    func html(run: RunStyle) -> String {
        let accuracy = total > 0 ? Double(correct) / Double(total) : .nan
        var out = "<figure class=\"confusion\" data-run=\"\(run.index)\" data-output=\"\(escape(output))\">\n"
        let samples = split == "all" ? "all samples" : "\(split) split"
        out += "<figcaption>\(swatch(colour: run.colour))\(escape(run.label)): \(escape(output)), \(escape(samples))"
        out += epoch.map { ", after epoch \($0)" } ?? ""
        out += " (\(total) samples, \(tableNumber(accuracy, percent: true)) correct)</figcaption>\n"
        out += classes.count <= Self.drawnClasses ? heatmap() : summary()
        return out + "</figure>\n"
    }

    /// Rows are true classes, columns predictions; a cell's shade is its share of the row (so each
    /// class's recall is its diagonal cell), with the count written in when the cells are large.
    private func heatmap() -> String {
        let n = classes.count
        let cell = n <= 10 ? 34.0 : n <= 20 ? 22.0 : 16.0
        let labelWidth = 8 + 6.5 * Double(min(classes.map(\.count).max() ?? 1, 22))
        let left = labelWidth + 20, top = labelWidth + 6
        let width = left + cell * Double(n) + 10, height = top + cell * Double(n) + 10
        var out = "<svg class=\"matrix\" viewBox=\"0 0 \(px(width)) \(px(height))\" width=\"\(px(width))\" role=\"img\" aria-label=\"confusion matrix of \(escape(output))\">\n"
        out += "<text class=\"axis-label\" transform=\"translate(12 \(px(top + cell * Double(n) / 2))) rotate(-90)\">true class</text>\n"
        out += "<text class=\"axis-label\" x=\"\(px(left + cell * Double(n) / 2))\" y=\"12\">predicted class</text>\n"
        for (i, name) in classes.enumerated() {
            let short = escape(name.count > 22 ? String(name.prefix(21)) + "…" : name)
            let centre = Double(i) * cell + cell / 2
            out += "<text class=\"class-label row\" x=\"\(px(left - 4))\" y=\"\(px(top + centre))\">\(short)<title>\(escape(name))</title></text>\n"
            out += "<text class=\"class-label column\" transform=\"translate(\(px(left + centre)) \(px(top - 4))) rotate(-60)\">\(short)<title>\(escape(name))</title></text>\n"
        }
        for i in 0..<n {
            let rowTotal = counts[i].reduce(0, +)
            for j in 0..<n {
                let share = rowTotal > 0 ? Double(counts[i][j]) / Double(rowTotal) : 0
                // Diagonal cells in blue, mistakes in red: both darker the larger their share.
                let hue = i == j ? "0, 114, 178" : "213, 94, 0"
                let x = left + Double(j) * cell, y = top + Double(i) * cell
                out += "<rect x=\"\(px(x))\" y=\"\(px(y))\" width=\"\(px(cell))\" height=\"\(px(cell))\" fill=\"rgba(\(hue), \(String(format: "%.3f", share)))\" class=\"cell\">"
                out += "<title>true \(escape(classes[i])), predicted \(escape(classes[j])): \(counts[i][j]) of \(rowTotal)</title></rect>"
                if cell >= 22 && counts[i][j] > 0 {
                    out += "<text class=\"count\(share > 0.55 ? " light" : "")\" x=\"\(px(x + cell / 2))\" y=\"\(px(y + cell / 2))\">\(counts[i][j])</text>"
                }
            }
            out += "\n"
        }
        return out + "</svg>\n"
    }

    /// For many classes: the most frequent confusions and the classes recognised least often.
    private func summary() -> String {
        var out = "<p class=\"note\">\(classes.count) classes: too many to draw cell by cell; the most frequent confusions and the least recognised classes instead.</p>\n"
        // A model that has collapsed onto a few classes shows here first.
        let predicted = classes.indices.map { j in classes.indices.reduce(0) { $0 + counts[$1][j] } }
        let present = classes.indices.filter { counts[$0].reduce(0, +) > 0 }
        let never = present.filter { counts[$0][$0] == 0 }.count
        if let top = predicted.indices.max(by: { predicted[$0] < predicted[$1] }), total > 0 {
            out += "<p class=\"summary\">\(never) of \(present.count) classes never recognised. Most often predicted: \(escape(classes[top])), "
            out += "for \(predicted[top]) of \(total) samples (\(tableNumber(Double(predicted[top]) / Double(total), percent: true))).</p>\n"
        }
        out += "<div class=\"side-by-side\">\n<table class=\"confusions\"><thead><tr><th>true class</th><th>predicted as</th>"
        out += "<th class=\"number\">samples</th><th class=\"number\">of the class</th></tr></thead><tbody>\n"
        for c in confusions.prefix(12) {
            let rowTotal = counts[c.actual].reduce(0, +)
            out += "<tr><td>\(escape(classes[c.actual]))</td><td>\(escape(classes[c.predicted]))</td><td class=\"number\">\(c.count)</td>"
            out += "<td class=\"number\">\(tableNumber(Double(c.count) / Double(max(rowTotal, 1)), percent: true))</td></tr>\n"
        }
        out += "</tbody></table>\n<table class=\"recall\"><thead><tr><th>class</th><th class=\"number\">recognised</th></tr></thead><tbody>\n"
        let recalls = classes.indices.compactMap { i -> (Int, Double)? in
            let rowTotal = counts[i].reduce(0, +)
            return rowTotal > 0 ? (i, Double(counts[i][i]) / Double(rowTotal)) : nil
        }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }
        for (i, recall) in recalls.prefix(12) {
            out += "<tr><td>\(escape(classes[i]))</td><td class=\"number\">\(tableNumber(recall, percent: true)) of \(counts[i].reduce(0, +))</td></tr>\n"
        }
        return out + "</tbody></table>\n</div>\n"
    }
}
