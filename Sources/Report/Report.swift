import Foundation

/// `specrun report`: one self-contained HTML page (inline SVG and CSS, nothing fetched) comparing
/// run folders: which settings differ, the learning curves of every output and metric on every
/// split with the runs overlaid, the learning rate, the final numbers, and confusion matrices.
public struct Report {
    public var runs: [RunFolder]
    public var styles: [RunStyle]
    let specDifference: TreeDifference
    let settingsDifference: TreeDifference

    public init(runs: [RunFolder]) {
        precondition(!runs.isEmpty, "[report] no runs")
        self.runs = runs
        specDifference = TreeDifference(runs.map(\.spec))
        settingsDifference = TreeDifference(runs.map(\.settings))
        styles = Self.styles(runs, spec: specDifference, settings: settingsDifference)
    }

    /// Reads each run folder; the first that cannot be read stops it with its message.
    public init(paths: [String]) throws(ReportError) {
        var runs: [RunFolder] = []
        for path in paths { runs.append(try RunFolder(path: path)) }
        self.init(runs: runs)
    }

    /// Settings whose differences name a run in legends, with the short name they go by there, in
    /// the order they are named.
    static let legendSettings = [("learning_rate", "lr"), ("batch_size", "batch"), ("epochs", "epochs"), ("seed", "seed")]

    /// Colours, and labels that tell the runs apart: the spec's name, plus what differs from the
    /// other runs when they share a spec (`water_bn, lr 0.05`), plus the folder name if still needed.
    static func styles(_ runs: [RunFolder], spec: TreeDifference, settings: TreeDifference) -> [RunStyle] {
        let sameSpec = Set(runs.map(\.specName)).count == 1
        var labels = runs.indices.map { i -> String in
            var parts: [(String, String)] = []
            let specRows = sameSpec ? spec.rows : []
            let candidates = specRows.map { (Self.leafName($0.path), $0.values[i]) }
                + legendSettings.compactMap { key, name in settings.rows.first { $0.path == key }.map { (name, $0.values[i]) } }
            for case let (name, value?) in candidates where !parts.contains(where: { $0.0 == name }) { parts.append((name, value)) }
            let detail = parts.prefix(3).map { "\($0) \($1)" }.joined(separator: ", ")
            return runs[i].specName + (detail.isEmpty ? "" : ", " + detail)
        }
        for i in labels.indices where labels.filter({ $0 == labels[i] }).count > 1 {
            labels[i] += " (\(URL(fileURLWithPath: runs[i].path).standardizedFileURL.lastPathComponent))"
        }
        return runs.indices.map { RunStyle(index: $0 + 1, colour: RunStyle.colour($0), label: labels[$0]) }
    }

    /// `optimizer.adam.lr` -> `lr`; `model.nodes.mlp.layers[0].linear.out` -> `out`.
    static func leafName(_ path: String) -> String {
        String(path.split(separator: ".").last ?? Substring(path)).replacingOccurrences(of: #"\[\d+\]$"#, with: "", options: .regularExpression)
    }

    // MARK: the page

    /// The whole document.
    public func html(generated: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        var seen = Set<String>()
        let title = "specrun report: " + runs.map(\.specName).filter { seen.insert($0).inserted }.joined(separator: ", ")
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8"/>
            <meta name="viewport" content="width=device-width, initial-scale=1"/>
            <title>\(escape(title))</title>
            <style>
            \(Self.css)
            </style>
            </head>
            <body>
            <header>
            <h1>\(escape(title))</h1>
            <p class="meta">\(runs.count) run\(runs.count == 1 ? "" : "s"), written \(formatter.string(from: generated)) by specrun report</p>
            </header>

            """
        out += runsSection() + differencesSection() + curvesSections() + finalSection() + confusionSection()
        return out + "</body>\n</html>\n"
    }

    private func runsSection() -> String {
        var out = "<section id=\"runs\">\n<h2>Runs</h2>\n<table class=\"runs\"><thead><tr><th>run</th><th>folder</th>"
        out += ["epochs", "lr", "batch", "seed", "training time"].map { "<th class=\"number\">\($0)</th>" }.joined() + "</tr></thead><tbody>\n"
        for (run, style) in zip(runs, styles) {
            let planned = run.settings?["epochs"]?.text.flatMap(Int.init)
            let epochs = "\(run.lastEpoch)" + (planned.map { $0 != run.lastEpoch ? " of \($0)" : "" } ?? "")
            out += "<tr data-run=\"\(style.index)\"><td>\(swatch(colour: style.colour))\(escape(style.label))</td>"
            out += "<td class=\"path\">\(escape(run.path))\(run.notes.isEmpty ? "" : " <span class=\"note\">(\(escape(run.notes.joined(separator: "; "))))</span>")</td>"
            out += "<td class=\"number\">\(epochs)</td>"
            for key in ["learning_rate", "batch_size", "seed"] { out += "<td class=\"number\">\(escape(run.settings?[key]?.text ?? "–"))</td>" }
            out += "<td class=\"number\">\(duration(run.trainingSeconds))</td></tr>\n"
        }
        return out + "</tbody></table>\n</section>\n"
    }

    private func duration(_ seconds: Double) -> String {
        seconds < 1 ? String(format: "%.0f ms", seconds * 1000) : seconds < 60 ? String(format: "%.1f s", seconds) : seconds < 3600 ? String(format: "%.1f min", seconds / 60) : String(format: "%.2f h", seconds / 3600)
    }

    /// What changed from the first run to each other one, then every differing key side by side.
    private func differencesSection() -> String {
        var out = "<section id=\"differences\">\n<h2>What differs between the runs</h2>\n"
        guard runs.count > 1 else { return out + "<p class=\"note\">One run: nothing to compare.</p>\n</section>\n" }
        let groups = [("spec.yaml", specDifference), ("settings.json", settingsDifference)]
        if groups.allSatisfy({ $0.1.rows.isEmpty }) {
            return out + "<p class=\"note\">The runs' spec.yaml and settings.json are the same.</p>\n</section>\n"
        }
        out += "<ul class=\"changes\">\n"
        for i in 1..<runs.count {
            let changes = groups.flatMap { $0.1.rows }.filter { !TreeDifference.same($0.values[0], $0.values[i]) }
            let shown = changes.prefix(6).map { "<code>\(escape($0.path)) \(escape($0.values[0] ?? "(none)")) → \(escape($0.values[i] ?? "(none)"))</code>" }
            out += "<li>\(swatch(colour: styles[i].colour))<b>\(escape(styles[i].label))</b> against \(swatch(colour: styles[0].colour))<b>\(escape(styles[0].label))</b>: "
            out += shown.isEmpty ? "the same" : shown.joined(separator: ", ") + (changes.count > 6 ? ", and \(changes.count - 6) more" : "")
            out += "</li>\n"
        }
        out += "</ul>\n<table class=\"diff\"><thead><tr><th>key</th>"
        for style in styles { out += "<th data-run=\"\(style.index)\">\(swatch(colour: style.colour))\(escape(style.label))</th>" }
        out += "</tr></thead><tbody>\n"
        let limit = 200
        for (file, difference) in groups where !difference.rows.isEmpty {
            out += "<tr class=\"group\"><th colspan=\"\(runs.count + 1)\">\(file)</th></tr>\n"
            for row in difference.rows.prefix(limit) {
                out += "<tr><td class=\"key\">\(escape(row.path))</td>"
                for (i, value) in row.values.enumerated() {
                    let changed = i > 0 && !TreeDifference.same(value, row.values[0])
                    let shown = value.map { $0.count > 80 ? String($0.prefix(79)) + "…" : $0 }
                    out += "<td\(changed ? " class=\"changed\"" : "")\(value.map { $0.count > 80 ? " title=\"\(escape($0))\"" : "" } ?? "")>\(escape(shown ?? "–"))</td>"
                }
                out += "</tr>\n"
            }
            if difference.rows.count > limit {
                out += "<tr><td colspan=\"\(runs.count + 1)\" class=\"note\">and \(difference.rows.count - limit) more keys</td></tr>\n"
            }
        }
        return out + "</tbody></table>\n</section>\n"
    }

    /// Every output in the order the runs declare them.
    var outputs: [String] {
        var seen = Set<String>()
        return runs.flatMap(\.outputNames).filter { seen.insert($0).inserted }
    }

    func measures(of output: String) -> [String] {
        var seen = Set<String>()
        return runs.flatMap { $0.measures(of: output) }.filter { seen.insert($0).inserted }
    }

    /// The charts, by section: one per output and measure, the total loss when there are several
    /// outputs, and the learning rate.
    var charts: [(section: String, heading: String, charts: [LineChart])] {
        var sections: [(String, String, [LineChart])] = []
        for output in outputs {
            let losses = Set(runs.compactMap { $0.lossName(of: output) }).sorted()
            let heading = "Output <code>\(escape(output))</code>" + (losses.isEmpty ? "" : " (\(losses.map(escape).joined(separator: ", ")))")
            let charts = measures(of: output).map { measure in
                let isLoss = measure == "loss"
                return LineChart(id: "\(output)/\(measure)", title: "\(output): \(isLoss ? "loss" : measure)",
                                 quantity: isLoss ? Self.lossQuantity(losses) : Self.metricQuantity(measure),
                                 series: series(output: output, measure: measure), allowLog: isLoss, percent: !isLoss && Self.isRatio(measure))
            }
            sections.append(("output-\(output)", heading, charts))
        }
        var overall: [LineChart] = []
        if outputs.count > 1 {
            overall.append(LineChart(id: "total/loss", title: "total loss (the objective)", quantity: "weighted sum of the losses",
                                     series: series(output: nil, measure: "loss"), allowLog: true, percent: false))
        }
        overall.append(LineChart(id: "lr", title: "learning rate", quantity: "learning rate",
                                 series: series(output: nil, measure: "lr", splits: ["train"]), allowLog: true, percent: false,
                                 splitStyles: false))
        sections.append(("overall", outputs.count > 1 ? "Objective and learning rate" : "Learning rate", overall))
        return sections
    }

    /// How many charts the page draws.
    public var chartCount: Int { charts.reduce(0) { $0 + $1.charts.count } }

    private func series(output: String?, measure: String, splits: [String]? = nil) -> [LineChart.Series] {
        runs.indices.flatMap { i in
            (splits ?? runs[i].splits).compactMap { split in
                let points = runs[i].series(output: output, measure: measure, split: split)
                return points.isEmpty ? nil : LineChart.Series(run: i, split: split, points: points)
            }
        }
    }

    /// The loss's name and unit: the cross-entropies are in nats (natural logarithms), per sample.
    static func lossQuantity(_ losses: [String]) -> String {
        let names = ["cross_entropy": "cross-entropy", "nll": "negative log-likelihood", "bce": "binary cross-entropy",
                     "bce_with_logits": "binary cross-entropy", "mse": "mean squared error", "l1": "mean absolute error"]
        let units = ["cross_entropy": "nats", "nll": "nats", "bce": "nats", "bce_with_logits": "nats",
                     "mse": "squared target units", "l1": "target units"]
        guard losses.count == 1, let loss = losses.first, let name = names[loss] else { return "loss per sample" }
        return "\(name) per sample (\(units[loss]!))"
    }

    static func isRatio(_ measure: String) -> Bool {
        ["accuracy", "precision", "recall", "f1"].contains { measure == $0 || measure.hasPrefix($0 + "_") }
    }

    static func metricQuantity(_ measure: String) -> String {
        isRatio(measure) ? "\(measure) (%)" : measure
    }

    private func curvesSections() -> String {
        var out = ""
        for (id, heading, charts) in charts {
            out += "<section class=\"curves\" id=\"\(escape(id))\">\n<h2>\(heading)</h2>\n<div class=\"charts\">\n"
            for chart in charts { out += chart.html(styles) }
            out += "</div>\n</section>\n"
        }
        return out
    }

    /// The last value of every output, measure and split, one column per run; the best of the
    /// runs in bold.
    private func finalSection() -> String {
        var out = "<section id=\"final\">\n<h2>Final metrics</h2>\n<table class=\"final\"><thead><tr><th>output</th><th>measure</th><th>split</th>"
        for style in styles { out += "<th class=\"number\" data-run=\"\(style.index)\">\(swatch(colour: style.colour))\(escape(style.label))</th>" }
        out += "</tr></thead><tbody>\n<tr><td colspan=\"3\">epochs trained</td>"
        for run in runs { out += "<td class=\"number\">\(run.lastEpoch)</td>" }
        out += "</tr>\n"
        var rows: [(output: String?, measure: String)] = outputs.flatMap { o in measures(of: o).map { (output: Optional(o), measure: $0) } }
        if outputs.count > 1 { rows.append((nil, "loss")) }
        let splits = ["train", "validation", "test"].filter { s in runs.contains { $0.splits.contains(s) } }
        for (output, measure) in rows {
            for split in splits {
                let finals = runs.map { $0.series(output: output, measure: measure, split: split).last }
                guard finals.contains(where: { $0 != nil }) else { continue }
                let percent = output != nil && Self.isRatio(measure)
                let finite = finals.compactMap { $0?.value }.filter(\.isFinite)
                let best = finite.count > 1 ? (measure == "loss" ? finite.min() : finite.max()) : nil
                out += "<tr><td>\(escape(output ?? "total"))</td><td>\(escape(measure))</td><td>\(escape(split))</td>"
                for (run, last) in zip(runs, finals) {
                    let atEpoch = last.map { $0.epoch != run.lastEpoch ? " <span class=\"note\">(epoch \($0.epoch))</span>" : "" } ?? ""
                    out += "<td class=\"number\(last?.value == best && best != nil ? " best" : "")\">\(tableNumber(last?.value, percent: percent))\(atEpoch)</td>"
                }
                out += "</tr>\n"
            }
        }
        return out + "</tbody></table>\n</section>\n"
    }

    private func confusionSection() -> String {
        let all = zip(runs, styles).flatMap { run, style in run.confusionMatrices.map { ($0, style) } }
        guard !all.isEmpty else { return "" }
        var out = "<section id=\"confusion\">\n<h2>Confusion matrices</h2>\n"
        out += "<p class=\"note\">Rows are the true classes, columns the predictions; a cell's shade is its share of the row.</p>\n"
        for (matrix, style) in all { out += matrix.html(run: style) }
        return out + "</section>\n"
    }
}
