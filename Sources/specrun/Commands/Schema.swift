import ArgumentParser
import Catalogue
import SpecLanguage

struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the JSON Schema of the spec language.",
        discussion: """
            With the YAML language server (VS Code's YAML extension and others), put \
            `# yaml-language-server: $schema=specrun.schema.json` at the top of a spec, after \
            `specrun schema > specrun.schema.json`. The schema checks keys, types, ranges and \
            names; `specrun validate` also checks references, shapes and heads.
            """)

    func run() {
        print(JSONSchema.document().rendered())
    }
}
