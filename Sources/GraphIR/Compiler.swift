import Diagnostics
import SpecLanguage

/// Everything specrun knows about a spec before any data is read.
public struct Compilation: Sendable {
    public var file: SourceFile
    /// Nil when there is any error.
    public var spec: Spec?
    /// Nil when there is any error; sizes from the data are still symbolic (see `Graph.bind`).
    public var graph: Graph?
    /// Every problem, from reading the YAML to checking the heads, sorted by place.
    public var diagnostics: [Diagnostic]
    /// The spec as composed from the files it extends and the `--set` settings (see
    /// `LoadResult.composedText`); nil when the file alone is the spec.
    public var composedText: String?
}

/// The whole front end in one call: read, decode, build the graph, check everything, against the
/// members' definitions (`Catalogue.standard.definitions` for specrun's language).
public enum Compiler {
    /// Compiles a spec file; an unreadable file is a diagnostic (E000). `settings` are `--set`
    /// arguments without the flag (`optimizer.adam.lr=3e-4`).
    public static func compile(path: String, definitions: Definitions, settings: [String] = []) -> Compilation {
        compile(SpecLoader.load(path: path, vocabulary: definitions.vocabulary, settings: settings), definitions: definitions)
    }

    /// Compiles a spec held in memory (tests, stdin); `path` names it in messages.
    public static func compile(text: String, path: String = "<stdin>", definitions: Definitions, settings: [String] = []) -> Compilation {
        compile(SpecLoader.load(text: text, path: path, vocabulary: definitions.vocabulary, settings: settings), definitions: definitions)
    }

    /// Compiles a spec from its bytes; `path` names it in messages.
    public static func compile(bytes: [UInt8], path: String, definitions: Definitions, settings: [String] = []) -> Compilation {
        compile(SpecLoader.load(bytes: bytes, path: path, vocabulary: definitions.vocabulary, settings: settings), definitions: definitions)
    }

    /// Continues from a load: graph checks run on the draft even when decoding found errors.
    public static func compile(_ load: LoadResult, definitions: Definitions) -> Compilation {
        guard let draft = load.draft else {
            return Compilation(file: load.file, spec: nil, graph: nil, diagnostics: load.diagnostics, composedText: load.composedText)
        }
        let (graph, graphDiagnostics) = GraphBuilder.build(draft, definitions: definitions)
        let diagnostics = (load.diagnostics + graphDiagnostics).sortedByLocation()
        let ok = !diagnostics.hasErrors
        return Compilation(file: load.file, spec: ok ? load.spec : nil, graph: ok ? graph : nil, diagnostics: diagnostics,
                           composedText: load.composedText)
    }
}
