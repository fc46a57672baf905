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

    init(serving folder: URL) throws {
        let port = Self.freePort()
        process.executableURL = URL(fileURLWithPath: Self.python!)
        process.arguments = ["-m", "http.server", "\(port)", "--bind", "127.0.0.1", "--directory", folder.path]
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
