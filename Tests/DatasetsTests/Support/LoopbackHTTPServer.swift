import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 file server on 127.0.0.1 with an ephemeral port, for offline fetch tests.
/// It serves files from `root` with a Content-Length, answers 404 for missing files, and can be told
/// to corrupt a file's bytes, redirect a path, or fail a path with a status.
final class LoopbackHTTPServer: @unchecked Sendable {
    let root: URL
    let port: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var corrupted = Set<String>()
    private var redirects = [String: String]()
    private var failures = [String: Int]()
    private var locations = [String: String]()
    private var streams = [String: Stream]()
    private var served = [String]()
    private let stopped = DispatchSemaphore(value: 0)

    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    init(root: URL) throws {
        self.root = root
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(listener, generic, length) == 0 && listen(listener, 16) == 0
                    && getsockname(listener, generic, &length) == 0
            }
        }
        guard bound else {
            close(listener)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        self.listener = listener
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    /// Serve `name` with its bytes altered (same length), as a tampered mirror would.
    func corrupt(_ name: String) { lock.withLock { _ = corrupted.insert(name) } }

    /// Answer requests for `path` with a 302 to `target` (both absolute paths on this server).
    func redirect(_ path: String, to target: String) { lock.withLock { redirects[path] = target } }

    /// Answer requests for `path` with a 302 to `location`, written as given (any scheme).
    func redirect(_ path: String, toLocation location: String) { lock.withLock { locations[path] = location } }

    /// A body made up as it is sent: `total` zero bytes in pieces of `chunk`, one piece every
    /// `interval` seconds, with `announced` as the Content-Length (none when nil).
    struct Stream {
        var total: Int
        var chunk: Int
        var interval: TimeInterval
        var announced: Int?
    }

    /// Answer requests for `path` with `stream` (a slow or an endless server).
    func stream(_ path: String, _ stream: Stream) { lock.withLock { streams[path] = stream } }

    /// Answer requests for `path` with `status` and no file.
    func fail(_ path: String, status: Int) { lock.withLock { failures[path] = status } }

    /// The paths requested so far, in order.
    var requests: [String] { lock.withLock { served } }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        stopped.wait()
    }

    private func serve() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                break
            }
            handle(connection)
            close(connection)
        }
        stopped.signal()
    }

    private func handle(_ connection: Int32) {
        var request = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !request.ends(with: Array("\r\n\r\n".utf8)) && request.count < 65536 {
            let n = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return }
            request += chunk[0..<n]
        }
        let line = String(decoding: request, as: UTF8.self).split(separator: "\r\n").first ?? ""
        let parts = line.split(separator: " ")
        guard parts.count == 3, parts[0] == "GET" else { return respond(connection, status: 400, body: []) }
        let path = String(parts[1]).removingPercentEncoding ?? String(parts[1])
        let (redirect, failure, corrupt, location, stream) = lock.withLock {
            served.append(path)
            return (redirects[path], failures[path], corrupted.contains(path), locations[path], streams[path])
        }
        if let redirect { return respond(connection, status: 302, body: [], headers: ["Location: \(baseURL)\(redirect)"]) }
        if let location { return respond(connection, status: 302, body: [], headers: ["Location: \(location)"]) }
        if let stream { return sendStream(stream, on: connection) }
        if let failure { return respond(connection, status: failure, body: Array("failed on purpose\n".utf8)) }
        let file = root.appendingPathComponent(String(path.dropFirst()))
        guard !path.contains(".."), var body = try? [UInt8](Data(contentsOf: file)) else {
            return respond(connection, status: 404, body: Array("not found\n".utf8))
        }
        if corrupt {
            for i in stride(from: 0, to: body.count, by: max(1, body.count / 7)) { body[i] ^= 0xa5 }
        }
        respond(connection, status: 200, body: body)
    }

    /// Sends `stream` until it is done or the client hangs up.
    private func sendStream(_ stream: Stream, on connection: Int32) {
        var head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n"
        if let announced = stream.announced { head += "Content-Length: \(announced)\r\n" }
        guard write(Array((head + "\r\n").utf8), to: connection) else { return }
        let piece = [UInt8](repeating: 0, count: stream.chunk)
        var sent = 0
        while sent < stream.total {
            let n = min(stream.chunk, stream.total - sent)
            guard write(Array(piece[0..<n]), to: connection) else { return }
            sent += n
            if stream.interval > 0 { usleep(UInt32(stream.interval * 1_000_000)) }
        }
    }

    /// MSG_NOSIGNAL: a client that hangs up must not kill the test process with SIGPIPE.
    private func write(_ bytes: [UInt8], to connection: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { send(connection, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    private func respond(_ connection: Int32, status: Int, body: [UInt8], headers: [String] = []) {
        let reason = [200: "OK", 302: "Found", 400: "Bad Request", 404: "Not Found"][status] ?? "Error"
        var head = "HTTP/1.1 \(status) \(reason)\r\nContent-Length: \(body.count)\r\n"
        head += "Content-Type: application/octet-stream\r\nConnection: close\r\n"
        for header in headers { head += header + "\r\n" }
        _ = write(Array((head + "\r\n").utf8) + body, to: connection)
    }
}

extension [UInt8] {
    fileprivate func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
