import ArgumentParser
import Foundation
import GraphIR
import Runner

struct ExportTorch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-torch",
        abstract: "Write a spec's model and training step as a PyTorch script.",
        discussion: """
            The file defines Model, an nn.Module whose state_dict names are specrun's (so \
            weights.safetensors loads into it), and runs as a benchmark twin of specrun: \
            `python model.py --bench --classes alphabet=8 character=242` trains it on synthetic \
            data with the spec's losses and optimizer and prints one JSON line of timings. \
            Class counts stay constructor arguments: Model(classes={"alphabet": 8, ...}).
            """)

    @Argument(help: "The spec file; '-' reads standard input.")
    var file: String

    @OptionGroup var set: SettingOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the Python file here instead of printing it.", valueName: "file"))
    var output: String?

    func run() throws {
        let compilation = try compileOrExit(file, settings: set.settings)
        guard let graph = compilation.graph, let spec = compilation.spec else { return }
        let text = TorchExport.render(graph, spec: spec, path: compilation.file.path)
        guard let output else {
            print(text, terminator: "")
            return
        }
        do {
            try AtomicFile.write(text, to: URL(fileURLWithPath: output))
        } catch {
            printError("error: cannot write '\(output)': \(error.reason)\n")
            throw ExitCode(1)
        }
    }
}
