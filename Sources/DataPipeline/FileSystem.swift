#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The few file operations the pipeline needs, on POSIX calls so that every failure becomes a
/// `DataError` naming the path and the system's reason.
enum FileSystem {
    enum Kind { case file, directory, other }

    /// What `path` is (following symbolic links), or nil when nothing is there.
    static func kind(of path: String) -> Kind? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .file
        default: return .other
        }
    }

    /// The names in a directory, hidden ones (starting with ".") left out, sorted by their UTF-8
    /// bytes: the order Python's `sorted(os.listdir(...))` gives, which the reference numbers
    /// classes by.
    static func list(_ directory: String) throws(DataError) -> [String] {
        guard let handle = opendir(directory) else { throw systemError("cannot list the folder", directory) }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if !name.hasPrefix(".") { names.append(name) }
        }
        return names.sorted(by: utf8Order)
    }

    /// The whole file, refused unread when it is larger than `maxBytes`.
    static func contents(of path: String, maxBytes: Int = .max) throws(DataError) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw systemError("cannot open", path) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw systemError("cannot read", path) }
        guard info.st_mode & S_IFMT != S_IFDIR else { throw DataError("is a folder, expected a file", path: path) }
        guard Int(info.st_size) <= maxBytes else {
            throw DataError("is \(info.st_size) bytes, more than the \(maxBytes) this kind of file may have", path: path)
        }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw systemError("cannot read", path) }
            if n == 0 { bytes.removeLast(bytes.count - done); break }  // the file shrank meanwhile
            done += n
        }
        return bytes
    }

    /// Writes `bytes` to a temporary name beside `path`, then renames it over `path`, so a reader
    /// never sees a half-written file.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(DataError) {
        let temporary = path + ".partial-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw systemError("cannot create", temporary) }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let error = systemError("cannot write", temporary)
                close(fd)
                unlink(temporary)
                throw error
            }
            done += n
        }
        guard close(fd) == 0, rename(temporary, path) == 0 else {
            let error = systemError("cannot write", path)
            unlink(temporary)
            throw error
        }
    }

    /// Whether a relative path climbs above where it starts (`../x`, `a/../../x`), by its text:
    /// a symbolic link inside the root is followed wherever it points, as the user made it.
    static func leavesRoot(_ relative: String) -> Bool {
        var depth = 0
        for part in relative.split(separator: "/") {
            if part == ".." { depth -= 1 } else if part != "." { depth += 1 }
            if depth < 0 { return true }
        }
        return false
    }

    /// `directory/name`, without doubling a trailing slash.
    static func join(_ directory: String, _ name: String) -> String {
        if directory.isEmpty || name.hasPrefix("/") { return name }
        return directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    private static func systemError(_ what: String, _ path: String) -> DataError {
        DataError("\(what): \(String(cString: strerror(errno)))", path: path)
    }
}

/// Orders strings by their UTF-8 bytes, which is Unicode code point order (Python's str order).
func utf8Order(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
