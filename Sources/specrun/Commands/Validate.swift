import ArgumentParser
import Catalogue
import Diagnostics
import GraphIR

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check specs without reading any data.",
        discussion: """
            Reports every problem in each file (following `extends`, with any --set applied to each): YAML errors, unknown keys and names, wrong types \
            and ranges, undefined references, cycles, shape errors found by static shape \
            inference, output heads that do not fit their losses, and data fields that do not fit \
            the model. Exits with 0 when every file is valid, 1 when any has an error (or a \
            warning, with --deny-warnings). `specrun explain CODE` describes a diagnostic.
            """)

    @Argument(help: "Spec files to check; '-' reads standard input.")
    var files: [String]

    @Option(help: "Output format: human, json or github (GitHub Actions annotations).")
    var format: DiagnosticFormat = .human

    @Flag(help: "Fail on warnings too.")
    var denyWarnings = false

    @OptionGroup var set: SettingOptions

    func run() throws {
        let reports = files.map { path in
            let c = compile(path, settings: set.settings)
            return FileReport(file: c.file, diagnostics: c.diagnostics)
        }
        print(DiagnosticRenderer.render(reports, format: format, denyWarnings: denyWarnings), terminator: "")
        if !reports.allSatisfy({ $0.isValid(denyWarnings: denyWarnings) }) { throw ExitCode(1) }
    }
}
