import Foundation

/// Text safe inside HTML and SVG elements and attribute values. The report is also well-formed
/// XML (every element closed, no named entities), so that tests can parse it without a browser.
func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.count)
    for c in text {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(c)
        }
    }
    return out
}

/// A coordinate with one decimal: enough for a screen, and short.
func px(_ x: Double) -> String { String(format: "%.1f", x) }

/// How a run is drawn: its colour and the label its legend entries carry.
public struct RunStyle: Sendable {
    public var index: Int
    public var colour: String
    public var label: String

    /// Okabe and Ito's palette, told apart also with the common colour-vision deficiencies; yellow
    /// last, being faint on white.
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]

    static func colour(_ index: Int) -> String { palette[index % palette.count] }
}

/// How a split is drawn: held-out results solid (the ones to judge a model by), training dashed.
enum SplitStyle {
    static func dash(_ split: String) -> String? {
        switch split {
        case "train": "6 4"
        case "validation": "12 3 2 3"
        case "test": nil
        default: "2 3"
        }
    }

    static func attribute(_ split: String) -> String {
        dash(split).map { " stroke-dasharray=\"\($0)\"" } ?? ""
    }
}

/// A short line in a run's colour, or a split's dash and marker (hollow for training), as legends show them.
func swatch(colour: String, split: String? = nil) -> String {
    var out = "<svg class=\"swatch\" width=\"30\" height=\"10\" viewBox=\"0 0 30 10\" aria-hidden=\"true\">"
        + "<line x1=\"1\" y1=\"5\" x2=\"29\" y2=\"5\" stroke=\"\(colour)\" stroke-width=\"2\"\(split.map(SplitStyle.attribute) ?? "")/>"
    if let split {
        out += "<circle cx=\"15\" cy=\"5\" r=\"2.8\" stroke=\"\(colour)\" stroke-width=\"1.5\" fill=\"\(split == "train" ? "#ffffff" : colour)\"/>"
    }
    return out + "</svg>"
}

/// A number for a table: four significant digits, or a percentage with two decimals.
func tableNumber(_ value: Double?, percent: Bool) -> String {
    guard let value else { return "–" }
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value > 0 ? "+∞" : "−∞" }
    if percent { return String(format: "%.2f%%", value * 100) }
    if value != 0 && (abs(value) < 1e-3 || abs(value) >= 1e6) { return String(format: "%.3e", value) }
    return String(format: "%.4g", value)
}
