import Diagnostics
import Foundation
import YAMLReader

/// Reads a spec file, decodes it against the vocabulary (the sections and the catalogue's members), and returns the typed `Spec` with every
/// problem found. Shapes and heads are checked by `GraphIR` (see `Compiler` there).
public enum SpecLoader {
    /// Loads a file. A missing or unreadable file is a diagnostic (E000), not a thrown error.
    public static func load(path: String, vocabulary: Vocabulary) -> LoadResult {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              let data = FileManager.default.contents(atPath: path) else {
            let why = FileManager.default.fileExists(atPath: path) ? "it is a directory or not readable" : "no such file"
            return LoadResult(file: SourceFile(path: path, text: ""), spec: nil,
                              diagnostics: [Diagnostic(.unreadableFile, "cannot read '\(path)': \(why)", at: nil)], draft: nil)
        }
        return load(bytes: [UInt8](data), path: path, vocabulary: vocabulary)
    }

    /// Loads a spec held in memory (tests, stdin); `path` names it in messages.
    public static func load(text: String, path: String = "<stdin>", vocabulary: Vocabulary) -> LoadResult {
        load(bytes: Array(text.utf8), path: path, vocabulary: vocabulary)
    }

    /// Loads a spec from its bytes; `path` names it in messages.
    public static func load(bytes: [UInt8], path: String, vocabulary: Vocabulary) -> LoadResult {
        let document = YAMLReader.read(bytes: bytes, path: path)
        var diagnostics = document.diagnostics
        // A syntax error leaves no tree; anything else the reader found still leaves one to check.
        guard document.root != nil || diagnostics.isEmpty else {
            return LoadResult(file: document.file, spec: nil, diagnostics: diagnostics.sortedByLocation(), draft: nil)
        }
        var builder = SpecBuilder(vocabulary: vocabulary)
        let spec = builder.build(document.root, file: document.file)
        diagnostics += builder.decoder.diagnostics
        let draft = spec.map { Draft(spec: $0, incomplete: builder.incomplete, classUses: builder.decoder.classUses) }
        return LoadResult(file: document.file, spec: diagnostics.hasErrors ? nil : spec,
                          diagnostics: diagnostics.sortedByLocation(), draft: draft)
    }
}
