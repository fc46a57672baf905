import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on a run folder, held from the moment a run takes the folder until the run
/// ends (the process exits or the lock is released): two processes writing one folder would mix
/// their weights, metrics and checkpoints, and one of them would report the other's files.
///
/// It is `flock` on `<run>/.specrun-lock`, which holds the owner's process id so that a refused
/// run can say who has the folder. The kernel drops the lock when its holder dies, however it
/// dies, so a crashed run never leaves a folder locked; the file itself stays (removing it would
/// let a third process lock a new file while a second still waits on the old one).
final class RunLock {
    static let fileName = ".specrun-lock"

    private let descriptor: Int32

    /// Takes the lock on `folder`, or throws at once naming the process that holds it; `advice`
    /// ends that message (what the refused run can do instead).
    init(folder: URL, advice: String) throws(RunError) {
        let path = folder.appendingPathComponent(Self.fileName).path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw RunError(.file, "\(path): cannot create the run folder's lock file: \(String(cString: strerror(errno)))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let reason = errno
            if reason == EWOULDBLOCK {
                let holder = Self.holder(fd)
                close(fd)
                throw RunError(.file, "\(folder.path): in use by another specrun run (\(holder.map { "pid \($0)" } ?? "pid unknown")); "
                               + advice)
            }
            // A file system without locks (some network mounts): run unlocked rather than not at all.
            guard reason == ENOLCK || reason == EOPNOTSUPP || reason == ENOSYS else {
                close(fd)
                throw RunError(.file, "\(path): cannot lock the run folder: \(String(cString: strerror(reason)))")
            }
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// The process id the holder wrote; it writes it just after locking, so a reader that comes in
    /// between waits a little for it.
    private static func holder(_ fd: Int32) -> Int32? {
        for _ in 0..<20 {
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
            if n > 0, let pid = Int32(String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) {
                return pid
            }
            usleep(10_000)
        }
        return nil
    }
}
