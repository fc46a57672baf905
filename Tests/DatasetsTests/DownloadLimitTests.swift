import Datasets
import Foundation
import Testing

/// Servers that send too much, too slowly, for too long, or somewhere else: each download is cut
/// off with a message that says which, and leaves nothing behind (issue 13).
@Suite struct DownloadLimitTests {
    let dir: TemporaryDirectory
    let server: LoopbackHTTPServer
    var dataRoot: URL { dir.path("data") }

    init() throws {
        dir = try TemporaryDirectory()
        server = try LoopbackHTTPServer(root: try FetchFixtures.serve([
            "images_background.zip": FetchFixtures.omniglotZip,
            "water_potability.csv": Array(FetchFixtures.waterCRLF.utf8),
        ], in: dir))
    }

    private func fetch(_ name: String, limits: DownloadLimits) throws(FetchError) -> FetchReport {
        try Fetcher(dataRoot: dataRoot, catalogue: FetchFixtures.catalogue(mirrors: [server.baseURL]),
                    downloadLimits: { _ in limits }).fetch(name)
    }

    private var zipURL: URL { server.baseURL.appendingPathComponent("images_background.zip") }

    @Test func aBodyAnnouncedLargerThanTheLimitIsRefusedBeforeItArrives() throws {
        defer { server.stop() }
        let size = Int64(FetchFixtures.omniglotZip.count)
        #expect(throws: FetchError.tooLarge(dataset: "omniglot", url: zipURL, limit: size - 1, announced: size)) {
            try fetch("omniglot", limits: DownloadLimits(maxBytes: size - 1))
        }
        #expect(dir.listing("data").isEmpty, "no download, no work folder")
        #expect(FetchError.tooLarge(dataset: "omniglot", url: zipURL, limit: 10, announced: 4 << 30).description
            == "fetch omniglot: \(zipURL.absoluteString) announces 4294967296 bytes, more than this data set can be (at most 10); "
            + "the download was stopped and deleted")
    }

    /// No Content-Length, and more bytes than the data set can have: stopped at the limit.
    @Test func anEndlessBodyIsCutOffAtTheLimit() throws {
        defer { server.stop() }
        server.stream("/images_background.zip", .init(total: 64 << 20, chunk: 64 << 10, interval: 0, announced: nil))
        #expect(throws: FetchError.tooLarge(dataset: "omniglot", url: zipURL, limit: 1 << 20, announced: nil)) {
            try fetch("omniglot", limits: DownloadLimits(maxBytes: 1 << 20))
        }
        #expect(dir.listing("data").isEmpty)
    }

    /// One byte at a time keeps an idle timeout happy; the minimum rate does not.
    @Test func aTrickleBelowTheMinimumRateIsStopped() throws {
        defer { server.stop() }
        server.stream("/images_background.zip", .init(total: 1 << 20, chunk: 1, interval: 0.02, announced: nil))
        do {
            _ = try fetch("omniglot", limits: DownloadLimits(maxBytes: 1 << 20, minimumRate: 1000, rateWindow: 0.3))
            Issue.record("a trickle must be stopped")
        } catch {
            guard case .tooSlow("omniglot", zipURL, let received, let seconds, 1000) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(received < 300 && seconds >= 0.3)
            #expect(error.description.contains("slower than the minimum 1000 bytes/s"))
        }
        #expect(dir.listing("data").isEmpty)
    }

    @Test func aTransferPastItsDeadlineIsStopped() throws {
        defer { server.stop() }
        server.stream("/images_background.zip", .init(total: 1 << 20, chunk: 100, interval: 0.01, announced: 1 << 20))
        #expect(throws: FetchError.deadline(dataset: "omniglot", url: zipURL, seconds: 0.3)) {
            try fetch("omniglot", limits: DownloadLimits(maxBytes: 2 << 20, minimumRate: 1, rateWindow: 10, deadline: 0.3))
        }
        #expect(dir.listing("data").isEmpty)
    }

    /// Reported as the redirect it is (URLSession reported it as HTTP 404).
    @Test func aRedirectToAFileURLIsNotFollowed() throws {
        defer { server.stop() }
        server.redirect("/water_potability.csv", toLocation: "file:///etc/passwd")
        let url = server.baseURL.appendingPathComponent("water_potability.csv")
        #expect(throws: FetchError.redirect(dataset: "water", url: url, target: "file:///etc/passwd", reason: "not an http(s) URL")) {
            try fetch("water", limits: .forFile(ofSize: 1000))
        }
        #expect(FetchError.redirect(dataset: "water", url: url, target: "file:///etc/passwd", reason: "not an http(s) URL").description
            == "fetch water: \(url.absoluteString) redirects to file:///etc/passwd, which is not an http(s) URL; not followed")
        #expect(dir.listing("data").isEmpty)
    }

    /// The catalogue's sizes set the limits: the real files fit, four times their size does not.
    @Test func theCatalogueSizesBoundEveryDownload() {
        defer { server.stop() }
        for entry in Catalogue.standard.entries {
            let limits = DownloadLimits.forFile(ofSize: entry.size)
            #expect(entry.size > 0 && limits.maxBytes > entry.size && limits.maxBytes < 2 * entry.size + (2 << 20), "\(entry.name)")
            #expect(limits.deadline > Double(limits.maxBytes) / Double(limits.minimumRate))
        }
    }

    /// Connection failures read as libcurl's text, never a Foundation domain and code.
    @Test func aRefusedConnectionSaysSo() throws {
        server.stop()
        do {
            _ = try fetch("water", limits: .forFile(ofSize: 1000))
            Issue.record("nothing listens there")
        } catch {
            #expect(error.description.contains("Couldn't connect to server"), "\(error)")
            #expect(!error.description.contains("Domain"))
        }
    }
}
