import DataPipeline
import Testing

@Suite struct CSVTableTests {
    func parse(_ text: String) throws(DataError) -> CSVTable {
        try CSVTable.parse(Array(text.utf8), path: "t.csv")
    }

    @Test func quotedFieldsHoldCommasQuotesAndNewlines() throws {
        let table = try parse("name,note,x\n\"Smith, J\",\"said \"\"hi\"\"\",1\n\"multi\nline\",plain,2\nlast,,3\n")
        #expect(table.header == ["name", "note", "x"])
        #expect(table.rows == [["Smith, J", "said \"hi\"", "1"], ["multi\nline", "plain", "2"], ["last", "", "3"]])
        #expect(table.lines == [2, 3, 5])  // the quoted newline moves the next row to line 5
    }

    @Test func lineEndsByteOrderMarkAndBlankLines() throws {
        let crlf = try parse("\u{FEFF}a,b\r\n1,2\r\n\r\n3,4\r\n")
        #expect(crlf.header == ["a", "b"])
        #expect(crlf.rows == [["1", "2"], ["3", "4"]])
        #expect(crlf.lines == [2, 4])
        let cr = try parse("a,b\r1,2\r3,4")
        #expect(cr.rows == [["1", "2"], ["3", "4"]])
        let noFinalNewline = try parse("a,b\n1,2")
        #expect(noFinalNewline.rows == [["1", "2"]])
    }

    @Test func headerNamesAreTrimmed() throws {
        #expect(try parse(" a ,\tb\n1,2\n").header == ["a", "b"])
    }

    @Test func headerProblemsAreErrors() {
        #expect(dataError { _ = try parse("") } == DataError("empty file: a CSV source needs a header row naming the columns", path: "t.csv"))
        #expect(dataError { _ = try parse("a,b,a\n1,2,3\n") }?.message == "the header names column 'a' twice (columns 1 and 3)")
        #expect(dataError { _ = try parse("a,,c\n1,2,3\n") }?.message == "the header's column 2 has no name")
        #expect(dataError { _ = try parse("1.5,2,3\n4,5,6\n") }?.message
                == "line 1 looks like data, not a header (every cell is a number): a CSV source needs a header row naming the columns")
    }

    @Test func rowWidthMismatchNamesTheLine() {
        let error = dataError { _ = try parse("a,b\n1,2\n\"x\ny\",2\n3,4,5\n") }
        #expect(error == DataError("line 5 has 3 fields, the header has 2", path: "t.csv"))
        #expect(error?.description == "t.csv: line 5 has 3 fields, the header has 2")
    }

    @Test func unterminatedQuoteIsAnError() {
        #expect(dataError { _ = try parse("a,b\n1,\"open\n2,3\n") }?.message == "the quoted field starting on line 2 never ends")
    }

    @Test func missingColumnSuggestsTheClosestName() throws {
        let table = try parse("ph,Hardness,Sulfate\n1,2,3\n")
        #expect(try table.column("Sulfate") == 2)
        #expect(dataError { _ = try table.column("Sulphate") }?.message == "no column 'Sulphate'; did you mean 'Sulfate'?")
        #expect(dataError { _ = try table.column("zzz") }?.message == "no column 'zzz'; the columns are 'ph', 'Hardness', 'Sulfate'")
    }
}
