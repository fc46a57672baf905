import Diagnostics

/// A CSV file as text: the header's column names and every data row's cells, with the line each
/// row starts on (1-based, the header being line 1) so errors can point at it.
///
/// The dialect is RFC 4180 read leniently, as Python's `csv` module reads it: comma-separated
/// (or by another one-byte delimiter such as `;` or a tab),
/// `"` quotes fields (which may then hold commas, newlines and `""` for a quote), LF, CRLF or CR
/// line ends, a UTF-8 byte order mark ignored, blank lines skipped.
public struct CSVTable: Sendable, Equatable {
    public var path: String
    public var header: [String]
    public var rows: [[String]]
    /// The line on which each row starts.
    public var lines: [Int]

    /// The longest field accepted, in bytes. Numbers and labels are short; a field this long means
    /// the file is not the CSV it claims to be (or a quote was never closed), and it is refused
    /// before it is copied, rather than parsed and echoed into a message.
    public static let maxFieldBytes = 1 << 20

    /// Parses `bytes`; `path` names the file in errors.
    public static func parse(_ bytes: [UInt8], path: String, delimiter: UInt8 = UInt8(ascii: ",")) throws(DataError) -> CSVTable {
        let records = try splitRecords(bytes, path: path, delimiter: delimiter)
        guard let first = records.first else {
            throw DataError("empty file: a CSV source needs a header row naming the columns", path: path)
        }
        let header = first.cells.map { $0.trimmingBlanks() }
        var seen: [String: Int] = [:]
        for (i, name) in header.enumerated() {
            guard !name.isEmpty else {
                throw DataError("the header's column \(i + 1) has no name", path: path)
            }
            if let j = seen[name] {
                throw DataError("the header names column \(excerpt(name)) twice (columns \(j + 1) and \(i + 1))", path: path)
            }
            seen[name] = i
        }
        if header.allSatisfy({ Double($0) != nil }) {
            throw DataError("line 1 looks like data, not a header (every cell is a number): a CSV source needs a header row naming the columns", path: path)
        }
        var table = CSVTable(path: path, header: header, rows: [], lines: [])
        table.rows.reserveCapacity(records.count - 1)
        table.lines.reserveCapacity(records.count - 1)
        for record in records.dropFirst() {
            guard record.cells.count == header.count else {
                throw DataError("line \(record.line) has \(record.cells.count) fields, the header has \(header.count)", path: path)
            }
            table.rows.append(record.cells)
            table.lines.append(record.line)
        }
        return table
    }

    /// Reads and parses the file at `path`, its cells separated by `delimiter`.
    public static func read(_ path: String, delimiter: UInt8 = UInt8(ascii: ",")) throws(DataError) -> CSVTable {
        try parse(FileSystem.contents(of: path), path: path, delimiter: delimiter)
    }

    /// The index of column `name`, or an error naming the columns there are (with a suggestion).
    public func column(_ name: String) throws(DataError) -> Int {
        if let i = header.firstIndex(of: name) { return i }
        let hint = didYouMean(name, among: header)
        throw DataError("no column '\(name)'\(hint.isEmpty ? "; the columns are \(quotedList(header))" : hint)", path: path)
    }

    private struct Record {
        var cells: [String]
        var line: Int
    }

    private static func splitRecords(_ bytes: [UInt8], path: String, delimiter: UInt8) throws(DataError) -> [Record] {
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var records: [Record] = []
        var cells: [String] = []
        var cell: [UInt8] = []
        var line = 1, recordLine = 1, quoteLine = 0
        var inQuotes = false, cellStarted = false
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0

        func endCell() {
            cells.append(String(decoding: cell, as: UTF8.self))
            cell.removeAll(keepingCapacity: true)
            cellStarted = false
        }
        func endRecord() {
            endCell()
            if !(cells.count == 1 && cells[0].isEmpty) {  // a blank line
                records.append(Record(cells: cells, line: recordLine))
            }
            cells.removeAll(keepingCapacity: true)
        }

        while i < bytes.count {
            let b = bytes[i]
            i += 1
            if inQuotes {
                if b == quote {
                    if i < bytes.count && bytes[i] == quote {
                        cell.append(quote)
                        i += 1
                    } else {
                        inQuotes = false
                    }
                    continue
                }
                if b == lf || (b == cr && (i == bytes.count || bytes[i] != lf)) { line += 1 }
                cell.append(b)
                if cell.count > maxFieldBytes { throw tooLong(line: quoteLine, column: cells.count + 1, path: path) }
                continue
            }
            switch b {
            case delimiter:
                endCell()
            case quote where !cellStarted:
                inQuotes = true
                cellStarted = true
                quoteLine = line
            case cr, lf:
                if b == cr && i < bytes.count && bytes[i] == lf { i += 1 }
                endRecord()
                line += 1
                recordLine = line
            default:
                cell.append(b)
                cellStarted = true
                if cell.count > maxFieldBytes { throw tooLong(line: line, column: cells.count + 1, path: path) }
            }
        }
        if inQuotes {
            throw DataError("the quoted field starting on line \(quoteLine) never ends", path: path)
        }
        if !cell.isEmpty || !cells.isEmpty || cellStarted { endRecord() }
        return records
    }

    private static func tooLong(line: Int, column: Int, path: String) -> DataError {
        DataError("line \(line), field \(column) is longer than \(maxFieldBytes) bytes; a CSV field holds a number or a label", path: path)
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    func trimmingBlanks() -> String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !blank($0) }) else { return "" }
        let last = lastIndex(where: { !blank($0) })!
        return String(self[first...last])
    }
}
