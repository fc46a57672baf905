import ArgumentParser
import Catalogue
import Diagnostics
import Foundation
import Runner
import SpecLanguage

struct Docs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print or write the generated reference docs.",
        discussion: """
            `specrun docs language` prints docs/spec-language.md, `specrun docs errors` prints \
            docs/errors.md, and `specrun docs --write docs` writes both into the docs directory.
            """)

    enum Document: String, CaseIterable, ExpressibleByArgument {
        case language, errors

        var fileName: String { self == .language ? "spec-language.md" : "errors.md" }

        var text: String { self == .language ? LanguageReference.markdown() : DiagnosticCatalogue.markdown() }
    }

    @Argument(help: "language or errors.")
    var document: Document?

    @Option(help: ArgumentHelp("Write both documents into this directory.", valueName: "directory"))
    var write: String?

    func validate() throws {
        if (document == nil) == (write == nil) {
            throw ValidationError("give a document to print (language or errors) or --write <directory>, not both")
        }
    }

    func run() throws {
        guard let write else {
            print(document?.text ?? "", terminator: "")
            return
        }
        for doc in Document.allCases {
            let path = (write as NSString).appendingPathComponent(doc.fileName)
            do { try AtomicFile.write(doc.text, to: URL(fileURLWithPath: path)) } catch {
                printError("error: \(error)\n")  // the system's reason, not Foundation's error dump
                throw ExitCode(1)
            }
            print("wrote \(path)")
        }
    }
}
