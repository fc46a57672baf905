import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Why a download failed, before the fetcher adds which data set it was for.
enum DownloadFailure: Error, Sendable {
    case http(status: Int)
    case network(reason: String)
    case incomplete(received: Int64, expected: Int64)
    case file(path: String, reason: String)
    /// The body is (or is announced as) larger than `limit`.
    case tooLarge(limit: Int64, announced: Int64?)
    /// Fewer than `minimumRate` bytes a second arrived over the last `seconds`.
    case tooSlow(received: Int64, seconds: Double, minimumRate: Int64)
    /// The whole transfer took longer than `seconds`.
    case deadline(seconds: Double)
    /// A redirect that was not followed: to a URL that is not http(s), or one too many.
    case redirect(target: String, reason: String)
}

/// What a download may cost, checked while it runs: a server that sends too much, too slowly or
/// for too long is cut off with a message saying which, instead of filling the disk or keeping
/// `fetch` waiting for ever (an idle timeout alone lets a server send one byte every 20 s).
public struct DownloadLimits: Sendable, Equatable {
    /// The most bytes accepted. The fetcher sets it from the catalogue's size of the file.
    public var maxBytes: Int64
    /// Bytes a second that must arrive on average over every `rateWindow` seconds (which also
    /// bounds how long a server may send nothing at all).
    public var minimumRate: Int64
    public var rateWindow: TimeInterval
    /// Seconds the whole transfer may take.
    public var deadline: TimeInterval
    /// Seconds to connect.
    public var connectTimeout: TimeInterval

    public init(maxBytes: Int64, minimumRate: Int64 = 8 << 10, rateWindow: TimeInterval = 30, deadline: TimeInterval? = nil,
                connectTimeout: TimeInterval = 30) {
        self.maxBytes = maxBytes
        self.minimumRate = minimumRate
        self.rateWindow = rateWindow
        // By default: time for the largest accepted body at the minimum rate, and a minute more.
        self.deadline = deadline ?? 60 + Double(maxBytes) / Double(max(minimumRate, 1))
        self.connectTimeout = connectTimeout
    }

    /// The limits for a file the catalogue says is `size` bytes: that plus a quarter and a MiB,
    /// since not every mirror's exact size is published.
    public static func forFile(ofSize size: Int64) -> DownloadLimits {
        DownloadLimits(maxBytes: size + size / 4 + (1 << 20))
    }
}

/// Downloads one http(s) URL into a file with libcurl, following http(s) redirects only, and
/// reporting (bytes so far, total if the server said) as the data arrives.
struct HTTPDownloader: Sendable {
    var limits: DownloadLimits

    func download(_ url: URL, to file: URL,
                  progress: @escaping @Sendable (Int64, Int64?) -> Void) throws(DownloadFailure) -> Int64 {
        guard let curl = Curl.shared else {
            throw .network(reason: "libcurl (libcurl.so.4) is not installed; install the libcurl4 package")
        }
        let fd = open(file.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .file(path: file.path, reason: "cannot create the download file: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard let handle = curl.makeHandle() else { throw .network(reason: "libcurl could not start a transfer") }
        defer { curl.cleanup(handle) }

        let transfer = Transfer(curl: curl, handle: handle, fd: fd, path: file.path, limits: limits, progress: progress)
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        let code = withExtendedLifetime(transfer) { () -> Int32 in
            // libcurl copies string options.
            _ = url.absoluteString.withCString { curl.set(handle, .url, UnsafeRawPointer($0)) }
            _ = "specrun/0.1 (libcurl)".withCString { curl.set(handle, .userAgent, UnsafeRawPointer($0)) }
            curl.set(handle, .noSignal, 1)
            curl.set(handle, .protocols, Curl.httpProtocols)
            curl.set(handle, .redirectProtocols, Curl.httpProtocols)
            curl.set(handle, .followLocation, 1)
            curl.set(handle, .maxRedirects, 10)
            curl.set(handle, .connectTimeoutMilliseconds, Int(limits.connectTimeout * 1000))
            curl.set(handle, .writeFunction, Transfer.write)
            curl.set(handle, .writeData, UnsafeRawPointer(context))
            curl.set(handle, .headerFunction, Transfer.header)
            curl.set(handle, .headerData, UnsafeRawPointer(context))
            curl.set(handle, .progressFunction, Transfer.check)
            curl.set(handle, .progressData, UnsafeRawPointer(context))
            curl.set(handle, .noProgress, 0)
            return curl.perform(handle)
        }
        if let failure = transfer.failure { throw failure }
        switch code {
        case Curl.Code.ok:
            break
        case Curl.Code.unsupportedProtocol where transfer.location != nil:
            throw .redirect(target: transfer.location!, reason: "not an http(s) URL")
        case Curl.Code.tooManyRedirects:
            throw .redirect(target: transfer.location ?? "?", reason: "one redirect more than the 10 followed")
        case Curl.Code.partialFile:
            throw .incomplete(received: transfer.received, expected: transfer.expected ?? transfer.received)
        default:
            throw .network(reason: curl.text(code))
        }
        let status = curl.info(handle, .responseCode)
        guard (200..<300).contains(status) else { throw .http(status: status) }
        if let expected = transfer.expected, transfer.received != expected {
            throw .incomplete(received: transfer.received, expected: expected)
        }
        return transfer.received
    }
}

/// One transfer's state, touched only by libcurl's callbacks on the downloading thread.
private final class Transfer {
    let curl: Curl
    let handle: Curl.Handle
    let fd: Int32
    let path: String
    let limits: DownloadLimits
    let progress: @Sendable (Int64, Int64?) -> Void
    let start = ProcessInfo.processInfo.systemUptime

    var received: Int64 = 0
    var expected: Int64?
    var failure: DownloadFailure?
    /// The last `Location` header, to name where a refused redirect pointed.
    var location: String?
    private var started = false
    private var windowStart: Double
    private var windowBytes: Int64 = 0

    init(curl: Curl, handle: Curl.Handle, fd: Int32, path: String, limits: DownloadLimits, progress: @escaping @Sendable (Int64, Int64?) -> Void) {
        self.curl = curl
        self.handle = handle
        self.fd = fd
        self.path = path
        self.limits = limits
        self.progress = progress
        windowStart = start
    }

    /// Returns the number of bytes taken; anything else makes libcurl stop the transfer.
    static let write: Curl.WriteCallback = { data, size, count, context in
        let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
        return transfer.take(UnsafeRawBufferPointer(start: data, count: size * count)) ? size * count : 0
    }

    static let header: Curl.WriteCallback = { data, size, count, context in
        let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
        let line = String(decoding: UnsafeRawBufferPointer(start: data, count: size * count), as: UTF8.self)
        if line.lowercased().hasPrefix("location:") {
            transfer.location = String(line.dropFirst("location:".count)).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return size * count
    }

    /// Called by libcurl at least once a second: the deadline and the rate. Non-zero stops it.
    static let check: Curl.ProgressCallback = { context, _, _, _, _ in
        let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
        return transfer.withinLimits() ? 0 : 1
    }

    private func take(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if !started {
            // The first body bytes: the status and the announced length are known by now.
            started = true
            let status = curl.info(handle, .responseCode)
            guard (200..<300).contains(status) else { return fail(.http(status: status)) }
            let length = Int64(curl.info(handle, .contentLength))
            if length >= 0 {
                guard length <= limits.maxBytes else { return fail(.tooLarge(limit: limits.maxBytes, announced: length)) }
                expected = length
            }
        }
        // Checked before writing: what is past the limit never reaches the disk.
        guard received + Int64(bytes.count) <= limits.maxBytes else { return fail(.tooLarge(limit: limits.maxBytes, announced: nil)) }
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return fail(.file(path: path, reason: String(cString: strerror(errno)))) }
            done += n
        }
        received += Int64(bytes.count)
        progress(received, expected)
        return true
    }

    private func withinLimits() -> Bool {
        guard failure == nil else { return false }
        let now = ProcessInfo.processInfo.systemUptime
        if now - start > limits.deadline { return fail(.deadline(seconds: limits.deadline)) }
        let window = now - windowStart
        if window >= limits.rateWindow {
            let got = received - windowBytes
            if Double(got) < Double(limits.minimumRate) * window {
                return fail(.tooSlow(received: got, seconds: window, minimumRate: limits.minimumRate))
            }
            (windowStart, windowBytes) = (now, received)
        }
        return true
    }

    private func fail(_ failure: DownloadFailure) -> Bool {
        if self.failure == nil { self.failure = failure }
        return false
    }
}
