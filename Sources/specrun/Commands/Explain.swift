import ArgumentParser
import Diagnostics

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain a diagnostic code, with an example and the fix.",
        discussion: "Without a code, lists every code with its title.")

    @Argument(help: "A code such as E030 (the letter and leading zeros are optional).")
    var code: String?

    func validate() throws {
        if let code, DiagnosticCatalogue.entry(named: code) == nil {
            throw ValidationError("no diagnostic has the code '\(code)'; `specrun explain` lists them")
        }
    }

    func run() {
        guard let code, let entry = DiagnosticCatalogue.entry(named: code) else {
            for entry in DiagnosticCatalogue.entries { print("\(entry.code)  \(entry.title)") }
            return
        }
        print(DiagnosticCatalogue.explanation(of: entry), terminator: "")
    }
}
