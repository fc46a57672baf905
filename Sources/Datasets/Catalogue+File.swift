import Foundation

extension Catalogue {
    /// Names a JSON file of catalogue entries that replace the standard ones of the same name and
    /// add others: a private mirror with its own copies (and digests) of the data, or data sets of
    /// one's own that `specrun SPEC` should fetch when they are missing.
    public static let fileEnvironmentVariable = "SPECRUN_FETCH_CATALOGUE"

    /// The catalogue `fetch` and `train` use: the standard one, changed by the file that
    /// `SPECRUN_FETCH_CATALOGUE` names, if any.
    public static func active(environment: [String: String] = ProcessInfo.processInfo.environment) throws(FetchError) -> Catalogue {
        guard let path = environment[fileEnvironmentVariable], !path.isEmpty else { return .standard }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .catalogueFile(path: path, reason: SystemText.reason(error))
        }
        return try standard.applying(fileAt: path, data)
    }

    /// One entry as the file writes it; every key but `name` is optional when it replaces a
    /// standard entry, which keeps what the file leaves out.
    struct FileEntry: Decodable {
        var name: String
        var summary: String?
        var file: String?
        var mirrors: [String]?
        var md5: String?
        var sha256: String?
        /// SHA-256 of the text with LF line endings (the file is installed with them).
        var sha256Text: String?
        var size: Int64?
        /// For a ZIP archive: the folder inside it that becomes `destination`.
        var zipFolder: String?
        var destination: String?
    }

    /// The catalogue with `{"datasets": [FileEntry, ...]}` applied.
    func applying(fileAt path: String, _ data: Data) throws(FetchError) -> Catalogue {
        struct File: Decodable { var datasets: [FileEntry] }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let file: File
        do { file = try decoder.decode(File.self, from: data) } catch {
            throw .catalogueFile(path: path, reason: "not a JSON object {\"datasets\": [...]} of entries: \(error.localizedDescription)")
        }
        var entries = self.entries
        for item in file.datasets {
            let base = entries.first { $0.name == item.name }
            func missing(_ key: String) -> FetchError { .catalogueFile(path: path, reason: "data set '\(item.name)' needs `\(key)`") }
            let checksum: Checksum? = item.md5.map { .md5($0) } ?? item.sha256.map { .sha256($0) }
                ?? item.sha256Text.map { .sha256OfLFText($0) } ?? base?.checksum
            let install: DatasetEntry.Install?
            if let destination = item.destination {
                install = item.zipFolder.map { .zipFolder(folder: $0, destination: destination) } ?? .file(destination: destination)
            } else {
                install = base?.install
            }
            var mirrors: [URL] = base?.mirrors ?? []
            if let given = item.mirrors {
                mirrors = []
                for text in given {
                    guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? "") else {
                        throw .catalogueFile(path: path, reason: "data set '\(item.name)': mirror '\(text)' is not an http(s) URL")
                    }
                    mirrors.append(url)
                }
            }
            guard let fileName = item.file ?? base?.fileName else { throw missing("file") }
            guard let checksum else { throw missing("md5, sha256 or sha256_text") }
            guard let size = item.size ?? base?.size else { throw missing("size") }
            guard let install else { throw missing("destination") }
            let entry = DatasetEntry(name: item.name, summary: item.summary ?? base?.summary ?? "from \(path)", fileName: fileName,
                                     mirrors: mirrors, checksum: checksum, size: size, install: install)
            if let i = entries.firstIndex(where: { $0.name == item.name }) { entries[i] = entry } else { entries.append(entry) }
        }
        return Catalogue(entries)
    }

    /// The entry whose installed folder or file holds `path` (relative to the data root), if any:
    /// `omniglot/images_background` and everything under it belong to `omniglot`.
    public func entry(providing path: String) -> DatasetEntry? {
        let parts = path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
        return entries.first { entry in
            let destination = entry.install.destination
            return parts == destination || parts.hasPrefix(destination + "/")
        }
    }
}
