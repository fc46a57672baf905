import ArgumentParser
import Diagnostics
import GraphIR

struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a spec's model: layers, shapes, parameters, FLOPs.",
        discussion: """
            Needs no data: class counts stay symbolic (classes(alphabet)) unless given with \
            --classes. FLOPs are per sample for the forward pass, a multiply-add counting as 2.
            """)

    @Argument(help: "The spec file; '-' reads standard input.")
    var file: String

    @OptionGroup var set: SettingOptions

    @Option(name: .customLong("classes"), help: ArgumentHelp("A class count to assume, as label=count (repeatable).", valueName: "label=count"))
    var classes: [String] = []

    func validate() throws {
        for entry in classes {
            let parts = entry.split(separator: "=")
            guard parts.count == 2, let n = Int(parts[1]), n >= 1 else {
                throw ValidationError("--classes takes label=count with a positive count, not '\(entry)'")
            }
        }
    }

    func run() throws {
        let compilation = try compileOrExit(file, settings: set.settings)
        guard var graph = compilation.graph, let spec = compilation.spec else { return }
        if !classes.isEmpty {
            var counts: [String: Int] = [:]
            for entry in classes {
                let parts = entry.split(separator: "=")
                counts[String(parts[0])] = Int(parts[1])
            }
            let problems = graph.bind(counts)
            if !problems.isEmpty {
                printError(problems.map { DiagnosticRenderer.human($0, in: compilation.file) + "\n" }.joined())
                throw ExitCode(1)
            }
        }
        print(SummaryReport.render(graph, spec: spec, path: compilation.file.path), terminator: "")
    }
}
