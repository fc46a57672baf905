import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `specrun fetch` as a user runs it, against files served on loopback (no network).
@Suite(.enabled(if: LoopbackServer.python != nil)) struct FetchCLITests {
    @Test func aFileThatFailsItsChecksumIsDeletedAndReported() throws {
        let served = try TemporaryFolder()
        try "ph,Hardness\n1,2\n".write(to: served.url.appendingPathComponent("water_potability.csv"), atomically: true, encoding: .utf8)
        let server = try LoopbackServer(serving: served.url)
        defer { server.stop() }
        let root = try TemporaryFolder()
        let run = try CLITests.run(["fetch", "water", "--data-root", root.url.path, "--base-url", server.base])
        #expect(run.status == 1)
        #expect(run.stderr.contains("checksum") || run.stderr.contains("SHA-256"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root.url.appendingPathComponent("water/water_potability.csv").path))
    }

    /// The real CSV, when ../shared/data is beside the repository.
    static let realWater = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("../shared/data/water/water_potability.csv").standardized

    /// With the real file (from ../shared/data when present), fetch verifies and installs it.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: realWater.path)))
    func theRealFileIsVerifiedAndInstalled() throws {
        let real = Self.realWater
        let served = try TemporaryFolder()
        try FileManager.default.copyItem(at: real, to: served.url.appendingPathComponent("water_potability.csv"))
        let server = try LoopbackServer(serving: served.url)
        defer { server.stop() }
        let root = try TemporaryFolder()
        let run = try CLITests.run(["fetch", "water", "--data-root", root.url.path, "--base-url", server.base])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("water: 1 file in"))
        let installed = try Data(contentsOf: root.url.appendingPathComponent("water/water_potability.csv"))
        #expect(installed == (try Data(contentsOf: real)))
        let again = try CLITests.run(["fetch", "water", "--data-root", root.url.path, "--base-url", server.base])
        #expect(again.stdout.contains("already in"))
    }
}

/// Issue 10's acceptance: a clean clone (no ./data, no ../shared) trains a spec whose public
/// data is missing by fetching it from the fetch base URL (a loopback server here, serving the
/// real Omniglot PNGs and water CSV from ../shared/data when present, else made-up ones).
@Suite(.enabled(if: LoopbackServer.python != nil)) struct FetchOnDemandCLITests {
    /// The real data when it is beside the repository.
    static let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("../shared/data").standardized

    /// A folder laid out as a fresh clone: specs/ and nothing else.
    static func clone() throws -> TemporaryFolder {
        let clone = try TemporaryFolder()
        try FileManager.default.copyItem(at: CLITests.repositoryRoot.appendingPathComponent("specs"), to: clone.url.appendingPathComponent("specs"))
        return clone
    }

    /// Serves images_background.zip (a few drawings of two alphabets: real ones from
    /// ../shared/data, else made-up PNGs) and water_potability.csv (the real file, else made up),
    /// with a catalogue file giving the zip's digest: the real archive's is the standard one, and
    /// a subset of it cannot match it. Returns the folder served and the catalogue file.
    static func served() throws -> (folder: TemporaryFolder, catalogue: URL) {
        let served = try TemporaryFolder()
        let omniglot = shared.appendingPathComponent("omniglot/images_background")
        let script = """
            import hashlib, json, os, struct, sys, zipfile, zlib
            out, source = sys.argv[1], sys.argv[2]
            def png(seed):  # 105x105, 1-bit greyscale, as Omniglot's
                rows = b"".join(b"\\x00" + bytes((0xFF if (x * 7 + y * 3 + seed) % 11 else 0x00) for x in range(14)) for y in range(105))
                chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
                return b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 105, 105, 1, 0, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
            with zipfile.ZipFile(os.path.join(out, "images_background.zip"), "w") as z:
                alphabets = sorted(os.listdir(source))[:2] if os.path.isdir(source) else ["Alpha", "Beta"]
                for a, alphabet in enumerate(alphabets):
                    folder = os.path.join(source, alphabet)
                    characters = sorted(os.listdir(folder))[:2] if os.path.isdir(source) else ["character01", "character02"]
                    for c, character in enumerate(characters):
                        names = sorted(os.listdir(os.path.join(folder, character)))[:5] if os.path.isdir(source) else [f"{a}{c}_{d}.png" for d in range(5)]
                        for d, name in enumerate(names):
                            data = open(os.path.join(folder, character, name), "rb").read() if os.path.isdir(source) else png(a * 10 + c * 3 + d)
                            z.writestr(f"images_background/{alphabet}/{character}/{name}", data)
            zip = open(os.path.join(out, "images_background.zip"), "rb").read()
            entries = [{"name": "omniglot", "md5": hashlib.md5(zip).hexdigest(), "size": len(zip)}]
            water = os.path.join(out, "water_potability.csv")
            if not os.path.exists(water):  # made up, so it needs its own digest too
                open(water, "w").write(sys.stdin.read())
                entries.append({"name": "water", "sha256_text": hashlib.sha256(open(water, "rb").read()).hexdigest(), "size": os.path.getsize(water)})
            json.dump({"datasets": entries}, open(os.path.join(out, "catalogue.json"), "w"))
            """
        let realWater = shared.appendingPathComponent("water/water_potability.csv")
        if FileManager.default.fileExists(atPath: realWater.path) {
            try FileManager.default.copyItem(at: realWater, to: served.url.appendingPathComponent("water_potability.csv"))
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: LoopbackServer.python!)
        process.arguments = ["-c", script, served.url.path, omniglot.path]
        let input = Pipe()
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(Data(WaterCSV.text(rows: 60).utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let catalogue = served.url.appendingPathComponent("catalogue.json")
        // The catalogue file is not served; move it out of the way of the server's listing.
        let kept = try TemporaryFolder().url.appendingPathComponent("catalogue.json")
        try FileManager.default.createDirectory(at: kept.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: catalogue, to: kept)
        return (served, kept)
    }

    static func environment(_ server: LoopbackServer, catalogue: URL) -> [String: String] {
        ["SPECRUN_OFFLINE": "0", "SPECRUN_FETCH_BASE_URL": server.base, "SPECRUN_FETCH_CATALOGUE": catalogue.path]
    }

    @Test func theFirstRunFetchesVerifiesUnpacksAndTrains() throws {
        let (served, catalogue) = try Self.served()
        let server = try LoopbackServer(serving: served.url)
        defer { server.stop() }
        let clone = try Self.clone()
        let run = try CLITests.run(["specs/omniglot_two_output.yaml", "--epochs", "1"],
                                   environment: Self.environment(server, catalogue: catalogue), in: clone.url)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("data/omniglot/images_background is missing; fetching it (--offline refuses):\n"
                                    + "the public data set `omniglot`, "), "\(run.stdout)")
        #expect(run.stdout.contains(" MB, into the data root data (the default)\nomniglot: MD5 "), "\(run.stdout)")
        #expect(run.stdout.contains(" verified\nomniglot: 20 files in data/omniglot/images_background\n"), "\(run.stdout)")
        #expect(run.stdout.contains("\nepoch 1/1  loss "), "\(run.stdout)")
        let installed = clone.url.appendingPathComponent("data").path
        #expect(FileManager.default.fileExists(atPath: installed + "/omniglot/images_background"))
        #expect(!FileManager.default.fileExists(atPath: installed + "/.specrun-fetch"), "the work folder is gone")
        let runs = try FileManager.default.contentsOfDirectory(atPath: clone.url.appendingPathComponent("runs/omniglot_two_output").path)
        #expect(runs.count == 1)

        // The water specs fetch the public CSV the same way, and read it with their preprocessing.
        let water = try CLITests.run(["specs/water_bn.yaml", "--epochs", "1"], environment: Self.environment(server, catalogue: catalogue), in: clone.url)
        #expect(water.status == 0, "\(water.stderr)")
        #expect(water.stdout.contains("water: SHA-256 (LF-normalised text) "), "\(water.stdout)")
        #expect(water.stdout.contains(" verified\nwater: 1 file in data/water/water_potability.csv\n"), "\(water.stdout)")
    }

    @Test func offlineRefusesWithTheFetchCommand() throws {
        let clone = try Self.clone()
        for (arguments, environment, why) in [(["--offline"], ["SPECRUN_OFFLINE": "0"], "--offline"), ([], ["SPECRUN_OFFLINE": "1"], "SPECRUN_OFFLINE=1")] {
            let run = try CLITests.run(["specs/omniglot_two_output.yaml"] + arguments, environment: environment, in: clone.url)
            #expect(run.status == 1)
            #expect(run.stderr == "error: specs/omniglot_two_output.yaml:7:5: data/omniglot/images_background is missing; \(why) forbids fetching it; "
                    + "it is the public data set `omniglot`: fetch it with: specrun fetch omniglot --data-root data\n", "\(run.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: clone.url.path) == ["specs"])
    }

    /// Data that no catalogue entry provides: the path looked in, the data root, how to set another.
    @Test func dataNoCatalogueProvidesNamesTheRootAndHowToChangeIt() throws {
        let clone = try Self.clone()
        let spec = clone.url.appendingPathComponent("specs/mine.yaml")
        try (try String(contentsOf: clone.url.appendingPathComponent("specs/water_mlp.yaml"), encoding: .utf8))
            .replacingOccurrences(of: "water/water_potability.csv", with: "mine/rows.csv").write(to: spec, atomically: true, encoding: .utf8)
        let run = try CLITests.run(["specs/mine.yaml", "--data-root", "elsewhere"], environment: ["SPECRUN_OFFLINE": "0"], in: clone.url)
        #expect(run.status == 1)
        #expect(run.stderr == "error: specs/mine.yaml:9:11: elsewhere/mine/rows.csv: no such file or folder, and no public data set provides mine/rows.csv; "
                + "data paths are relative to the data root elsewhere (from --data-root): give another with --data-root or SPECRUN_DATA\n", "\(run.stderr)")
    }

    /// A download cut off half-way (the server announces the whole archive and closes after half
    /// of it) fails in one line and leaves the data root as it was: here, not there at all.
    @Test func aDownloadCutOffHalfWayLeavesTheDataRootAsItWas() throws {
        let (served, catalogue) = try Self.served()
        let server = try LoopbackServer(serving: served.url, cuttingOff: ["images_background.zip"])
        defer { server.stop() }
        let clone = try Self.clone()
        let run = try CLITests.run(["specs/omniglot_two_output.yaml"], environment: Self.environment(server, catalogue: catalogue), in: clone.url)
        #expect(run.status == 1)
        #expect(run.stderr.hasPrefix("error: fetch omniglot: download from \(server.base)images_background.zip stopped at "), "\(run.stderr)")
        #expect(run.stderr.contains("(fetching it for specs/omniglot_two_output.yaml:7:5; or run: specrun fetch omniglot --data-root data)"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: clone.url.path) == ["specs"], "no data root, no run folder")
    }
}

/// A folder under /tmp removed when the value is released.
final class TemporaryFolder {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("specrun-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
}

/// `python3 -m http.server` on a free loopback port.
final class LoopbackServer {
    static let python: String? = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
    let process = Process()
    let base: String

    /// `cuttingOff`: files answered with their whole length announced and only half sent.
    init(serving folder: URL, cuttingOff: [String] = []) throws {
        let port = Self.freePort()
        process.executableURL = URL(fileURLWithPath: Self.python!)
        let script = """
            import functools, http.server, os, sys
            port, root, cut = int(sys.argv[1]), sys.argv[2], set(sys.argv[3:])
            class Handler(http.server.SimpleHTTPRequestHandler):
                def do_GET(self):
                    name = self.path.lstrip("/")
                    if name not in cut:
                        return super().do_GET()
                    data = open(os.path.join(root, name), "rb").read()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2])
                    self.close_connection = True
            http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Handler, directory=root)).serve_forever()
            """
        process.arguments = ["-c", script, "\(port)", folder.path] + cuttingOff
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        base = "http://127.0.0.1:\(port)/"
        var attempts = 0
        while !Self.accepts(port) && attempts < 100 {
            usleep(50_000)
            attempts += 1
        }
    }

    /// SIGKILL: the test runner's children may inherit a mask that blocks SIGTERM.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// A port the kernel just handed out for a moment, so most likely free.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
