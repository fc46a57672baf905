/// A 1-based position in a source file, as people count: the first line is 1, the first
/// character of a line is column 1. Columns count Unicode scalars, as libyaml does, so a
/// column means the same thing whether it came from libyaml or from specrun's own checks.
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.line, a.column) < (b.line, b.column)
    }

    public var description: String { "\(line):\(column)" }
}

/// A span of source text: `start` inclusive, `end` exclusive.
public struct SourceRange: Hashable, Sendable, CustomStringConvertible {
    public var start: SourceLocation
    public var end: SourceLocation
    /// The source the range lies in when it is not the spec being checked but another source it
    /// was composed from: a file it extends, or a `--set` argument (that source's
    /// `SourceFile.path`). Nil for the spec's own file.
    public var source: String?

    public init(start: SourceLocation, end: SourceLocation, source: String? = nil) {
        self.start = start
        self.end = max(start, end)
        self.source = source
    }

    /// An empty range at one place.
    public init(at location: SourceLocation, source: String? = nil) {
        self.init(start: location, end: location, source: source)
    }

    public var description: String { "\(start)-\(end)" }
}

/// The text of one input file, split into lines for rendering diagnostics.
///
/// Line breaks are `\n`, `\r\n` and a lone `\r`. A leading byte-order mark is dropped, as libyaml
/// drops it before counting.
public struct SourceFile: Sendable {
    /// What the text is.
    public enum Origin: Hashable, Sendable {
        /// A file, named in messages by its path, line and column.
        case file
        /// An argument of the command line, such as `--set data.batch_size=64`, named in messages
        /// by its label (`--set data.batch_size`): it has one line, which people do not number.
        case argument(label: String)
    }

    /// The path as the user wrote it; diagnostics print it unchanged. For an argument, its whole
    /// text (`--set data.batch_size=64`).
    public let path: String
    public let origin: Origin
    /// The other sources the spec in this file was composed from: the files it extends and the
    /// `--set` arguments. Ranges in them carry their `path` as `SourceRange.source`.
    public var composedFrom: [SourceFile] = []
    /// The decoded text, without a leading byte-order mark.
    public let text: String
    /// Whether the input began with a UTF-8 byte-order mark (dropped from `text`).
    public let hadByteOrderMark: Bool
    private let scalars: [Unicode.Scalar]
    /// Scalar offset of the first character of each line.
    private let lineStarts: [Int]

    public init(path: String, text: String, origin: Origin = .file) {
        self.path = path
        self.origin = origin
        hadByteOrderMark = text.unicodeScalars.first == "\u{FEFF}"
        let dropped = hadByteOrderMark ? String(text.unicodeScalars.dropFirst()) : text
        self.text = dropped
        scalars = Array(dropped.unicodeScalars)
        var starts = [0]
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if c == "\r" && i + 1 < scalars.count && scalars[i + 1] == "\n" {
                i += 2
                starts.append(i)
            } else if c == "\n" || c == "\r" {
                i += 1
                starts.append(i)
            } else {
                i += 1
            }
        }
        lineStarts = starts
    }

    /// The number of lines; a file ending in a line break has an empty last line.
    public var lineCount: Int { lineStarts.count }

    /// The number of Unicode scalars in the text.
    public var scalarCount: Int { scalars.count }

    /// The text of a 1-based line without its line break; empty when out of range.
    public func line(_ number: Int) -> String {
        guard number >= 1 && number <= lineCount else { return "" }
        let start = lineStarts[number - 1]
        var end = number < lineCount ? lineStarts[number] : scalars.count
        while end > start && (scalars[end - 1] == "\n" || scalars[end - 1] == "\r") { end -= 1 }
        var s = String.UnicodeScalarView()
        s.append(contentsOf: scalars[start..<end])
        return String(s)
    }

    /// The location of a scalar offset (libyaml's `mark.index`), clamped into the file.
    public func location(atScalarOffset offset: Int) -> SourceLocation {
        let o = min(max(offset, 0), scalars.count)
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= o { lo = mid } else { hi = mid - 1 }
        }
        return clamp(SourceLocation(line: lo + 1, column: o - lineStarts[lo] + 1))
    }

    /// The location of a byte offset into the UTF-8 input (as libyaml's reader errors give),
    /// counting a leading byte-order mark as libyaml does.
    public func location(atUTF8Offset offset: Int) -> SourceLocation {
        var remaining = offset - (hadByteOrderMark ? 3 : 0)
        var index = 0
        while index < scalars.count && remaining > 0 {
            remaining -= UTF8.width(scalars[index])
            index += 1
        }
        return location(atScalarOffset: index)
    }

    /// The same location moved inside the file: line in 1...lineCount, column in
    /// 1...(length of the line + 1).
    public func clamp(_ location: SourceLocation) -> SourceLocation {
        let line = min(max(location.line, 1), lineCount)
        let length = lineLength(line)
        return SourceLocation(line: line, column: min(max(location.column, 1), length + 1))
    }

    /// The number of scalars on a 1-based line, without its line break.
    public func lineLength(_ number: Int) -> Int {
        guard number >= 1 && number <= lineCount else { return 0 }
        let start = lineStarts[number - 1]
        var end = number < lineCount ? lineStarts[number] : scalars.count
        while end > start && (scalars[end - 1] == "\n" || scalars[end - 1] == "\r") { end -= 1 }
        return end - start
    }

    /// Whether a location lies inside the file (see `clamp`).
    public func contains(_ location: SourceLocation) -> Bool { clamp(location) == location }

    /// Whether a range starts inside the source it names (this file, or one it was composed from).
    public func contains(_ range: SourceRange) -> Bool {
        let source = source(of: range)
        return (range.source == nil || source.path == range.source) && source.contains(range.start)
    }

    /// The source a range lies in: this file, or one of those the spec was composed from.
    public func source(of range: SourceRange) -> SourceFile {
        guard let name = range.source, name != path else { return self }
        return composedFrom.first { $0.path == name } ?? self
    }

    /// Where a range is, as messages begin: `specs/x.yaml:7:5`, in the file it lies in, or the
    /// label of an argument (`--set optimizer.adam.lr`).
    public func place(of range: SourceRange) -> String {
        let source = source(of: range)
        if case .argument(let label) = source.origin { return label }
        return "\(source.path):\(range.start.line):\(range.start.column)"
    }
}
