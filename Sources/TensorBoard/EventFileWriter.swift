import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Appends events to a new event file in `folder`, named as TensorFlow and PyTorch name theirs
/// (`events.out.tfevents.<seconds>.<host>.<pid>.0`) so that `tensorboard --logdir` finds it.
///
/// A run resumed from a checkpoint at step N trains steps N+1... again. So that no reader shows
/// those steps twice, the first append (1) rewrites the folder's older files without their events
/// after step N (deleting a file left with none at a step of 1 or more), and (2) starts the new
/// file, after the version record, with `SessionLog.START` at step N+1, which tells a TensorBoard
/// that already loaded the old files to drop what it holds from N+1 on, as PyTorch's
/// `SummaryWriter(purge_step=N+1)` does. Nothing is written before the first append, so a run
/// that stops before its first epoch leaves the folder as it was.
public final class EventFileWriter {
    public let folder: URL
    /// The file written, once the first events are.
    public private(set) var file: URL?
    private let resumedAfter: Int64
    private let hostname: String

    /// A writer for `folder` (created when missing); `resumedAfter` is the last step kept from
    /// earlier files (0 for a new run).
    public init(folder: URL, resumedAfter step: Int64 = 0, hostname: String = EventFileWriter.hostname()) {
        self.folder = folder
        self.resumedAfter = step
        self.hostname = hostname.isEmpty ? "localhost" : hostname
    }

    /// Appends the events and flushes them to disk.
    public func append(_ events: [Event]) throws(EventFileError) {
        var bytes: [UInt8] = []
        if file == nil {
            let now = Date().timeIntervalSince1970
            try makeFolder()
            try Self.trim(folder, keepingStepsThrough: resumedAfter)
            file = folder.appendingPathComponent(Self.fileName(after: Self.eventFiles(in: folder), now: now, hostname: hostname))
            bytes += TFRecord.frame(Event(wallTime: now, step: 0, content: .fileVersion(Event.fileVersion)).encoded())
            if resumedAfter > 0 {
                bytes += TFRecord.frame(Event(wallTime: now, step: resumedAfter + 1, content: .sessionStart).encoded())
            }
        }
        for event in events { bytes += TFRecord.frame(event.encoded()) }
        try Self.appendBytes(bytes, to: file!)
    }

    /// The event files of a folder, in the order TensorBoard reads them (by name).
    public static func eventFiles(in folder: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.contains("tfevents") && !$0.hasPrefix(".") }.sorted()
    }

    /// A name that sorts after every existing file: TensorBoard reads a folder's files in name
    /// order, and a file resumed within the same second as the last must still come after it.
    public static func fileName(after existing: [String], now: Double, hostname: String) -> String {
        var seconds = Int(now)
        let latest = existing.compactMap { name -> Int? in
            guard let range = name.range(of: "tfevents.") else { return nil }
            return Int(name[range.upperBound...].prefix { $0.isNumber })
        }.max()
        if let latest, latest >= seconds { seconds = latest + 1 }
        return "events.out.tfevents.\(String(format: "%010d", seconds)).\(hostname).\(getpid()).0"
    }

    /// Rewrites each event file of `folder` without the events after `step`, and without a torn
    /// last record; deletes files that keep no event at a step of 1 or more.
    public static func trim(_ folder: URL, keepingStepsThrough step: Int64) throws(EventFileError) {
        for name in eventFiles(in: folder) {
            let url = folder.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw EventFileError(path: url.path, reason: "cannot read the event file")
            }
            let bytes = [UInt8](data)
            let (records, good, _) = TFRecord.records(in: bytes)
            let kept = records.filter { ((try? Event.step(of: $0)) ?? .max) <= step }
            if kept.count == records.count && good == bytes.count { continue }
            if !kept.contains(where: { ((try? Event.step(of: $0)) ?? 0) >= 1 }) {
                do { try FileManager.default.removeItem(at: url) } catch {
                    throw EventFileError(path: url.path, reason: "cannot delete the emptied event file: \(error.localizedDescription)")
                }
                continue
            }
            try replace(url, with: kept.flatMap(TFRecord.frame))
        }
    }

    private func makeFolder() throws(EventFileError) {
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw EventFileError(path: folder.path, reason: "cannot create the folder: \(error.localizedDescription)")
        }
    }

    private static func appendBytes(_ bytes: [UInt8], to url: URL) throws(EventFileError) {
        do {
            if !FileManager.default.fileExists(atPath: url.path) { try Data().write(to: url) }
            let handle = try FileHandle(forWritingTo: url)
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: bytes)
            try handle.synchronize()
        } catch {
            throw EventFileError(path: url.path, reason: error.localizedDescription)
        }
    }

    /// Replaces `url` through a temporary file and a rename, so a crash leaves the old file or the new.
    private static func replace(_ url: URL, with bytes: [UInt8]) throws(EventFileError) {
        do { try Data(bytes).write(to: url, options: .atomic) } catch {
            throw EventFileError(path: url.path, reason: error.localizedDescription)
        }
    }

    /// This machine's name, as event file names carry it.
    public static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// An event file or its folder could not be read or written: `<path>: <what went wrong>`.
public struct EventFileError: Error, CustomStringConvertible {
    public let description: String
    init(path: String, reason: String) { description = "\(path): \(reason)" }
}
