import Foundation

/// Files the tests read: snapshot cases next to this file, and the repository's shipped specs and docs.
enum Fixtures {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let snapshots = testsDirectory.appendingPathComponent("Snapshots")
    static let repositoryRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    static let specs = repositoryRoot.appendingPathComponent("specs")

    /// Names of the files in a directory with an extension, sorted.
    static func files(in directory: URL, ext: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix("." + ext) }.sorted()
    }

    static func bytes(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }

    /// Set SPECRUN_UPDATE_SNAPSHOTS=1 to rewrite expected outputs instead of comparing (then review the diff).
    static var updating: Bool { ProcessInfo.processInfo.environment["SPECRUN_UPDATE_SNAPSHOTS"] != nil }
}

import SpecLanguage

extension SpecComponent {
    /// The member and every option with its resolved value, keys sorted, for comparing in tests:
    /// `adam {amsgrad: false, betas: [0.9, 0.999], ...}`.
    var flow: String {
        let options = self.options.values.keys.sorted().map { "\($0): \(self.options.values[$0]!.value.yamlText)" }
        return options.isEmpty ? name : "\(name) {\(options.joined(separator: ", "))}"
    }
}
