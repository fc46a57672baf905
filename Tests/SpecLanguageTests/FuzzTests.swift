import Catalogue
import Diagnostics
import Foundation
import GraphIR
import Testing

/// The whole front end survives arbitrary bytes: thousands of mutated specs (truncated, bytes
/// flipped, lines swapped, duplicated or deleted, YAML punctuation inserted) never crash, and
/// every diagnostic points inside its file.
@Suite struct FuzzTests {
    /// SplitMix64: a tiny deterministic generator, so a failure reproduces.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    }

    static let fragments: [[UInt8]] = ["[", "]", "{", "}", ":", ": ", "- ", "\n", "\t", "&a ", "*a", "!!str ", "!x ", "'", "\"", "#",
                                       "---\n", "? ", "|\n", ">-\n", "classes(", ")", "*", "1e9", "-1", "\u{0}", "\u{FEFF}", "é",
                                       "9223372036854775807", "4611686018427387904", "99999999999999999999"]
        .map { Array($0.utf8) }

    static func mutate(_ input: [UInt8], _ g: inout Generator) -> [UInt8] {
        var bytes = input
        for _ in 0..<(1 + g.below(3)) {
            guard !bytes.isEmpty else { return bytes }
            switch g.below(6) {
            case 0:
                bytes = Array(bytes.prefix(g.below(bytes.count)))
            case 1:
                bytes[g.below(bytes.count)] = UInt8(truncatingIfNeeded: g.next())
            case 2:
                bytes.insert(contentsOf: fragments[g.below(fragments.count)], at: g.below(bytes.count + 1))
            default:
                var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
                let i = g.below(lines.count), j = g.below(lines.count)
                switch g.below(3) {
                case 0: lines.swapAt(i, j)
                case 1: lines.insert(lines[i], at: j)
                default: lines.remove(at: i)
                }
                bytes = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
            }
        }
        return bytes
    }

    @Test func mutatedSpecsNeverCrashOrPointOutsideTheFile() throws {
        let seeds = try Fixtures.files(in: Fixtures.specs, ext: "yaml").map { try Fixtures.bytes(Fixtures.specs.appendingPathComponent($0)) }
            + Fixtures.files(in: Fixtures.snapshots, ext: "yaml").map { try Fixtures.bytes(Fixtures.snapshots.appendingPathComponent($0)) }
        var g = Generator(state: 42)
        var diagnosed = 0
        for round in 0..<4000 {
            let bytes = Self.mutate(seeds[round % seeds.count], &g)
            let c = Compiler.compile(bytes: bytes, path: "fuzz.yaml")
            if !c.diagnostics.isEmpty { diagnosed += 1 }
            for d in c.diagnostics {
                #expect(!d.message.isEmpty)
                for range in [d.range] + d.notes.map(\.range) {
                    guard let range else { continue }
                    #expect(c.file.contains(range.start) && c.file.contains(range.end), "round \(round): \(d.code) at \(range) outside the file")
                }
                // Rendering reads the source lines at those places; it must not trap either.
                _ = DiagnosticRenderer.human(d, in: c.file)
                _ = DiagnosticRenderer.github(d, in: c.file)
            }
        }
        // Most mutations break something; a fuzzer that never finds anything is not fuzzing.
        #expect(diagnosed > 2000)
    }
}
