import Foundation

/// Downloads a catalogue data set, verifies its checksum and installs it under the data root.
///
/// Everything happens in a work folder inside the data root (`.specrun-fetch/`), and the result is
/// renamed into place only once it is complete, so a failure or Ctrl-C never leaves a half-written
/// data set where specs look.
public struct Fetcher: Sendable {
    /// Overrides every mirror's base URL when set; the flag value given to `baseURL(flag:environment:)` wins.
    public static let baseURLEnvironmentVariable = "SPECRUN_FETCH_BASE_URL"
    static let workFolderName = ".specrun-fetch"

    public var dataRoot: URL
    /// When set, every data set's file is fetched from here instead of its mirrors (same file name).
    public var baseURL: URL?
    public var catalogue: Catalogue
    public var limits: UnpackLimits
    /// What downloading an entry may cost; by default from the catalogue's size of its file.
    public var downloadLimits: @Sendable (DatasetEntry) -> DownloadLimits
    public var progress: @Sendable (FetchProgress) -> Void

    public init(dataRoot: URL, baseURL: URL? = nil, catalogue: Catalogue = .standard,
                limits: UnpackLimits = UnpackLimits(),
                downloadLimits: @escaping @Sendable (DatasetEntry) -> DownloadLimits = { .forFile(ofSize: $0.size) },
                progress: @escaping @Sendable (FetchProgress) -> Void = { _ in }) {
        self.dataRoot = dataRoot.standardizedFileURL
        self.baseURL = baseURL
        self.catalogue = catalogue
        self.limits = limits
        self.downloadLimits = downloadLimits
        self.progress = progress
    }

    /// The base URL override: the `--base-url` flag value if given, else `SPECRUN_FETCH_BASE_URL`
    /// from `environment`, else nil (use the catalogue's mirrors). Only http(s) URLs are accepted.
    public static func baseURL(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(FetchError) -> URL? {
        let value: String, source: String
        if let flag, !flag.isEmpty {
            (value, source) = (flag, "--base-url")
        } else if let variable = environment[baseURLEnvironmentVariable], !variable.isEmpty {
            (value, source) = (variable, baseURLEnvironmentVariable)
        } else {
            return nil
        }
        guard let url = URL(string: value), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
              url.host != nil else { throw .invalidBaseURL(value: value, source: source) }
        return url
    }

    /// Where `entry` is installed: the folder or file the specs read.
    public func path(of entry: DatasetEntry) -> URL {
        dataRoot.appendingPathComponent(entry.install.destination)
    }

    /// Whether `entry` is in place. Data sets are renamed into place only when complete, so being
    /// there means being whole.
    public func isInstalled(_ entry: DatasetEntry) -> Bool {
        FileManager.default.fileExists(atPath: path(of: entry).path)
    }

    /// Fetches the data set called `name`: skipped if already installed unless `force`; otherwise
    /// downloaded (mirrors in order), verified, and installed, replacing an old copy only at the end.
    public func fetch(_ name: String, force: Bool = false) throws(FetchError) -> FetchReport {
        guard let entry = catalogue.entry(named: name) else {
            throw .unknownDataset(name: name, known: catalogue.names)
        }
        let destination = path(of: entry)
        if isInstalled(entry) && !force {
            return FetchReport(dataset: name, outcome: .alreadyPresent, path: destination, source: nil,
                               downloadedBytes: 0, digest: nil, filesInstalled: 0)
        }
        // Folders this fetch creates on the way to the data root are removed again if it fails,
        // so that a failed or cut-off download leaves the data root as it was.
        let created = missingFolders(upTo: dataRoot)
        let work = try makeWorkFolder(for: entry)
        var installed = false
        defer {
            removeWorkFolder(work)
            if !installed { removeEmpty(created) }
        }
        let download = try downloadVerified(entry, into: work)
        let files = try install(entry, from: download, work: work, at: destination)
        installed = true
        return FetchReport(dataset: name, outcome: .installed, path: destination, source: download.url,
                           downloadedBytes: download.bytes, digest: download.digest, filesInstalled: files)
    }

    /// `folder` and its ancestors that do not exist yet, deepest first.
    private func missingFolders(upTo folder: URL) -> [URL] {
        var missing: [URL] = []
        var current = folder
        while !FileManager.default.fileExists(atPath: current.path), current.path != "/" {
            missing.append(current)
            current = current.deletingLastPathComponent()
        }
        return missing
    }

    /// Removes each folder that is empty, deepest first.
    private func removeEmpty(_ folders: [URL]) {
        for folder in folders where (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.isEmpty == true {
            try? FileManager.default.removeItem(at: folder)
        }
    }

    struct VerifiedDownload {
        var url: URL
        var file: URL
        var bytes: Int64
        var digest: String
    }

    /// Tries each URL in turn until one yields a file with the expected digest. A file that fails
    /// is deleted before the next URL is tried.
    private func downloadVerified(_ entry: DatasetEntry, into work: URL) throws(FetchError) -> VerifiedDownload {
        let file = work.appendingPathComponent(entry.fileName)
        var failures = [FetchError]()
        for url in entry.urls(baseURL: baseURL) {
            let name = entry.name, report = progress
            let bytes: Int64
            do {
                bytes = try HTTPDownloader(limits: downloadLimits(entry)).download(url, to: file) { received, total in
                    report(.downloading(dataset: name, url: url, bytes: received, totalBytes: total))
                }
            } catch {
                try? FileManager.default.removeItem(at: file)
                failures.append(Self.fetchError(error, dataset: name, url: url))
                continue
            }
            progress(.verifying(dataset: name, algorithm: entry.checksum.algorithm))
            let actual: String
            do { actual = try entry.checksum.digest(ofFileAt: file) } catch {
                throw .io(dataset: name, path: file.path, reason: "cannot read the download: \(SystemText.reason(error))")
            }
            if actual == entry.checksum.expected {
                return VerifiedDownload(url: url, file: file, bytes: bytes, digest: actual)
            }
            try? FileManager.default.removeItem(at: file)
            failures.append(.checksumMismatch(dataset: name, url: url, algorithm: entry.checksum.algorithm,
                                              expected: entry.checksum.expected, actual: actual))
        }
        throw failures.count == 1 ? failures[0] : .mirrorsFailed(dataset: entry.name, failures: failures)
    }

    private static func fetchError(_ failure: DownloadFailure, dataset: String, url: URL) -> FetchError {
        switch failure {
        case .http(let status): .http(dataset: dataset, url: url, status: status)
        case .network(let reason): .network(dataset: dataset, url: url, reason: reason)
        case .incomplete(let received, let expected):
            .incomplete(dataset: dataset, url: url, received: received, expected: expected)
        case .file(let path, let reason): .io(dataset: dataset, path: path, reason: reason)
        case .tooLarge(let limit, let announced): .tooLarge(dataset: dataset, url: url, limit: limit, announced: announced)
        case .tooSlow(let received, let seconds, let rate):
            .tooSlow(dataset: dataset, url: url, received: received, seconds: seconds, minimumRate: rate)
        case .deadline(let seconds): .deadline(dataset: dataset, url: url, seconds: seconds)
        case .redirect(let target, let reason): .redirect(dataset: dataset, url: url, target: target, reason: reason)
        }
    }
}
