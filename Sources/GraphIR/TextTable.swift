/// A plain-text table: columns padded to their widest cell, numbers aligned right, a rule under
/// the header.
struct TextTable {
    enum Alignment { case left, right }

    var headers: [String]
    var alignments: [Alignment]
    var rows: [[String]] = []

    init(_ columns: [(String, Alignment)]) {
        headers = columns.map(\.0)
        alignments = columns.map(\.1)
    }

    mutating func add(_ cells: [String]) { rows.append(cells) }

    func rendered() -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            let padded = cells.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return alignments[i] == .right ? pad + cell : cell + pad
            }
            let text = padded.joined(separator: "  ")
            return text.lastIndex { $0 != " " }.map { String(text[...$0]) } ?? ""
        }
        let ruleLine = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(headers), ruleLine] + rows.map(line)).joined(separator: "\n")
    }
}
