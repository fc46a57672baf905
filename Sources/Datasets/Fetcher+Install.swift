import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Fetcher {
    /// Stages the verified download as the finished data set inside `work`, then renames it into
    /// place. Returns the number of files installed.
    func install(_ entry: DatasetEntry, from download: VerifiedDownload, work: URL,
                 at destination: URL) throws(FetchError) -> Int {
        switch entry.install {
        case .file:
            var staged = download.file
            if entry.checksum.normalisesLineEndings {
                staged = work.appendingPathComponent("normalised")
                do {
                    let text = Checksum.normalisingLineEndings(Array(try Data(contentsOf: download.file)))
                    try Data(text).write(to: staged)
                } catch {
                    throw .io(dataset: entry.name, path: staged.path, reason: SystemText.reason(error))
                }
            }
            try moveIntoPlace(staged, at: destination, work: work, dataset: entry.name)
            return 1
        case .zipFolder(let folder, _, let only):
            let unpacked = work.appendingPathComponent("unpacked")
            let archive: ZipArchive
            do {
                archive = try ZipArchive(contentsOf: download.file)
                _ = try archive.extract(into: unpacked, limits: limits) { done, total in
                    progress(.unpacking(dataset: entry.name, entries: done, totalEntries: total))
                }
            } catch {
                throw .archive(dataset: entry.name, url: download.url, error)
            }
            // The archive is no longer needed; free its space before the data set lands.
            try? FileManager.default.removeItem(at: download.file)
            var isDirectory: ObjCBool = false
            let top = unpacked.appendingPathComponent(folder)
            guard FileManager.default.fileExists(atPath: top.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw .layout(dataset: entry.name, url: download.url, missing: folder + "/")
            }
            if let only { try keep(only, in: top, folder: folder, entry: entry, url: download.url) }
            try moveIntoPlace(top, at: destination, work: work, dataset: entry.name)
            return archive.entries.filter { entry in
                !entry.isDirectory && entry.components.first == folder && (only.map { $0.contains(entry.components.dropFirst().first ?? "") } ?? true)
            }.count
        }
    }

    /// Removes every folder in `top` but `kept` (a subset of a data set), after checking that each
    /// of those is there.
    private func keep(_ kept: [String], in top: URL, folder: String, entry: DatasetEntry, url: URL) throws(FetchError) {
        let manager = FileManager.default
        for name in kept where !manager.fileExists(atPath: top.appendingPathComponent(name).path) {
            throw .layout(dataset: entry.name, url: url, missing: folder + "/" + name + "/")
        }
        do {
            for name in try manager.contentsOfDirectory(atPath: top.path) where !kept.contains(name) {
                try manager.removeItem(at: top.appendingPathComponent(name))
            }
        } catch {
            throw .io(dataset: entry.name, path: top.path, reason: SystemText.reason(error))
        }
    }

    /// Renames `staged` to `destination`. An existing copy (a forced re-fetch) is first moved into
    /// the work folder and restored if the rename fails, so the old data set is never lost half-way.
    private func moveIntoPlace(_ staged: URL, at destination: URL, work: URL, dataset: String) throws(FetchError) {
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw .io(dataset: dataset, path: destination.deletingLastPathComponent().path, reason: SystemText.reason(error))
        }
        let replaced = work.appendingPathComponent("replaced")
        let hadOld = manager.fileExists(atPath: destination.path)
        if hadOld {
            do { try manager.moveItem(at: destination, to: replaced) } catch {
                throw .io(dataset: dataset, path: destination.path, reason: "cannot move the old copy aside: \(SystemText.reason(error))")
            }
        }
        do {
            try manager.moveItem(at: staged, to: destination)
        } catch {
            if hadOld { try? manager.moveItem(at: replaced, to: destination) }
            throw .io(dataset: dataset, path: destination.path, reason: SystemText.reason(error))
        }
    }

    /// A fresh folder `<data root>/.specrun-fetch/<dataset>.<pid>.<random>` for one fetch. Folders
    /// left by fetches of the same data set whose process has died (Ctrl-C, a crash) are removed;
    /// a live process's folder is left alone.
    func makeWorkFolder(for entry: DatasetEntry) throws(FetchError) -> URL {
        let manager = FileManager.default
        let root = dataRoot.appendingPathComponent(Self.workFolderName)
        do { try manager.createDirectory(at: root, withIntermediateDirectories: true) } catch {
            throw .io(dataset: entry.name, path: root.path, reason: "cannot create the work folder: \(SystemText.reason(error))")
        }
        for leftover in (try? manager.contentsOfDirectory(atPath: root.path)) ?? [] {
            let parts = leftover.split(separator: ".")
            guard parts.count >= 3, parts.dropLast(2).joined(separator: ".") == entry.name,
                  let pid = Int32(parts[parts.count - 2]) else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                try? manager.removeItem(at: root.appendingPathComponent(leftover))
            }
        }
        let token = UUID().uuidString.prefix(8)
        let folder = root.appendingPathComponent("\(entry.name).\(getpid()).\(token)")
        do { try manager.createDirectory(at: folder, withIntermediateDirectories: false) } catch {
            throw .io(dataset: entry.name, path: folder.path, reason: SystemText.reason(error))
        }
        return folder
    }

    /// Removes this fetch's work folder, and the shared parent when no other fetch is using it.
    func removeWorkFolder(_ folder: URL) {
        let manager = FileManager.default
        try? manager.removeItem(at: folder)
        let root = folder.deletingLastPathComponent()
        if (try? manager.contentsOfDirectory(atPath: root.path))?.isEmpty == true {
            try? manager.removeItem(at: root)
        }
    }
}
