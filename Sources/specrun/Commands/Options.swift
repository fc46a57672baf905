import ArgumentParser
import Catalogue
import Diagnostics
import Foundation
import GraphIR
import SpecLanguage

extension DiagnosticFormat: ExpressibleByArgument {}

/// `--set KEY=VALUE`, for every command that compiles a spec.
struct SettingOptions: ParsableArguments {
    @Option(name: .customLong("set"), help: ArgumentHelp(
        "Set a key of the spec: KEY is the path of keys (optimizer.adam.lr), VALUE is YAML (3e-4, [1, 2], {sgd: {lr: 0.1}}); "
            + "checked as the file is (repeatable).", valueName: "key=value"))
    var settings: [String] = []

    func validate() throws {
        // A malformed argument is a usage error (exit 2), found before any spec is read.
        for setting in settings {
            if let problem = SpecSetting.problem(setting) { throw ValidationError(problem + ".") }
        }
    }
}

/// Writes to standard error.
func printError(_ text: String) {
    // What was printed before the error comes before it, also when both go to one pipe or file.
    fflush(nil)  // every output stream: stdout is a global Swift 6 cannot name safely
    FileHandle.standardError.write(Data(text.utf8))
}

/// Compiles a spec file, or standard input for `-`, in specrun's language, with `--set` settings.
func compile(_ path: String, settings: [String] = []) -> Compilation {
    path == "-" ? Compiler.compile(bytes: readStandardInput(), path: "<stdin>", settings: settings)
        : Compiler.compile(path: path, settings: settings)
}

/// Compiles one spec for a command that needs a valid one; prints the diagnostics (warnings too)
/// to standard error and fails with status 1 on errors.
func compileOrExit(_ path: String, settings: [String] = []) throws -> Compilation {
    let compilation = compile(path, settings: settings)
    if !compilation.diagnostics.isEmpty {
        printError(compilation.diagnostics.map { DiagnosticRenderer.human($0, in: compilation.file) + "\n" }.joined())
    }
    guard compilation.graph != nil, compilation.spec != nil else { throw ExitCode(1) }
    return compilation
}

func readStandardInput() -> [UInt8] {
    [UInt8](FileHandle.standardInput.readDataToEndOfFile())
}
