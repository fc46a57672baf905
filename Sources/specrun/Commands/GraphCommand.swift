import ArgumentParser
import GraphIR

extension GraphDrawing.Format: ExpressibleByArgument {}

struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw a spec's graph as Graphviz DOT or Mermaid.",
        discussion: "For a picture: specrun graph spec.yaml | dot -Tsvg > model.svg")

    @Argument(help: "The spec file; '-' reads standard input.")
    var file: String

    @OptionGroup var set: SettingOptions

    @Option(help: "dot (Graphviz) or mermaid.")
    var format: GraphDrawing.Format = .dot

    func run() throws {
        let compilation = try compileOrExit(file, settings: set.settings)
        guard let graph = compilation.graph else { return }
        print(GraphDrawing.render(graph, format: format), terminator: "")
    }
}
