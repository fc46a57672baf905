import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Writes files so that a reader never sees a torn one: the bytes go to a temporary file in the
/// same directory, are flushed to disk, and the temporary is renamed over the target (rename is
/// atomic on POSIX file systems). A crash or Ctrl-C at any point leaves either the old file or
/// the new one, plus at worst a stray `.tmp-*` file.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws(FileError) {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".tmp-\(url.lastPathComponent)-\(getpid())")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError(path: url.path, reason: String(cString: strerror(errno))) }
        var failure: String?
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno)); return
                }
                offset += n
            }
        }
        if failure == nil && fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if failure == nil && rename(temporary.path, url.path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary.path)
            throw FileError(path: url.path, reason: failure)
        }
    }

    public static func write(_ text: String, to url: URL) throws(FileError) {
        try write(Data(text.utf8), to: url)
    }
}

/// A file could not be read or written; the message names the file.
public struct FileError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "\(path): \(reason)" }
}
