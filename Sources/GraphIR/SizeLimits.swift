import Diagnostics
import SpecLanguage

/// What one layer may hold: 2^31 parameters, and 2^31 values per sample in its output (8 GiB
/// each as Float32). Far beyond any model a CPU trains, yet well inside the engine's integer
/// arithmetic, so a typo (`out: 1000000000`) is a located error at `validate`, not a crash or an
/// allocation of tens of gigabytes at `train`.
public enum SizeLimits {
    public static let values = 1 << 31

    /// `36.0 GB`, `512.0 MB`: bytes for people.
    public static func bytes(_ n: Double) -> String {
        let units = [(1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "kB")]
        for (scale, unit) in units where n >= scale { return String(format: "%.1f %@", n / scale, unit) }
        return "\(Int(n)) bytes"
    }

    /// The smallest value a size can take: class counts are at least 1, so a size over the limit
    /// with every count at 1 is over it for every data set.
    static func lowerBound(_ size: SymbolicSize) -> Int? {
        guard !size.saturated else { return .max }
        let atOne = size.substituting(Dictionary(uniqueKeysWithValues: size.symbols.map { ($0, 1) }))
        return atOne.constant
    }

    /// The problem with a count of `what` (parameters, values per sample), or nil when it fits.
    static func problem(_ size: SymbolicSize, _ what: String) -> String? {
        guard let n = lowerBound(size), n > values else { return nil }
        let count = n == .max ? "more than 9,223,372,036,854,775,807" : SymbolicSize(n).formatted(grouping: true)
        let bytes = n == .max ? "more bytes than exist" : bytes(Double(n) * 4) + " as Float32"
        return "\(count) \(what) (\(bytes)); a layer may hold at most \(SymbolicSize(values).formatted(grouping: true)) (8 GiB)"
    }
}

extension Inference {
    /// Reports a layer (or input, or merge) too large to train, at `range`.
    mutating func checkSize(_ label: String, parameters: SymbolicSize = 0, output: TensorShape, at range: SourceRange?) -> Bool {
        if let why = SizeLimits.problem(parameters, "parameters") {
            error(.tooLarge, "\(label) needs \(why)", at: range)
            return false
        }
        if let why = SizeLimits.problem(output.elementCount, "values per sample") {
            error(.tooLarge, "\(label) makes \(why)", at: range)
            return false
        }
        return true
    }
}
