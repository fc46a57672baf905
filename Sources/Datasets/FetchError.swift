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
    /// The server sent, or announced, more than the data set can be.
    case tooLarge(dataset: String, url: URL, limit: Int64, announced: Int64?)
    /// Data arrived slower than the minimum rate.
    case tooSlow(dataset: String, url: URL, received: Int64, seconds: Double, minimumRate: Int64)
    case deadline(dataset: String, url: URL, seconds: Double)
    /// A redirect that is not followed: to a non-http(s) URL, or too many.
    case redirect(dataset: String, url: URL, target: String, reason: String)
    /// Every mirror failed; the first failure is the primary mirror's.
    case mirrorsFailed(dataset: String, failures: [FetchError])
    /// The file named by SPECRUN_FETCH_CATALOGUE cannot be used.
    case catalogueFile(path: String, reason: String)

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
        case .tooLarge(let dataset, let url, let limit, let announced):
            "fetch \(dataset): \(url.absoluteString) " + (announced.map { "announces \($0) bytes" } ?? "sent more than \(limit) bytes")
                + ", more than this data set can be (at most \(limit)); the download was stopped and deleted"
        case .tooSlow(let dataset, let url, let received, let seconds, let rate):
            "fetch \(dataset): \(url.absoluteString) sent \(received) bytes in \(Int(seconds.rounded())) s, slower than the minimum \(rate) bytes/s; "
                + "stopped; try again later or another mirror (--base-url)"
        case .deadline(let dataset, let url, let seconds):
            "fetch \(dataset): downloading \(url.absoluteString) took longer than \(Int(seconds.rounded())) s; stopped; try again later"
        case .redirect(let dataset, let url, let target, let reason):
            "fetch \(dataset): \(url.absoluteString) redirects to \(Self.shortened(target)), which is \(reason); not followed"
        case .mirrorsFailed(let dataset, let failures):
            "fetch \(dataset): every mirror failed: "
                + failures.map { $0.description.replacingOccurrences(of: "fetch \(dataset): ", with: "") }
                .joined(separator: " | ")
        case .catalogueFile(let path, let reason):
            "fetch: \(path) (from \(Catalogue.fileEnvironmentVariable)): \(reason)"
        }
    }
}

extension FetchError {
    /// A URL a server chose, cut to a length a one-line message can carry.
    static func shortened(_ text: String) -> String {
        text.count > 120 ? String(text.prefix(120)) + "... (\(text.utf8.count) bytes)" : text
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
