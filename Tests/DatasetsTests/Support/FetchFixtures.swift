import Datasets
import Foundation

/// Small stand-ins for the real downloads, served from loopback, and the catalogue that points at
/// them: the standard entries with only the mirrors and checksums changed, so tests go through the
/// same code path as a real fetch.
struct FetchFixtures {
    /// Omniglot-shaped: images_background/<Alphabet>/<characterNN>/<id>_<NN>.png.
    static let imagePaths: [String] = ["Alpha", "Beta_(script)"].flatMap { alphabet in
        (1...2).flatMap { character in
            (1...3).map { drawing in
                "images_background/\(alphabet)/character0\(character)/0\(character)0\(drawing)_0\(drawing).png"
            }
        }
    }

    static func imageBytes(_ path: String) -> [UInt8] {
        [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] + Array(path.utf8) + [UInt8](repeating: 0xff, count: 300)
    }

    static var omniglotZip: [UInt8] {
        var writer = ZipWriter()
        writer.addDirectory("images_background/")
        for path in imagePaths { writer.add(path, imageBytes(path)) }
        return writer.archive()
    }

    static let waterLF = "ph,Hardness,Potability\n7.1,204.9,0\n,129.4,1\n6.5,,0\n"
    static var waterCRLF: String { waterLF.replacingOccurrences(of: "\n", with: "\r\n") }

    /// Writes `files` (name -> bytes) into a served folder.
    static func serve(_ files: [String: [UInt8]], in dir: TemporaryDirectory, folder: String = "served") throws -> URL {
        let root = dir.path(folder)
        for (name, bytes) in files {
            let url = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        return root
    }

    /// The standard catalogue's omniglot and water entries, pointed at `mirrors` and re-checksummed
    /// for the fixtures (or for `zip` when a test serves a different archive).
    static func catalogue(mirrors: [URL], zip: [UInt8] = omniglotZip) -> Catalogue {
        var omniglot = Catalogue.standard.entry(named: "omniglot")!
        omniglot.mirrors = mirrors
        omniglot.checksum = .md5(MD5.hexDigest(of: zip))
        var water = Catalogue.standard.entry(named: "water")!
        water.mirrors = mirrors
        water.checksum = .sha256OfLFText(SHA256.hexDigest(of: Array(waterLF.utf8)))
        return Catalogue([omniglot, water])
    }
}

/// Collects progress events from the download thread.
final class ProgressRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded = [FetchProgress]()

    var events: [FetchProgress] { lock.withLock { recorded } }

    func record(_ event: FetchProgress) { lock.withLock { recorded.append(event) } }
}
