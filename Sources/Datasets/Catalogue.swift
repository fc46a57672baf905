import Foundation

/// One downloadable data set: where its file comes from, what it must hash to, and where it goes.
public struct DatasetEntry: Sendable, Hashable {
    /// How a verified download becomes files under the data root.
    public enum Install: Sendable, Hashable {
        /// Unpack a ZIP archive and move its top folder `folder` to `destination`; with `only`,
        /// keep just those folders inside it (each must be there).
        case zipFolder(folder: String, destination: String, only: [String]? = nil)
        /// Place the file itself at `destination` (line endings normalised if the checksum says so).
        case file(destination: String)

        /// The path, relative to the data root, whose presence means the data set is installed.
        public var destination: String {
            switch self {
            case .zipFolder(_, let destination, _), .file(let destination): destination
            }
        }
    }

    /// The name given to `specrun fetch`.
    public var name: String
    /// One line for `specrun fetch --list`.
    public var summary: String
    /// The file name appended to each mirror's base URL (and to an overriding base URL).
    public var fileName: String
    /// Base URLs tried in order; a failed download or a checksum mismatch moves on to the next.
    public var mirrors: [URL]
    public var checksum: Checksum
    /// The file's size in bytes (approximate where no source publishes it): downloads are cut off
    /// a margin past it (`DownloadLimits.forFile(ofSize:)`), so a server cannot fill the disk.
    public var size: Int64
    public var install: Install

    public init(name: String, summary: String, fileName: String, mirrors: [URL], checksum: Checksum,
                size: Int64, install: Install) {
        self.name = name
        self.summary = summary
        self.fileName = fileName
        self.mirrors = mirrors
        self.checksum = checksum
        self.size = size
        self.install = install
    }

    /// The URLs to try: every mirror, or only `baseURL` when one overrides them.
    public func urls(baseURL: URL?) -> [URL] {
        (baseURL.map { [$0] } ?? mirrors).map { $0.appendingPathComponent(fileName) }
    }

    /// Another data set from the same verified archive: only the folders `only` of this entry's
    /// ZIP folder, installed at the same destination.
    func subset(name: String, summary: String, only: [String]) -> DatasetEntry {
        guard case .zipFolder(let folder, let destination, nil) = install else {
            preconditionFailure("[catalogue] \(self.name): only a whole ZIP folder has subsets")
        }
        var entry = self
        entry.name = name
        entry.summary = summary
        entry.install = .zipFolder(folder: folder, destination: destination, only: only)
        return entry
    }
}

/// The data sets `specrun fetch` knows, in the order `--list` shows them.
public struct Catalogue: Sendable, Hashable {
    public var entries: [DatasetEntry]

    public init(_ entries: [DatasetEntry]) {
        precondition(Set(entries.map(\.name)).count == entries.count, "catalogue names must be unique")
        self.entries = entries
    }

    public func entry(named name: String) -> DatasetEntry? { entries.first { $0.name == name } }

    public var names: [String] { entries.map(\.name) }
}

extension Catalogue {
    /// Lake et al.'s own repository; torchvision's Omniglot dataset downloads from the same folder
    /// and publishes these MD5s as `zips_md5`.
    static let omniglotBackground = DatasetEntry(
        name: "omniglot",
        summary: "Omniglot background set: 30 alphabets, 964 characters, 19,280 105x105 PNGs (MIT)",
        fileName: "images_background.zip",
        mirrors: [URL(string: "https://raw.githubusercontent.com/brendenlake/omniglot/master/python")!],
        checksum: .md5("68d2efa1b9178cc56df9314c21c6e718"),
        size: 9_464_212,
        install: .zipFolder(folder: "images_background", destination: "omniglot/images_background"))

    /// The public data sets the shipped specs use. This is the one place their sources live.
    public static let standard = Catalogue([
        omniglotBackground,
        // The 8 alphabets of the repository's "background small 1" and "small 2" splits, all 20
        // drawings of each character: the subset the project's Omniglot numbers were measured on.
        // Taken from the full background archive, so it comes from the same verified bytes.
        // Listed after `omniglot`, which is what a spec's missing omniglot/images_background fetches.
        omniglotBackground.subset(
            name: "omniglot-small",
            summary: "Omniglot background, 8 alphabets (small 1 + small 2): 242 characters, 4,840 PNGs (MIT)",
            only: ["Balinese", "Early_Aramaic", "Greek", "Japanese_(katakana)", "Korean", "Latin", "Sanskrit", "Tagalog"]),
        DatasetEntry(
            name: "omniglot-evaluation",
            summary: "Omniglot evaluation set: 20 alphabets, 659 characters, 13,180 105x105 PNGs (MIT)",
            fileName: "images_evaluation.zip",
            mirrors: [URL(string: "https://raw.githubusercontent.com/brendenlake/omniglot/master/python")!],
            checksum: .md5("6b91aef0f799c5bb55b94e3f2daec811"),
            size: 6_462_886,
            install: .zipFolder(folder: "images_evaluation", destination: "omniglot/images_evaluation")),
        // The Kaggle "Water Quality" data set has no official download URL or digest. The digest is
        // that of the copy the project's reference results were made with (3,276 rows, 521,910
        // bytes with LF endings). Jangrae/csv is a long-lived teaching repository of data sets whose
        // copy is stored in Git LFS with oid sha256 904004bd...29b2bf and size 525,187: exactly our
        // file with CRLF endings, so it is verified byte for byte. Being LFS, it is fetched through
        // github.com's /raw/ path, which redirects to the LFS media host. Oraclon/datasets is a
        // plain-Git fallback whose stored copy shows the same header and last rows; the digest
        // check decides whether its bytes are acceptable.
        // Only the raw CSV is fetched. The seed's water_normalized.csv cannot be rebuilt exactly from
        // it (it is a shuffled 1,508-row subset of the 2,011 complete rows); a spec that reads the
        // raw file states that preprocessing itself (drop incomplete rows, min-max scale), as
        // water_mlp.yaml and water_bn.yaml do.
        DatasetEntry(
            name: "water",
            summary: "Water potability (Kaggle \"Water Quality\"): 3,276 rows, 9 features + Potability, raw with gaps",
            fileName: "water_potability.csv",
            mirrors: [URL(string: "https://github.com/Jangrae/csv/raw/HEAD")!,
                      URL(string: "https://raw.githubusercontent.com/Oraclon/datasets/HEAD")!],
            checksum: .sha256OfLFText("111a9ba65f2d791003ac07b54b8e18e2f7e0bc1cfa37cfdb251d3758a4e8c24c"),
            size: 525_187,
            install: .file(destination: "water/water_potability.csv")),
    ])
}
