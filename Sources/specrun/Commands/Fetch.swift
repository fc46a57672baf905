import ArgumentParser
import Datasets
import Foundation
import Runner
import Synchronization

struct Fetch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Download a public data set into the data root, verify it, and unpack it.",
        discussion: """
            Lays the data out as the shipped specs expect (omniglot/images_background/..., \
            water/water_potability.csv). The download is checked against its published digest \
            (torchvision's MD5 for Omniglot) and deleted if it does not match; archives are \
            unpacked into a temporary folder and moved into place only when complete, refusing \
            entries that would land outside the data root. --base-url (or \
            SPECRUN_FETCH_BASE_URL) fetches the same file names from another server.
            """)

    @Argument(help: "Data sets to fetch (see --list).")
    var names: [String] = []

    @OptionGroup var data: DataOptions

    @Option(help: "Fetch the files from this base URL instead of their public mirrors.")
    var baseURL: String?

    @Flag(help: "Download again even if the data set is already in place.")
    var force = false

    @Flag(help: "List the data sets that can be fetched, and whether each is in place.")
    var list = false

    func validate() throws {
        if names.isEmpty && !list { throw ValidationError("Name a data set to fetch, or pass --list.") }
    }

    func run() throws {
        let root = URL(fileURLWithPath: DataBinding.dataRoot(flag: data.dataRoot))
        let base: URL?
        do { base = try Fetcher.baseURL(flag: baseURL) } catch { throw ValidationError("\(error)") }
        let live = Terminal.isInteractive()
        let catalogue: Catalogue
        do { catalogue = try Catalogue.active() } catch { throw ValidationError("\(error)") }
        let fetcher = Fetcher(dataRoot: root, baseURL: base, catalogue: catalogue, progress: Self.progressDisplay(live: live))
        if list {
            for entry in fetcher.catalogue.entries {
                let state = fetcher.isInstalled(entry) ? "in place" : "not fetched"
                print("\(entry.name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(state.padding(toLength: 12, withPad: " ", startingAt: 0)) \(entry.summary)")
            }
            return
        }
        for name in names {
            do {
                let report = try fetcher.fetch(name, force: force)
                if live { print("") }
                switch report.outcome {
                case .alreadyPresent:
                    print("\(name): already in \(report.path.path) (--force fetches it again)")
                case .installed:
                    print("\(name): \(report.filesInstalled) file\(report.filesInstalled == 1 ? "" : "s") in \(report.path.path) "
                          + "(\(report.downloadedBytes) bytes from \(report.source?.absoluteString ?? "?"), digest \(report.digest ?? "?") verified)")
                }
            } catch {
                if live { print("") }
                printError("error: \(error)\n")
                throw ExitCode(1)
            }
        }
    }

    /// Draws a fetch's progress on one redrawn line (on a terminal; nothing in a log). `train`
    /// shows a fetch it starts with the same line.
    static func progressDisplay(live: Bool) -> @Sendable (FetchProgress) -> Void {
        let bar = Mutex(ProgressBar())
        return { event in
            guard live else { return }
            let line: String? = bar.withLock { bar in
                switch event {
                case .downloading(let dataset, _, let bytes, let total):
                    return bar.line(label: "\(dataset): downloading", done: Int(bytes / 1024), total: total.map { Int($0 / 1024) }, unit: " KiB")
                case .verifying(let dataset, let algorithm):
                    return "\r\u{1B}[2K\(dataset): verifying \(algorithm)"
                case .unpacking(let dataset, let entries, let total):
                    return bar.line(label: "\(dataset): unpacking", done: entries, total: total, unit: " files")
                }
            }
            if let line { FileHandle.standardOutput.write(Data(line.utf8)) }
        }
    }
}
