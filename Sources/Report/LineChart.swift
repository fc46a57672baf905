import Foundation

/// A line chart of one quantity by epoch: several runs overlaid, one colour per run and one dash
/// pattern per split, with labelled axes, nice ticks, a log scale when asked for and the values
/// span a decade, a marker per point when there are few, a gap and a note for NaN values, and a
/// legend. Hovering a point shows its value (an SVG `<title>`, no script).
struct LineChart {
    struct Series {
        var run: Int
        var split: String
        var points: [(epoch: Int, value: Double)]
    }

    /// `potability/loss`, `total/loss`, `lr`: what the structural test looks for.
    var id: String
    var title: String
    /// The quantity and its unit: `binary cross-entropy (nats)`.
    var quantity: String
    var series: [Series]
    var allowLog: Bool
    /// Values are fractions shown as percentages.
    var percent: Bool
    /// Whether splits are told apart (the learning rate has one value per epoch, drawn solid).
    var splitStyles = true

    static let width = 520.0, height = 300.0
    static let left = 64.0, right = 16.0, top = 14.0, bottom = 46.0
    /// Space between the data's extremes and the frame, so that no line runs along the frame and
    /// no marker is cut.
    static let inset = 8.0

    func html(_ runs: [RunStyle]) -> String {
        let shown = series.map { s in s.points.map { (epoch: $0.epoch, value: percent ? $0.value * 100 : $0.value) } }
        let finite = shown.flatMap { $0.filter { $0.value.isFinite } }
        var out = "<figure class=\"chart\" data-chart=\"\(escape(id))\">\n<figcaption>\(escape(title))</figcaption>\n"
        guard !finite.isEmpty else {
            return out + "<p class=\"note\">No finite values to draw.</p>\n</figure>\n"
        }
        let y = Scale.fitting(finite.map(\.value), allowLog: allowLog)
        let x = Scale.integers(finite.map(\.epoch).min()!, finite.map(\.epoch).max()!)
        let plotWidth = Self.width - Self.left - Self.right, plotHeight = Self.height - Self.top - Self.bottom
        func xPosition(_ epoch: Double) -> Double { Self.left + Self.inset + x.fraction(epoch) * (plotWidth - 2 * Self.inset) }
        func yPosition(_ value: Double) -> Double { Self.top + Self.inset + (1 - y.fraction(value)) * (plotHeight - 2 * Self.inset) }

        out += "<svg class=\"plot\" viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" role=\"img\" aria-label=\"\(escape(title)) by epoch\">\n"
        // Grid and y ticks.
        for tick in y.ticks {
            let ty = px(yPosition(tick))
            out += "<line class=\"grid\" x1=\"\(px(Self.left))\" y1=\"\(ty)\" x2=\"\(px(Self.width - Self.right))\" y2=\"\(ty)\"/>"
            out += "<text class=\"tick y\" x=\"\(px(Self.left - 6))\" y=\"\(ty)\">\(escape(y.label(tick)))</text>\n"
        }
        for tick in x.ticks {
            let tx = px(xPosition(tick))
            out += "<line class=\"tick-mark\" x1=\"\(tx)\" y1=\"\(px(Self.top + plotHeight))\" x2=\"\(tx)\" y2=\"\(px(Self.top + plotHeight + 4))\"/>"
            out += "<text class=\"tick x\" x=\"\(tx)\" y=\"\(px(Self.top + plotHeight + 17))\">\(Int(tick))</text>\n"
        }
        out += "<rect class=\"frame\" x=\"\(px(Self.left))\" y=\"\(px(Self.top))\" width=\"\(px(plotWidth))\" height=\"\(px(plotHeight))\"/>\n"
        out += "<text class=\"axis-label\" x=\"\(px(Self.left + plotWidth / 2))\" y=\"\(px(Self.height - 6))\">epoch</text>\n"
        let yLabel = quantity + (y.isLog ? ", log scale" : "")
        out += "<text class=\"axis-label\" transform=\"translate(14 \(px(Self.top + plotHeight / 2))) rotate(-90)\">\(escape(yLabel))</text>\n"

        // Series, held-out splits drawn last so that they sit on top.
        let markers = (x.upper - x.lower) <= 30
        var notDrawn: [String] = []
        for (s, points) in zip(series, shown).sorted(by: { ($0.0.split == "train" ? 0 : 1, $0.0.run) < ($1.0.split == "train" ? 0 : 1, $1.0.run) }) {
            let run = runs[s.run]
            out += "<g class=\"series\" data-run=\"\(run.index)\" data-split=\"\(escape(s.split))\" stroke=\"\(run.colour)\">\n"
            // A NaN or infinite value breaks the line: each finite stretch is its own path.
            var stretches: [[(epoch: Int, value: Double)]] = [[]]
            for p in points {
                if p.value.isFinite { stretches[stretches.count - 1].append(p) } else if !stretches.last!.isEmpty { stretches.append([]) }
            }
            for stretch in stretches where stretch.count > 1 {
                let d = stretch.enumerated().map { i, p in (i == 0 ? "M" : "L") + px(xPosition(Double(p.epoch))) + " " + px(yPosition(p.value)) }
                out += "<path d=\"\(d.joined(separator: " "))\"\(splitStyles ? SplitStyle.attribute(s.split) : "")/>\n"
            }
            for p in points where p.value.isFinite && (markers || stretches.contains { $0.count == 1 && $0[0].epoch == p.epoch }) {
                let fill = s.split == "train" && splitStyles ? "#ffffff" : run.colour
                out += "<circle cx=\"\(px(xPosition(Double(p.epoch))))\" cy=\"\(px(yPosition(p.value)))\" r=\"2.8\" fill=\"\(fill)\">"
                out += "<title>\(escape(run.label)), \(escape(s.split)), epoch \(p.epoch): \(escape(pointValue(p.value)))</title></circle>\n"
            }
            let bad = points.filter { !$0.value.isFinite }
            if !bad.isEmpty {
                let kinds = Set(bad.map { $0.value.isNaN ? "NaN" : "infinite" }).sorted().joined(separator: " or ")
                notDrawn.append("\(run.label), \(s.split): \(kinds) at epoch\(bad.count > 1 ? "s" : "") \(bad.map { String($0.epoch) }.joined(separator: ", "))")
            }
            out += "</g>\n"
        }
        out += "</svg>\n"
        out += legend(runs)
        if !notDrawn.isEmpty {
            out += "<p class=\"note\">Not drawn: \(notDrawn.map(escape).joined(separator: "; ")).</p>\n"
        }
        return out + "</figure>\n"
    }

    private func pointValue(_ v: Double) -> String {
        percent ? String(format: "%.2f%%", v) : tableNumber(v, percent: false)
    }

    /// The runs drawn in this chart, then the dash of each split drawn.
    private func legend(_ runs: [RunStyle]) -> String {
        var out = "<ul class=\"legend runs\">"
        var seen = Set<Int>()
        for s in series where seen.insert(s.run).inserted {
            let run = runs[s.run]
            out += "<li class=\"legend-run\" data-run=\"\(run.index)\">\(swatch(colour: run.colour))\(escape(run.label))</li>"
        }
        guard splitStyles else { return out + "</ul>\n" }
        out += "</ul>\n<ul class=\"legend splits\">"
        let splits = ["train", "validation", "test"].filter { split in series.contains { $0.split == split } }
            + Set(series.map(\.split)).subtracting(["train", "validation", "test"]).sorted()
        for split in splits {
            out += "<li class=\"legend-split\" data-split=\"\(escape(split))\">\(swatch(colour: "#555555", split: split))\(escape(split))</li>"
        }
        return out + "</ul>\n"
    }
}
