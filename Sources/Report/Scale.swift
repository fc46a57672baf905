import Foundation

/// An axis: the domain drawn, its ticks, and how a value maps into [0, 1] along it. Linear ticks
/// are "nice" numbers (1, 2 or 5 times a power of ten, about five of them, the domain widened to
/// the outer ticks); a log axis ticks at powers of ten, or at 1, 2 and 5 times them when it spans
/// less than three decades.
public struct Scale: Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    public var isLog: Bool
    public var ticks: [Double]

    /// A linear axis over `[minimum, maximum]` with about `count` nice ticks.
    public static func linear(_ minimum: Double, _ maximum: Double, count: Int = 5) -> Scale {
        precondition(minimum.isFinite && maximum.isFinite && minimum <= maximum, "[scale] bad range \(minimum)...\(maximum)")
        var (lo, hi) = (minimum, maximum)
        if lo == hi {
            // A flat series: a band around it, so that the line sits in the middle.
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            (lo, hi) = (lo - pad, hi + pad)
        }
        let step = niceNumber((hi - lo) / Double(max(count - 1, 1)), round: true)
        let first = (lo / step).rounded(.down) * step, last = (hi / step).rounded(.up) * step
        let n = Int(((last - first) / step).rounded())
        let ticks = (0...n).map { clean(first + Double($0) * step, step: step) }
        return Scale(lower: ticks.first!, upper: ticks.last!, isLog: false, ticks: ticks)
    }

    /// Whole-number ticks (epochs): a linear axis whose step is at least 1; a single value gets a
    /// unit-wide domain around it with one tick.
    public static func integers(_ minimum: Int, _ maximum: Int) -> Scale {
        if minimum == maximum { return Scale(lower: Double(minimum) - 0.5, upper: Double(maximum) + 0.5, isLog: false, ticks: [Double(minimum)]) }
        let step = max(1, niceNumber(Double(maximum - minimum) / 5, round: true).rounded())
        let first = (Double(minimum) / step).rounded(.up) * step
        let ticks = stride(from: first, through: Double(maximum), by: step).map { $0 }
        return Scale(lower: Double(minimum), upper: Double(maximum), isLog: false, ticks: ticks)
    }

    /// A log axis over positive `[minimum, maximum]`.
    public static func logarithmic(_ minimum: Double, _ maximum: Double) -> Scale {
        precondition(minimum > 0 && maximum >= minimum && maximum.isFinite, "[scale] bad log range \(minimum)...\(maximum)")
        let decades = log10(maximum) - log10(minimum)
        if decades >= 3 {
            // Powers of ten, every one or every few so that there are at most seven.
            let lo = log10(minimum).rounded(.down)
            let every = max(1, ((log10(maximum).rounded(.up) - lo) / 6).rounded(.up))
            let hi = lo + ((log10(maximum) - lo) / every).rounded(.up) * every
            let ticks = stride(from: lo, through: hi, by: every).map { pow(10, $0) }
            return Scale(lower: ticks.first!, upper: ticks.last!, isLog: true, ticks: ticks)
        }
        // 1-2-5 ticks: the domain runs from the one at or below the minimum to the one at or above the maximum.
        var candidates: [Double] = []
        for e in Int(log10(minimum).rounded(.down)) - 1...Int(log10(maximum).rounded(.up)) {
            for m in [1.0, 2, 5] { candidates.append(clean(m * pow(10, Double(e)), step: pow(10, Double(e)))) }
        }
        let lower = candidates.last { $0 <= minimum * (1 + 1e-12) } ?? minimum
        let upper = candidates.first { $0 >= maximum * (1 - 1e-12) } ?? maximum
        return Scale(lower: lower, upper: upper, isLog: true, ticks: candidates.filter { $0 >= lower && $0 <= upper })
    }

    /// The axis a set of values calls for: log when `allowLog` and the positive values span a
    /// decade or more (a loss falling from 2.3 to 0.05), else linear. A constant positive value on
    /// a log-allowed axis (a learning rate without schedule) sits between its 1-2-5 neighbours.
    public static func fitting(_ values: [Double], allowLog: Bool) -> Scale {
        let finite = values.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max() else { return .linear(0, 1) }
        if allowLog && lo > 0 && hi == lo { return .logarithmic(lo / 2, hi * 2) }
        if allowLog && lo > 0 && hi / lo >= 10 { return .logarithmic(lo, hi) }
        return .linear(lo, hi)
    }

    /// Where a value falls, 0 at `lower` and 1 at `upper`.
    public func fraction(_ value: Double) -> Double {
        if isLog { return (log10(value) - log10(lower)) / (log10(upper) - log10(lower)) }
        return (value - lower) / (upper - lower)
    }

    /// A tick's label: as many decimals as the ticks need, and no more (`0.25`, `2`, `1e-5`).
    public func label(_ value: Double) -> String {
        if isLog { return Self.shortest(value) }
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : max(abs(value), 1)
        if abs(value) >= 1e5 || (step < 1e-4 && value != 0) { return Self.shortest(value) }
        // The step is a nice number, but computed from two ticks it may be 0.0999...: round first.
        let decimals = max(0, Int((-log10(step) - 1e-6).rounded(.up)))
        return String(format: "%.\(decimals)f", value == 0 ? 0 : value)
    }

    /// The shortest plain or scientific form: `0.001`, `1e-5`, `2.5e-5`, `20`, `2.5e6`.
    static func shortest(_ value: Double) -> String {
        guard value != 0 && (abs(value) < 1e-3 || abs(value) >= 1e5) else { return String(format: "%g", value) }
        let exponent = Int(log10(abs(value)).rounded(.down))
        let mantissa = String(format: "%g", (value / pow(10, Double(exponent)) * 1000).rounded() / 1000)
        return "\(mantissa)e\(exponent)"
    }

    /// 1, 2, 5 or 10 times a power of ten near `x` (Heckbert's "nice numbers").
    static func niceNumber(_ x: Double, round: Bool) -> Double {
        guard x > 0 else { return 1 }
        let exponent = log10(x).rounded(.down)
        let fraction = x / pow(10, exponent)
        let nice: Double = round
            ? (fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10)
            : (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10)
        return nice * pow(10, exponent)
    }

    /// Removes the binary noise of `first + k * step` (0.30000000000000004 -> 0.3).
    static func clean(_ x: Double, step: Double) -> Double {
        let digits = max(0, -Int(log10(step).rounded(.down))) + 2
        let scale = pow(10, Double(min(digits, 15)))
        return (x * scale).rounded() / scale
    }
}
