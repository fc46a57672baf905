import Diagnostics
import YAMLReader

/// One `--set KEY=VALUE` argument: a key of the spec written as the path of keys from the top
/// (`optimizer.adam.lr`), and a value read as YAML (`3e-4`, `[1, 2]`, `{sgd: {lr: 0.1}}`).
///
/// The argument is a source of its own (`--set optimizer.adam.lr=3e-4`), so that the decoder's
/// diagnostics about the keys and the value it sets point into it, named by its label
/// (`--set optimizer.adam.lr`), as they point into a file.
public struct SpecSetting: Sendable {
    /// One key of the path, with its place in the argument.
    struct Key: Sendable {
        var name: String
        var range: SourceRange
    }

    /// The flag that gives settings, as it heads the argument's text.
    public static let flag = "--set"

    /// The argument as given, without the flag: `optimizer.adam.lr=3e-4`.
    public let argument: String
    /// The key path as written: `optimizer.adam.lr`.
    public let keyPath: String
    let keys: [Key]
    /// The value's text: `3e-4`.
    let valueText: String

    /// The argument as a source: its text is `--set optimizer.adam.lr=3e-4`.
    public var source: SourceFile {
        SourceFile(path: "\(Self.flag) \(argument)", text: "\(Self.flag) \(argument)", origin: .argument(label: "\(Self.flag) \(keyPath)"))
    }

    /// The argument split into its keys and value; nil with `problem` when it is not `KEY=VALUE`.
    public init?(_ argument: String) {
        guard Self.problem(argument) == nil, let equals = argument.firstIndex(of: "=") else { return nil }
        self.argument = argument
        keyPath = String(argument[..<equals])
        valueText = String(argument[argument.index(after: equals)...])
        let name = "\(Self.flag) \(argument)"
        var column = Self.flag.unicodeScalars.count + 2
        var keys: [Key] = []
        for part in keyPath.split(separator: ".", omittingEmptySubsequences: false) {
            let width = part.unicodeScalars.count
            keys.append(Key(name: String(part), range: SourceRange(start: SourceLocation(line: 1, column: column),
                                                                 end: SourceLocation(line: 1, column: column + width), source: name)))
            column += width + 1
        }
        self.keys = keys
    }

    /// Why an argument is not `KEY=VALUE` with a key path of names, or nil: for the command
    /// line's usage check, before any spec is read.
    public static func problem(_ argument: String) -> String? {
        guard let equals = argument.firstIndex(of: "=") else {
            return "\(flag) takes KEY=VALUE, such as \(flag) optimizer.adam.lr=0.01; '\(argument)' has no '='"
        }
        let path = argument[..<equals]
        if path.isEmpty { return "\(flag) '\(argument)' names no key before the '='" }
        if path.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
            return "\(flag) '\(argument)': the key path '\(path)' has an empty key; keys are separated by single dots"
        }
        if path.contains(where: \.isWhitespace) { return "\(flag) '\(argument)': the key path '\(path)' contains a space" }
        return nil
    }

    /// The value as a YAML node whose places are in the argument: the text is read after as many
    /// spaces as the argument has before the value, so that libyaml's columns are the argument's.
    func value(source name: String) -> YAMLDocument {
        let prefix = String(repeating: " ", count: "\(Self.flag) \(keyPath)=".unicodeScalars.count)
        return YAMLReader.read(text: prefix + valueText, path: name, source: name)
    }
}
