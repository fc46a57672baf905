import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A one-line live progress bar for a terminal: redrawn in place with `\r`, at most every
/// `interval` seconds, with a rate and an ETA. Only used when the output is a terminal; logs and
/// pipes get plain lines from the caller instead.
public struct ProgressBar {
    public var width: Int
    public var interval: Double
    private var lastDraw: Double = -.infinity
    private let start: Double

    public init(width: Int = 28, interval: Double = 0.1, now: Double = MonotonicClock.seconds()) {
        self.width = width
        self.interval = interval
        self.start = now
    }

    /// The line for `done` of `total` (total nil or 0: unknown), or nil when it is too soon to
    /// redraw (the last call, done == total, always draws).
    public mutating func line(label: String, done: Int, total: Int?, unit: String = "", detail: String = "",
                              now: Double = MonotonicClock.seconds()) -> String? {
        let finished = total.map { done >= $0 } ?? false
        guard finished || now - lastDraw >= interval else { return nil }
        lastDraw = now
        let elapsed = max(now - start, 1e-9)
        var parts = [label]
        if let total, total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            let filled = Int(fraction * Double(width))
            parts.append("[" + String(repeating: "=", count: filled) + (filled < width ? ">" : "")
                         + String(repeating: " ", count: max(0, width - filled - 1)) + "]")
            parts.append("\(done)/\(total)\(unit)")
            if done > 0 && !finished {
                parts.append("eta " + DurationText.format(elapsed * Double(total - done) / Double(done)))
            } else {
                parts.append(DurationText.format(elapsed))
            }
        } else {
            parts.append("\(done)\(unit)")
            parts.append(DurationText.format(elapsed))
        }
        if !detail.isEmpty { parts.append(detail) }
        return "\r\u{1B}[2K" + parts.joined(separator: " ")
    }
}

/// Whether a file descriptor is an interactive terminal (not a pipe, a file, or TERM=dumb).
public enum Terminal {
    public static func isInteractive(_ fd: Int32 = STDOUT_FILENO) -> Bool {
        guard isatty(fd) == 1 else { return false }
        return ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    /// The width of the terminal on `fd` in columns: the kernel's, else `COLUMNS`, else 80.
    public static func columns(_ fd: Int32 = STDOUT_FILENO) -> Int {
        var size = winsize()
        if ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let text = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(text), n > 0 { return n }
        return 80
    }
}

/// Monotonic time in seconds.
public enum MonotonicClock {
    public static func seconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}

/// Short human durations: 0.42s, 12.3s, 4m05s, 2h03m.
public enum DurationText {
    public static func format(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        if seconds < 10 { return String(format: "%.2fs", seconds) }
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let s = Int(seconds.rounded())
        if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
    }
}
