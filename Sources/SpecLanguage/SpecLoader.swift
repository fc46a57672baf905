import Diagnostics
import Foundation
import YAMLReader

/// Reads a spec file, composes it with the files it extends and the `--set` arguments, decodes it
/// against the vocabulary (the sections and the catalogue's members), and returns the typed `Spec`
/// with every problem found. Shapes and heads are checked by `GraphIR` (see `Compiler` there).
public enum SpecLoader {
    /// Loads a file. A missing or unreadable file is a diagnostic (E000), not a thrown error.
    /// `settings` are `--set` arguments without the flag (`optimizer.adam.lr=3e-4`), applied in order.
    public static func load(path: String, vocabulary: Vocabulary, settings: [String] = []) -> LoadResult {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              let data = FileManager.default.contents(atPath: path) else {
            let why = FileManager.default.fileExists(atPath: path) ? "it is a directory or not readable" : "no such file"
            return LoadResult(file: SourceFile(path: path, text: ""), spec: nil,
                              diagnostics: [Diagnostic(.unreadableFile, "cannot read '\(path)': \(why)", at: nil)], draft: nil)
        }
        return load(bytes: [UInt8](data), path: path, vocabulary: vocabulary, settings: settings)
    }

    /// Loads a spec held in memory (tests, stdin); `path` names it in messages, and the files it
    /// extends are relative to its folder (to the working directory for `<stdin>`).
    public static func load(text: String, path: String = "<stdin>", vocabulary: Vocabulary, settings: [String] = []) -> LoadResult {
        load(bytes: Array(text.utf8), path: path, vocabulary: vocabulary, settings: settings)
    }

    /// Loads a spec from its bytes; `path` names it in messages.
    public static func load(bytes: [UInt8], path: String, vocabulary: Vocabulary, settings: [String] = []) -> LoadResult {
        let document = YAMLReader.read(bytes: bytes, path: path)
        var diagnostics = document.diagnostics
        var file = document.file
        // A syntax error leaves no tree; anything else the reader found still leaves one to check.
        guard document.root != nil || diagnostics.isEmpty else {
            return LoadResult(file: file, spec: nil, diagnostics: diagnostics.sortedByLocation(), draft: nil)
        }
        var composer = SpecComposer(vocabulary: vocabulary)
        var root = document.root.map { composer.followExtends($0, path: path) }
        root = composer.apply(settings, to: root)
        file.composedFrom = composer.sources
        diagnostics += composer.diagnostics
        // A base that cannot be read or a setting that cannot be applied leaves a tree that is not
        // the spec meant: decoding it would only report the parts it lacks.
        guard !composer.diagnostics.hasErrors else {
            return LoadResult(file: file, spec: nil, diagnostics: diagnostics.sortedByLocation(), draft: nil)
        }
        var builder = SpecBuilder(vocabulary: vocabulary)
        let spec = builder.build(root, file: file)
        // W019 warns that other tools read a number in a file as text; a value on the command line
        // (`--set optimizer.adam.lr=3e-4`) is read by specrun alone.
        diagnostics += builder.decoder.diagnostics.filter { d in
            !(d.code == .yaml11Number && d.range.map { file.source(of: $0).origin != .file } == true)
        }
        let draft = spec.map { Draft(spec: $0, incomplete: builder.incomplete, classUses: builder.decoder.classUses) }
        return LoadResult(file: file, spec: diagnostics.hasErrors ? nil : spec, diagnostics: diagnostics.sortedByLocation(), draft: draft,
                          composedText: composer.composed ? YAMLWriter.text(root.map(composer.portable)) : nil)
    }
}
