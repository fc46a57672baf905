import ArgumentParser
import Foundation
import Report

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Compare training runs in one self-contained HTML page.",
        discussion: """
            Reads run folders (runs/<spec>/<timestamp>/) and writes one HTML file with everything \
            inline (SVG charts, CSS; nothing is fetched): the settings that differ between the \
            runs, loss and every metric by epoch for each output on each split with the runs \
            overlaid, the learning rate, the final metrics, and the confusion matrices of runs \
            that have a confusion_matrix.json.
            """)

    @Argument(help: "Run folders, each with a metrics.jsonl.")
    var runs: [String]

    @Option(name: .shortAndLong, help: "The HTML file to write.")
    var output = "report.html"

    func validate() throws {
        if runs.isEmpty { throw ValidationError("Give at least one run folder.") }
    }

    func run() throws {
        let report: Report
        do { report = try Report(paths: runs) } catch {
            printError("error: \(error)\n")
            throw ExitCode(1)
        }
        do {
            try Data(report.html().utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch {
            printError("error: \(output): cannot write the report: \(error.localizedDescription)\n")
            throw ExitCode(1)
        }
        print("\(output): \(report.runs.count) run\(report.runs.count == 1 ? "" : "s"), \(report.chartCount) charts")
    }
}
