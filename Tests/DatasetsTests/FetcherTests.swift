import Datasets
import Foundation
import Testing

@Suite struct FetcherTests {
    let dir: TemporaryDirectory
    let server: LoopbackHTTPServer
    var dataRoot: URL { dir.path("data") }

    init() throws {
        dir = try TemporaryDirectory()
        let served = try FetchFixtures.serve([
            "images_background.zip": FetchFixtures.omniglotZip,
            "water_potability.csv": Array(FetchFixtures.waterCRLF.utf8),
        ], in: dir)
        server = try LoopbackHTTPServer(root: served)
    }

    private func fetcher(mirrors: [URL]? = nil, baseURL: URL? = nil, zip: [UInt8] = FetchFixtures.omniglotZip,
                         limits: UnpackLimits = UnpackLimits(), recorder: ProgressRecorder? = nil) -> Fetcher {
        Fetcher(dataRoot: dataRoot, baseURL: baseURL,
                catalogue: FetchFixtures.catalogue(mirrors: mirrors ?? [server.baseURL], zip: zip),
                limits: limits, progress: { recorder?.record($0) })
    }

    @Test func fetchesAndUnpacksOmniglotIntoTheSpecLayout() throws {
        defer { server.stop() }
        let recorder = ProgressRecorder()
        let report = try fetcher(recorder: recorder).fetch("omniglot")
        let zipSize = Int64(FetchFixtures.omniglotZip.count)
        #expect(report.outcome == .installed)
        #expect(report.path.path == dataRoot.appendingPathComponent("omniglot/images_background").path)
        #expect(report.source == server.baseURL.appendingPathComponent("images_background.zip"))
        #expect(report.downloadedBytes == zipSize)
        #expect(report.digest == MD5.hexDigest(of: FetchFixtures.omniglotZip))
        #expect(report.filesInstalled == FetchFixtures.imagePaths.count)
        for path in FetchFixtures.imagePaths {
            let installed = try Data(contentsOf: dataRoot.appendingPathComponent("omniglot/" + path))
            #expect(installed == Data(FetchFixtures.imageBytes(path)))
        }
        // Only the data set is left: no archive, no work folder.
        #expect(dir.listing("data").filter { !$0.hasPrefix("omniglot/images_background/") }
            == ["omniglot", "omniglot/images_background"])

        let events = recorder.events
        #expect(events.contains(.downloading(dataset: "omniglot", url: report.source!, bytes: zipSize, totalBytes: zipSize)))
        #expect(events.contains(.verifying(dataset: "omniglot", algorithm: "MD5")))
        let entries = FetchFixtures.imagePaths.count + 1
        #expect(events.last == .unpacking(dataset: "omniglot", entries: entries, totalEntries: entries))
    }

    @Test func fetchesWaterWithLineEndingsNormalised() throws {
        defer { server.stop() }
        let report = try fetcher().fetch("water")
        #expect(report.outcome == .installed && report.filesInstalled == 1)
        // Served with CRLF, verified and installed as LF.
        #expect(try String(contentsOf: dataRoot.appendingPathComponent("water/water_potability.csv"), encoding: .utf8)
            == FetchFixtures.waterLF)
        #expect(report.downloadedBytes == Int64(FetchFixtures.waterCRLF.utf8.count))
        #expect(dir.listing("data") == ["water", "water/water_potability.csv"])
    }

    @Test func baseURLComesFromTheFlagThenTheEnvironment() throws {
        defer { server.stop() }
        let variable = Fetcher.baseURLEnvironmentVariable
        #expect(variable == "SPECRUN_FETCH_BASE_URL")
        let env = [variable: "http://127.0.0.1:9/env"]
        #expect(try Fetcher.baseURL(flag: nil, environment: [:]) == nil)
        #expect(try Fetcher.baseURL(flag: nil, environment: env) == URL(string: "http://127.0.0.1:9/env"))
        #expect(try Fetcher.baseURL(flag: "https://example.org/x", environment: env) == URL(string: "https://example.org/x"))
        #expect(throws: FetchError.invalidBaseURL(value: "ftp://host/x", source: variable)) {
            try Fetcher.baseURL(flag: nil, environment: [variable: "ftp://host/x"])
        }
        #expect(throws: FetchError.invalidBaseURL(value: "not a url", source: "--base-url")) {
            try Fetcher.baseURL(flag: "not a url", environment: env)
        }
    }

    /// The catalogue's mirrors are unreachable; the environment variable points at loopback, with a
    /// path prefix, and only the base changes: the file name stays.
    @Test func environmentOverrideReplacesEveryMirror() throws {
        defer { server.stop() }
        let files = dir.path("served/files")
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        try Data(FetchFixtures.waterCRLF.utf8).write(to: files.appendingPathComponent("water_potability.csv"))
        let base = try Fetcher.baseURL(
            flag: nil, environment: [Fetcher.baseURLEnvironmentVariable: server.baseURL.absoluteString + "/files"])
        let unreachable = URL(string: "http://127.0.0.1:9/never")!
        let report = try fetcher(mirrors: [unreachable], baseURL: base).fetch("water")
        #expect(report.source?.absoluteString == server.baseURL.absoluteString + "/files/water_potability.csv")
        #expect(server.requests == ["/files/water_potability.csv"])
    }

    @Test func checksumMismatchDeletesTheDownloadAndNamesBothDigests() throws {
        defer { server.stop() }
        server.corrupt("/water_potability.csv")
        let url = server.baseURL.appendingPathComponent("water_potability.csv")
        let expected = SHA256.hexDigest(of: Array(FetchFixtures.waterLF.utf8))
        do {
            _ = try fetcher().fetch("water")
            Issue.record("a corrupted download must be refused")
        } catch {
            guard case .checksumMismatch("water", url, "SHA-256 (LF-normalised text)", expected, let actual) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(actual.count == 64 && actual != expected)
            #expect(error.description == "fetch water: SHA-256 (LF-normalised text) of \(url.absoluteString) is "
                + "\(actual), expected \(expected); the download was deleted; the mirror may have changed or been tampered with")
        }
        #expect(dir.listing("data").isEmpty, "nothing may be left: no download, no work folder")
    }

    @Test func httpErrorsNameTheStatusAndURL() throws {
        defer { server.stop() }
        server.fail("/water_potability.csv", status: 404)
        let url = server.baseURL.appendingPathComponent("water_potability.csv")
        #expect(throws: FetchError.http(dataset: "water", url: url, status: 404)) { try fetcher().fetch("water") }
        #expect(FetchError.http(dataset: "water", url: url, status: 404).description
            == "fetch water: HTTP 404 from \(url.absoluteString); check the URL or base URL, or try again later")
        #expect(dir.listing("data").isEmpty)
    }

    @Test func laterMirrorsAreTriedAfterAFailure() throws {
        defer { server.stop() }
        let dead = try LoopbackHTTPServer(root: dir.path("served"))
        let deadBase = dead.baseURL
        dead.stop()
        let primary = server.baseURL.appendingPathComponent("primary")
        server.fail("/primary/water_potability.csv", status: 503)
        let report = try fetcher(mirrors: [deadBase, primary, server.baseURL]).fetch("water")
        #expect(report.source == server.baseURL.appendingPathComponent("water_potability.csv"))

        server.corrupt("/water_potability.csv")
        do {
            _ = try fetcher(mirrors: [primary, server.baseURL]).fetch("water", force: true)
            Issue.record("every mirror failed, so the fetch must fail")
        } catch {
            guard case .mirrorsFailed("water", let failures) = error, failures.count == 2,
                  case .http(_, _, 503) = failures[0], case .checksumMismatch = failures[1] else {
                Issue.record("unexpected error \(error)")
                return
            }
        }
        // The failed forced re-fetch left the earlier good copy untouched.
        #expect(try String(contentsOf: report.path, encoding: .utf8) == FetchFixtures.waterLF)
    }

    @Test func redirectsAreFollowed() throws {
        defer { server.stop() }
        server.redirect("/images_background.zip", to: "/moved/images_background.zip")
        _ = try FetchFixtures.serve(["moved/images_background.zip": FetchFixtures.omniglotZip], in: dir)
        let report = try fetcher().fetch("omniglot")
        #expect(report.outcome == .installed)
        #expect(server.requests == ["/images_background.zip", "/moved/images_background.zip"])
    }

    @Test func anExistingDataSetIsSkippedUnlessForced() throws {
        defer { server.stop() }
        let fetcher = fetcher()
        _ = try fetcher.fetch("omniglot")
        let drawing = dataRoot.appendingPathComponent("omniglot/" + FetchFixtures.imagePaths[0])
        try Data("edited".utf8).write(to: drawing)
        let again = try fetcher.fetch("omniglot")
        #expect(again.outcome == .alreadyPresent && again.source == nil && again.downloadedBytes == 0)
        #expect(server.requests.count == 1)
        #expect(try Data(contentsOf: drawing) == Data("edited".utf8))

        let forced = try fetcher.fetch("omniglot", force: true)
        #expect(forced.outcome == .installed)
        #expect(try Data(contentsOf: drawing) == Data(FetchFixtures.imageBytes(FetchFixtures.imagePaths[0])))
        #expect(!FileManager.default.fileExists(atPath: dataRoot.appendingPathComponent(".specrun-fetch").path))
    }

    @Test func unknownDataSetsListTheKnownOnes() {
        defer { server.stop() }
        #expect(throws: FetchError.unknownDataset(name: "mnist", known: ["omniglot", "water"])) {
            try fetcher().fetch("mnist")
        }
    }

    @Test func leftoversOfDeadFetchesAreRemoved() throws {
        defer { server.stop() }
        let work = dataRoot.appendingPathComponent(".specrun-fetch")
        // No process can have this id (it is past Linux's pid_max); the other belongs to this process.
        let dead = work.appendingPathComponent("water.2147483646.abcd1234")
        let alive = work.appendingPathComponent("water.\(ProcessInfo.processInfo.processIdentifier).live0000")
        for folder in [dead, alive] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        _ = try fetcher().fetch("water")
        #expect(dir.listing("data/.specrun-fetch") == ["water.\(ProcessInfo.processInfo.processIdentifier).live0000"])
    }
}
