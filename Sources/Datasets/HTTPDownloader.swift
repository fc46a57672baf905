import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Why a download failed, before the fetcher adds which data set it was for.
enum DownloadFailure: Error, Sendable {
    case http(status: Int)
    case network(reason: String)
    case incomplete(received: Int64, expected: Int64)
    case file(path: String, reason: String)
}

/// Downloads one URL into a file with URLSession (libcurl on Linux), following redirects and
/// reporting (bytes so far, total if the server said) as the data arrives.
struct HTTPDownloader: Sendable {
    var idleTimeout: TimeInterval = 60

    func download(_ url: URL, to file: URL,
                  progress: @escaping @Sendable (Int64, Int64?) -> Void) throws(DownloadFailure) -> Int64 {
        guard FileManager.default.createFile(atPath: file.path, contents: nil),
              let handle = try? FileHandle(forWritingTo: file) else {
            throw .file(path: file.path, reason: "cannot create the download file")
        }
        let delegate = DownloadDelegate(handle: handle, path: file.path, progress: progress)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = idleTimeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: queue)
        session.dataTask(with: url).resume()
        delegate.finished.wait()
        // The session keeps its delegate alive until invalidated.
        session.finishTasksAndInvalidate()
        try? handle.close()
        if let failure = delegate.failure { throw failure }
        if let expected = delegate.expected, delegate.received != expected {
            throw .incomplete(received: delegate.received, expected: expected)
        }
        return delegate.received
    }
}

/// Session callbacks for one transfer. Its state is touched only on the session's serial delegate
/// queue until `finished` is signalled, and read by the waiting caller only after that, which is
/// why it can be `@unchecked Sendable`.
private final class DownloadDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let handle: FileHandle
    let path: String
    let progress: @Sendable (Int64, Int64?) -> Void
    let finished = DispatchSemaphore(value: 0)
    var received: Int64 = 0
    var expected: Int64?
    var failure: DownloadFailure?

    init(handle: FileHandle, path: String, progress: @escaping @Sendable (Int64, Int64?) -> Void) {
        self.handle = handle
        self.path = path
        self.progress = progress
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        let status = (response as? HTTPURLResponse)?.statusCode ?? 200
        guard (200..<300).contains(status) else {
            failure = .http(status: status)
            completionHandler(.cancel)
            return
        }
        expected = response.expectedContentLength >= 0 ? response.expectedContentLength : nil
        progress(0, expected)
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard failure == nil else { return }
        do {
            try handle.write(contentsOf: data)
        } catch {
            failure = .file(path: path, reason: error.localizedDescription)
            dataTask.cancel()
            return
        }
        received += Int64(data.count)
        progress(received, expected)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        if failure == nil, let error {
            failure = .network(reason: error.localizedDescription)
        }
        finished.signal()
    }
}
