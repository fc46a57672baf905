import DataPipeline
import Datasets
import Diagnostics
import Foundation
import SpecLanguage

/// Where a command's data comes from: the data root and how it was chosen (for messages), and
/// what happens when a path the spec reads is not there: a public data set from the fetch
/// catalogue is fetched (by `train`), or named with the command that fetches it.
public struct DataSupply {
    /// How the data root was chosen, as messages say it: `--data-root`, `SPECRUN_DATA`, ...
    public var rootOrigin: String
    /// Fetches missing catalogue data sets when set (and not `offline`).
    public var fetcher: Fetcher?
    /// Why fetching is refused (`--offline`, `SPECRUN_OFFLINE=1`), when it is.
    public var offline: String?
    /// Says, before a fetch, what is missing and what will be fetched.
    public var announce: (String) -> Void

    public init(rootOrigin: String, fetcher: Fetcher? = nil, offline: String? = nil, announce: @escaping (String) -> Void = { _ in }) {
        self.rootOrigin = rootOrigin
        self.fetcher = fetcher
        self.offline = offline
        self.announce = announce
    }

    /// Set to `1` (or `true`, `yes`) to refuse fetching, as `--offline` does.
    public static let offlineEnvironmentVariable = "SPECRUN_OFFLINE"

    /// Whether the environment asks for offline runs.
    public static func offlineRequested(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        ["1", "true", "yes"].contains(environment[offlineEnvironmentVariable]?.lowercased() ?? "")
    }

    /// How `DataBinding.dataRoot(flag:)` chose its root, for messages.
    public static func origin(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if flag != nil { return "from --data-root" }
        if environment["SPECRUN_DATA"] != nil { return "from SPECRUN_DATA" }
        return "the default"
    }

    /// Makes sure every path the spec reads is under `dataRoot`, fetching the missing ones that a
    /// catalogue entry provides; throws a one-line error, placed at the spec's data source, for
    /// those it cannot or may not fetch. `source` is the spec's data source, lowered.
    func ensure(_ spec: Spec, file: SourceFile, dataRoot: String, source: DataSource) throws(RunError) {
        let datasets = fetcher?.catalogue ?? (try? Catalogue.active()) ?? .standard
        let place = file.place(of: spec.data.source.range)
        for path in Self.paths(source) where !path.hasPrefix("/") {
            // As the user gave the root (relative or not), so the message reads like their command.
            let full = (dataRoot as NSString).appendingPathComponent(path)
            guard !FileManager.default.fileExists(atPath: full) else { continue }
            let root = "the data root \(dataRoot) (\(rootOrigin))"
            guard let entry = datasets.entry(providing: path) else {
                throw RunError(.data, "\(place): \(full): no such file or folder, and no public data set provides \(path); "
                               + "data paths are relative to \(root): give another with --data-root or SPECRUN_DATA")
            }
            let command = "specrun fetch \(entry.name) --data-root \(Self.quoted(dataRoot))"
            guard let fetcher, offline == nil else {
                let why = offline.map { "; \($0) forbids fetching it" } ?? ""
                throw RunError(.data, "\(place): \(full) is missing\(why); it is the public data set `\(entry.name)`: fetch it with: \(command)")
            }
            announce("\(full) is missing; fetching it (--offline refuses):\n"
                     + "the public data set `\(entry.name)`, \(Self.megabytes(entry.size)), into \(root)")
            let report: FetchReport
            do { report = try fetcher.fetch(entry.name) } catch {
                throw RunError(.data, "\(error) (fetching it for \(place); or run: \(command))")
            }
            announce("\(entry.name): \(entry.checksum.algorithm) \(report.digest ?? "?") verified\n"
                     + "\(entry.name): \(report.filesInstalled) file\(report.filesInstalled == 1 ? "" : "s") in \(full)")
        }
    }

    /// The files and folders a data source reads, relative to the data root (or absolute).
    static func paths(_ source: DataSource) -> [String] {
        switch source {
        case .csv(let csv): [csv.path]
        case .imageFolder(let folder): [folder.root]
        case .imageFiles: []
        }
    }

    static func megabytes(_ bytes: Int64) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }

    /// A path as a shell reads it back: quoted only when it needs to be.
    static func quoted(_ path: String) -> String {
        path.allSatisfy { $0.isLetter || $0.isNumber || "/._-+".contains($0) } ? path : "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
