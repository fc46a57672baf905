import ArgumentParser
import Catalogue
import Diagnostics
import Foundation
import GraphIR

extension DiagnosticFormat: ExpressibleByArgument {}

/// Writes to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}

/// Compiles a spec file, or standard input for `-`, in specrun's language.
func compile(_ path: String) -> Compilation {
    path == "-" ? Compiler.compile(bytes: readStandardInput(), path: "<stdin>") : Compiler.compile(path: path)
}

/// Compiles one spec for a command that needs a valid one; prints the diagnostics (warnings too)
/// to standard error and fails with status 1 on errors.
func compileOrExit(_ path: String) throws -> Compilation {
    let compilation = compile(path)
    if !compilation.diagnostics.isEmpty {
        printError(compilation.diagnostics.map { DiagnosticRenderer.human($0, in: compilation.file) + "\n" }.joined())
    }
    guard compilation.graph != nil, compilation.spec != nil else { throw ExitCode(1) }
    return compilation
}

func readStandardInput() -> [UInt8] {
    [UInt8](FileHandle.standardInput.readDataToEndOfFile())
}
