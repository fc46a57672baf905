import Diagnostics
import GraphIR
import SpecLanguage

// The front end's entry points in specrun's own language (`Catalogue.standard`), for the CLI,
// tests and library users who do not bring definitions of their own.

extension Compiler {
    /// Compiles a spec file in specrun's language; an unreadable file is a diagnostic (E000).
    /// `settings` are `--set` arguments without the flag.
    public static func compile(path: String, settings: [String] = []) -> Compilation {
        compile(path: path, definitions: Catalogue.standard.definitions, settings: settings)
    }

    /// Compiles a spec held in memory; `path` names it in messages.
    public static func compile(text: String, path: String = "<stdin>", settings: [String] = []) -> Compilation {
        compile(text: text, path: path, definitions: Catalogue.standard.definitions, settings: settings)
    }

    /// Compiles a spec from its bytes; `path` names it in messages.
    public static func compile(bytes: [UInt8], path: String, settings: [String] = []) -> Compilation {
        compile(bytes: bytes, path: path, definitions: Catalogue.standard.definitions, settings: settings)
    }
}

extension LanguageReference {
    /// docs/spec-language.md for specrun's language.
    public static func markdown() -> String { markdown(Catalogue.standard.definitions.vocabulary) }
}

extension JSONSchema {
    /// The JSON Schema of specrun's language.
    public static func document() -> JSONValue { document(Catalogue.standard.definitions.vocabulary) }
}

extension Vocabulary {
    /// specrun's language: the sections and every member of the standard catalogue.
    public static var standard: Vocabulary { Catalogue.standard.definitions.vocabulary }
}
