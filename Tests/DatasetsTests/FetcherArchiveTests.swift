import Datasets
import Foundation
import Testing

/// Hostile and broken archives served as if they were the real download (their checksums match,
/// as they would for a compromised mirror whose digest was also changed): the unpacker must still
/// refuse them, leaving nothing under the data root or anywhere else.
@Suite struct FetcherArchiveTests {
    private func fetchServing(_ zip: [UInt8], limits: UnpackLimits = UnpackLimits(),
                              in dir: TemporaryDirectory) throws -> Result<FetchReport, FetchError> {
        let served = try FetchFixtures.serve(["images_background.zip": zip], in: dir)
        let server = try LoopbackHTTPServer(root: served)
        defer { server.stop() }
        let fetcher = Fetcher(dataRoot: dir.path("data"),
                              catalogue: FetchFixtures.catalogue(mirrors: [server.baseURL], zip: zip), limits: limits)
        return Result { () throws(FetchError) in try fetcher.fetch("omniglot") }
    }

    @Test func zipSlipEntriesAreRefusedWithNothingWrittenOutside() throws {
        let dir = try TemporaryDirectory()
        let before = dir.listing()
        var writer = ZipWriter()
        writer.add("images_background/Alpha/character01/0101_01.png", [1, 2, 3])
        writer.add("images_background/../../../../evil.txt", text: "escaped")
        let result = try fetchServing(writer.archive(), in: dir)
        guard case .failure(.archive("omniglot", _, .unsafePath(let entry, "'..' component"))) = result else {
            Issue.record("unexpected result \(result)")
            return
        }
        #expect(entry == "images_background/../../../../evil.txt")
        // The data root did not exist before the fetch, and does not after it (issue 10).
        #expect(dir.listing().filter { !$0.hasPrefix("served") && !before.contains($0) } == [])
        #expect(!dir.listing().contains { $0.hasSuffix("evil.txt") })
    }

    @Test func aBombIsRefusedAndCleanedUp() throws {
        let dir = try TemporaryDirectory()
        var writer = ZipWriter()
        writer.add("images_background/Alpha/character01/0101_01.png", [1, 2, 3])
        writer.add(.init(name: "images_background/Alpha/character01/0101_02.png",
                         data: [UInt8](repeating: 0, count: 3 << 20), declaredSize: 100))
        let result = try fetchServing(writer.archive(), in: dir)
        guard case .failure(.archive("omniglot", _, .expandsPastDeclaredSize(_, 100))) = result else {
            Issue.record("unexpected result \(result)")
            return
        }
        #expect(dir.listing("data").isEmpty)

        // The honest version of the same bomb is refused from its headers alone.
        var honest = ZipWriter()
        honest.add("images_background/zeros.png", [UInt8](repeating: 0, count: 3 << 20))
        let refused = try fetchServing(honest.archive(), in: dir)
        guard case .failure(.archive("omniglot", _, .compressionRatio)) = refused else {
            Issue.record("unexpected result \(refused)")
            return
        }
        #expect(dir.listing("data").isEmpty)
    }

    @Test func aTruncatedArchiveIsRefused() throws {
        let dir = try TemporaryDirectory()
        let zip = FetchFixtures.omniglotZip
        let result = try fetchServing(Array(zip[0..<(zip.count * 2 / 3)]), in: dir)
        guard case .failure(let error) = result, case .archive("omniglot", _, .malformed) = error else {
            Issue.record("unexpected result \(result)")
            return
        }
        #expect(error.description.hasPrefix("fetch omniglot: refused the archive from http://127.0.0.1:"))
        #expect(error.description.hasSuffix("images_background.zip: not a readable ZIP archive: no end-of-central-directory "
            + "record; the file is truncated or not a ZIP archive; nothing was installed"))
        #expect(dir.listing("data").isEmpty)
    }

    /// `omniglot-small` installs some alphabets of the background archive: those, whole, and no other.
    @Test func aSubsetKeepsOnlyItsFolders() throws {
        let dir = try TemporaryDirectory()
        var writer = ZipWriter()
        for (alphabet, characters) in [("Greek", 2), ("Latin", 1), ("Korean", 3)] {
            for c in 1...characters { writer.add("images_background/\(alphabet)/character0\(c)/0101_01.png", [1, 2, 3]) }
        }
        let zip = writer.archive()
        let served = try FetchFixtures.serve(["images_background.zip": zip], in: dir)
        let server = try LoopbackHTTPServer(root: served)
        defer { server.stop() }
        var small = Catalogue.standard.entry(named: "omniglot-small")!
        small.mirrors = [server.baseURL]
        small.checksum = .md5(MD5.hexDigest(of: zip))
        small.install = .zipFolder(folder: "images_background", destination: "omniglot/images_background", only: ["Greek", "Latin"])
        let fetcher = Fetcher(dataRoot: dir.path("data"), catalogue: Catalogue([small]))
        let report = try fetcher.fetch("omniglot-small")
        #expect(report.filesInstalled == 3)
        #expect(dir.listing("data/omniglot/images_background").filter { !$0.contains("/") }.sorted() == ["Greek", "Latin"])

        // A kept folder the archive lacks is a layout error, and nothing is installed.
        small.install = .zipFolder(folder: "images_background", destination: "omniglot/images_background", only: ["Greek", "Tagalog"])
        let other = try TemporaryDirectory()
        let refused = Result { () throws(FetchError) in
            try Fetcher(dataRoot: other.path("data"), catalogue: Catalogue([small])).fetch("omniglot-small")
        }
        guard case .failure(.layout("omniglot-small", _, "images_background/Tagalog/")) = refused else {
            Issue.record("unexpected result \(refused)")
            return
        }
        #expect(other.listing("data").isEmpty)
    }

    @Test func anArchiveWithoutTheExpectedFolderIsRefused() throws {
        let dir = try TemporaryDirectory()
        var writer = ZipWriter()
        writer.add("images_evaluation/Alpha/character01/0101_01.png", [1, 2, 3])
        let result = try fetchServing(writer.archive(), in: dir)
        guard case .failure(.layout("omniglot", _, "images_background/")) = result else {
            Issue.record("unexpected result \(result)")
            return
        }
        #expect(dir.listing("data").isEmpty)
    }
}

@Suite struct CatalogueTests {
    @Test func standardEntriesAreWellFormed() {
        let catalogue = Catalogue.standard
        #expect(catalogue.names == ["omniglot", "omniglot-small", "omniglot-evaluation", "water"])
        for entry in catalogue.entries {
            #expect(!entry.mirrors.isEmpty && entry.mirrors.allSatisfy { $0.scheme == "https" }, "\(entry.name)")
            let hexLength = if case .md5 = entry.checksum { 32 } else { 64 }
            #expect(entry.checksum.expected.count == hexLength
                && entry.checksum.expected.allSatisfy { $0.isHexDigit && !$0.isUppercase }, "\(entry.name)")
        }
        let omniglot = catalogue.entry(named: "omniglot")!
        #expect(omniglot.urls(baseURL: nil).map(\.absoluteString)
            == ["https://raw.githubusercontent.com/brendenlake/omniglot/master/python/images_background.zip"])
        #expect(omniglot.install == .zipFolder(folder: "images_background", destination: "omniglot/images_background"))
        // A spec's missing images_background fetches the whole background set, not the subset.
        #expect(catalogue.entry(providing: "omniglot/images_background")?.name == "omniglot")
        guard case .zipFolder(_, _, let only?) = catalogue.entry(named: "omniglot-small")!.install else {
            Issue.record("omniglot-small keeps no subset")
            return
        }
        #expect(only.count == 8)
        #expect(catalogue.entry(named: "water")!.install.destination == "water/water_potability.csv")
        #expect(catalogue.entry(named: "water")!.urls(baseURL: URL(string: "http://127.0.0.1:8000/files")!)
            .map(\.absoluteString) == ["http://127.0.0.1:8000/files/water_potability.csv"])
    }

    static let sharedWater = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/data/water/water_potability.csv").standardizedFileURL

    /// The real water CSV from ../shared/data, served with CRLF endings as the chosen mirror stores
    /// it, must pass the standard catalogue's digest and install byte-identical to the original.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: sharedWater.path), "needs ../shared/data"))
    func standardWaterDigestMatchesTheSharedData() throws {
        let original = try Data(contentsOf: Self.sharedWater)
        let dir = try TemporaryDirectory()
        let crlf = Array(String(decoding: original, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8)
        let server = try LoopbackHTTPServer(root: try FetchFixtures.serve(["water_potability.csv": crlf], in: dir))
        defer { server.stop() }
        let report = try Fetcher(dataRoot: dir.path("data"), baseURL: server.baseURL).fetch("water")
        #expect(report.downloadedBytes == 525_187)
        #expect(try Data(contentsOf: report.path) == original)
    }
}
