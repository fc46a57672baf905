import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Whole files read with POSIX calls, for the run's own files and the weights a user names: a
/// failure reads as the system's reason (`Is a directory`) rather than Foundation's
/// "NSCocoaErrorDomain error 256", and anything but a regular file (a FIFO, `/dev/zero`) is
/// refused instead of waited on or read without end.
public enum FileContents {
    public static func read(_ url: URL) throws(FileError) -> Data {
        let path = url.path
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw FileError(path: path, reason: "cannot read: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileError(path: path, reason: "cannot read: \(String(cString: strerror(errno)))") }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw FileError(path: path, reason: "is a folder, expected a file")
        default: throw FileError(path: path, reason: "is not a regular file")
        }
        var data = Data(count: Int(info.st_size))
        var done = 0
        var failure: Int32 = 0
        data.withUnsafeMutableBytes { raw in
            while done < raw.count {
                let n = Glibc.read(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 && errno == EINTR { continue }
                if n < 0 { failure = errno; return }
                if n == 0 { return }  // the file shrank meanwhile
                done += n
            }
        }
        guard failure == 0 else { throw FileError(path: path, reason: "cannot read: \(String(cString: strerror(failure)))") }
        if done < data.count { data.count = done }
        return data
    }
}
