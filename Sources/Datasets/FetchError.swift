import Foundation

/// Why `specrun fetch` failed: one line that names the data set, the URL or path, and what to do.
public enum FetchError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownDataset(name: String, known: [String])
    /// A base URL override (from `source`: the flag or the environment variable) that is not http(s).
    case invalidBaseURL(value: String, source: String)
    case http(dataset: String, url: URL, status: Int)
    case network(dataset: String, url: URL, reason: String)
    case incomplete(dataset: String, url: URL, received: Int64, expected: Int64)
    /// The download was deleted.
    case checksumMismatch(dataset: String, url: URL, algorithm: String, expected: String, actual: String)
    /// The archive was refused; nothing was installed.
    case archive(dataset: String, url: URL, ZipError)
    /// The archive unpacked but lacks the folder the specs expect.
    case layout(dataset: String, url: URL, missing: String)
    case io(dataset: String, path: String, reason: String)
    /// Every mirror failed; the first failure is the primary mirror's.
    case mirrorsFailed(dataset: String, failures: [FetchError])

    public var description: String {
        switch self {
        case .unknownDataset(let name, let known):
            "fetch: unknown data set '\(name)'; known: \(known.joined(separator: ", ")) (see specrun fetch --list)"
        case .invalidBaseURL(let value, let source):
            "fetch: base URL '\(value)' from \(source) is not an http(s) URL; give one like http://127.0.0.1:8000/files"
        case .http(let dataset, let url, let status):
            "fetch \(dataset): HTTP \(status) from \(url.absoluteString); check the URL or base URL, or try again later"
        case .network(let dataset, let url, let reason):
            "fetch \(dataset): cannot download \(url.absoluteString): \(reason); check the network and try again"
        case .incomplete(let dataset, let url, let received, let expected):
            "fetch \(dataset): download from \(url.absoluteString) stopped at \(received) of \(expected) bytes; try again"
        case .checksumMismatch(let dataset, let url, let algorithm, let expected, let actual):
            "fetch \(dataset): \(algorithm) of \(url.absoluteString) is \(actual), expected \(expected); "
                + "the download was deleted; the mirror may have changed or been tampered with"
        case .archive(let dataset, let url, let error):
            "fetch \(dataset): refused the archive from \(url.absoluteString): \(error); nothing was installed"
        case .layout(let dataset, let url, let missing):
            "fetch \(dataset): the archive from \(url.absoluteString) has no '\(missing)' folder; nothing was installed"
        case .io(let dataset, let path, let reason):
            "fetch \(dataset): \(path): \(reason); check the data root is writable"
        case .mirrorsFailed(let dataset, let failures):
            "fetch \(dataset): every mirror failed: "
                + failures.map { $0.description.replacingOccurrences(of: "fetch \(dataset): ", with: "") }
                .joined(separator: " | ")
        }
    }
}

/// What a fetch is doing, for a progress bar.
public enum FetchProgress: Sendable, Equatable {
    /// Bytes received so far, and the total when the server sent a Content-Length.
    case downloading(dataset: String, url: URL, bytes: Int64, totalBytes: Int64?)
    case verifying(dataset: String, algorithm: String)
    /// Archive entries unpacked so far, of the total.
    case unpacking(dataset: String, entries: Int, totalEntries: Int)
}

/// What a fetch did.
public struct FetchReport: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case installed
        /// The data set was already in place and `force` was not given; nothing was downloaded.
        case alreadyPresent
    }

    public var dataset: String
    public var outcome: Outcome
    /// Where the data set is: the folder or file the specs read.
    public var path: URL
    /// The URL the verified file came from; nil when nothing was downloaded.
    public var source: URL?
    public var downloadedBytes: Int64
    /// The verified digest, lower-case hex; nil when nothing was downloaded.
    public var digest: String?
    /// Files placed under the data root (1 for a single file, the entry count for an archive).
    public var filesInstalled: Int
}
