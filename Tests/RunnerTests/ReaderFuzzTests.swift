import DataPipeline
import Foundation
import Runner
import Testing

/// SplitMix64: a tiny deterministic generator, so a failing round reproduces from its seed.
struct FuzzGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }

    /// One random edit of `bytes`: most often one of `fragments` inserted, else a byte replaced or
    /// removed, or the tail cut off.
    mutating func edit(_ bytes: inout [UInt8], fragments: [[UInt8]]) {
        switch below(6) {
        case 0, 1, 2: bytes.insert(contentsOf: fragments[below(fragments.count)], at: below(bytes.count + 1))
        case 3: if !bytes.isEmpty { bytes[below(bytes.count)] = UInt8(truncatingIfNeeded: next()) }
        case 4: if !bytes.isEmpty { bytes.remove(at: below(bytes.count)) }
        default: bytes = Array(bytes.prefix(below(bytes.count + 1)))
        }
    }
}

/// Runs `body(round)` with a fixed seed until `seconds` have passed (at least `minimum` rounds):
/// bounded in time for CI, deterministic in what each round does.
func fuzz(seed: UInt64, seconds: Double, minimum: Int, _ body: (Int, inout FuzzGenerator) throws -> Void) rethrows -> Int {
    var g = FuzzGenerator(state: seed)
    let start = ProcessInfo.processInfo.systemUptime
    var round = 0
    while round < minimum || ProcessInfo.processInfo.systemUptime - start < seconds {
        try body(round, &g)
        round += 1
    }
    return round
}

/// A message fit for the user: one line, a few hundred characters at most.
func isOneShortLine(_ message: String) -> Bool { !message.contains("\n") && message.count <= 400 }

/// The readers of untrusted bytes survive arbitrary input: thousands of mutated safetensors files
/// (JSON fragments and huge numbers in the header, bytes flipped, truncated, wrong lengths),
/// checkpoints and CSV files never crash, every refusal is one short line, and what is accepted
/// is consistent (issue 13). Seeded, and bounded in time for CI.
@Suite struct ReaderFuzzTests {
    static let fragments: [[UInt8]] = ["[", "]", "{", "}", ":", ",", "\"", "\\", "-1", "0", "1e400", "4611686018427387904",
                                       "2147483648", "18446744073709551616", "9223372036854775807", "\"F32\"", "\"I64\"", "\"F64\"",
                                       "\"U8\"", "\"data_offsets\":[0,4]", "\"shape\":[]", "\"__metadata__\":{}", "null", "true", "\u{0}", "é"]
        .map { Array($0.utf8) }

    /// The header JSON of a file, mutated; the 8-byte length is usually made to fit again.
    static func mutate(_ file: Data, _ g: inout FuzzGenerator) -> Data {
        let length = Int(file.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        var header = Array(file[8..<(8 + length)]), body = Array(file[(8 + length)...])
        for _ in 0..<(1 + g.below(3)) {
            switch g.below(4) {
            case 0: if !body.isEmpty { body[g.below(body.count)] ^= UInt8(truncatingIfNeeded: g.next() | 1) }
            case 1: body += [UInt8](repeating: 0, count: 1 + g.below(9))
            default: g.edit(&header, fragments: fragments)
            }
        }
        var out = Data()
        let claimed = g.below(8) == 0 ? UInt64(truncatingIfNeeded: g.next() >> UInt64(g.below(64))) : UInt64(header.count)
        withUnsafeBytes(of: claimed.littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        out.append(contentsOf: body)
        if g.below(20) == 0 { out = out.prefix(g.below(out.count + 1)) }
        return out
    }

    @Test func mutatedSafeTensorsNeverCrash() {
        let seeds = [
            SafeTensors(entries: [.init(name: "mlp.0.weight", shape: [3, 2], floats: [1, 2, 3, 4, 5, 6]),
                                  .init(name: "mlp.0.bias", shape: [3], floats: [0, -1, 1]),
                                  .init(name: "bn.num_batches_tracked", shape: [], int64s: [5])],
                        metadata: ["format": "pt", "specrun.spec": "x"]).encoded(),
            SafeTensors(entries: [.init(name: "a", shape: [0, 4], floats: []), .init(name: "b", shape: [1], floats: [.nan])]).encoded(),
        ]
        var refused = 0, accepted = 0
        let rounds = fuzz(seed: 13, seconds: 1.0, minimum: 2000) { round, g in
            let data = Self.mutate(seeds[round % seeds.count], &g)
            let file: SafeTensors
            do throws(SafeTensorsError) { file = try SafeTensors(decoding: data) } catch {
                refused += 1
                #expect(isOneShortLine(error.description), "round \(round): \(error.description.prefix(500))")
                return
            }
            accepted += 1
            // What is accepted is consistent: it encodes and reads back the same.
            #expect((try? SafeTensors(decoding: file.encoded())) == file, "round \(round)")
        }
        #expect(refused > rounds / 4 && accepted > 0, "\(refused) refused, \(accepted) accepted of \(rounds)")
    }

    /// Mutated checkpoint files (state.json, the optimizer's and the model's tensors) met by
    /// `--resume`: a resume or a one-line refusal, never a trap.
    @Test func mutatedCheckpointsNeverCrashResume() throws {
        let run = try CheckpointedRun("fuzz-checkpoint", epochs: 1)
        let checkpoint = run.out.appendingPathComponent("checkpoints/epoch-0001")
        let names = ["state.json", "optimizer.safetensors", "model.safetensors"]
        let pristine = try names.map { try Data(contentsOf: checkpoint.appendingPathComponent($0)) }
        // Without checksums, so the mutations reach the readers behind them.
        var state = try JSONSerialization.jsonObject(with: pristine[0]) as! [String: Any]
        state["checksums"] = nil
        let stateText = Array(try JSONSerialization.data(withJSONObject: state, options: [.sortedKeys]))
        let jsonFragments: [[UInt8]] = ["-3", "0", "[]", "[0,0,0,0]", "1e400", "null", "\"x\"", "{", "}", ",", "18446744073709551616", "-1"]
            .map { Array($0.utf8) }

        var refused = 0, resumed = 0
        let rounds = try fuzz(seed: 7, seconds: 1.5, minimum: 60) { round, g in
            var files = [Data(stateText), pristine[1], pristine[2]]
            let target = g.below(3)
            if target == 0 {
                var text = stateText
                for _ in 0..<(1 + g.below(2)) { g.edit(&text, fragments: jsonFragments) }
                files[0] = Data(text)
            } else {
                files[target] = Self.mutate(files[target], &g)
            }
            for (name, data) in zip(names, files) { try data.write(to: checkpoint.appendingPathComponent(name)) }
            do {
                _ = try run.resume(epochs: 1)
                resumed += 1
            } catch let error as RunError {
                refused += 1
                #expect(isOneShortLine(error.message), "round \(round): \(error.message.prefix(500))")
            }
        }
        #expect(refused > rounds / 4 && resumed > 0, "\(refused) refused, \(resumed) resumed of \(rounds)")
    }

    static let csvFragments: [[UInt8]] = ["\"", ",", "\n", "\r", "\r\n", "\"\"", "1e39", "-1e39", "3.4e38", "1e-45", "1e308", "inf", "-inf",
                                          "nan", "NA", " ", "0x1p3", "\u{0}", "\u{FEFF}", "é", "-", ".", "1e", String(repeating: "9", count: 400)]
        .map { Array($0.utf8) }

    /// CSV files with fragments inserted (quotes, separators, line ends, huge, tiny and
    /// non-finite numbers), bytes changed, lines swapped, repeated or dropped: loaded or refused
    /// in one line, and what loads is finite everywhere.
    @Test func mutatedCSVFilesNeverCrash() throws {
        let seed = Array("a,b,t,label\n1,10.5,0,x\n2,-3e5,1,y\n3,,0,x\n\"4\",5e-3,1,\"y,z\"\n5,6,0,x\n".utf8)
        let features = FieldConfig("x", .features(FeatureField(columns: .named(["a", "b"]), normalization: .zscore)))
        let configs: [(MissingValues, [FieldConfig])] = [
            (.mean, [features, FieldConfig("y", .target(column: "t"))]),
            (.drop, [features, FieldConfig("y", .label("label"))]),
            (.error, [FieldConfig("x", .features(FeatureField(columns: .allExcept(["label"]), normalization: .minmax)))]),
        ]
        let folder = temporaryFolder("fuzz-csv")
        defer { try? FileManager.default.removeItem(at: folder) }
        var refused = 0, loaded = 0
        let rounds = try fuzz(seed: 2024, seconds: 1.0, minimum: 2000) { round, g in
            var bytes = seed
            for _ in 0..<(1 + g.below(3)) {
                guard g.below(4) == 0 else { g.edit(&bytes, fragments: Self.csvFragments); continue }
                var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
                let i = g.below(lines.count), j = g.below(lines.count)
                switch g.below(3) {
                case 0: lines.swapAt(i, j)
                case 1: lines.insert(lines[i], at: j)
                default: lines.remove(at: i)
                }
                bytes = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
            }
            // Written with POSIX calls: Foundation's writes sync to disk, 4 ms a round.
            let fd = open(folder.appendingPathComponent("f.csv").path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
            let (missing, fields) = configs[round % configs.count]
            let batch: Batch
            do throws(DataError) {
                let data = try Dataset(config: DataConfig(source: .csv(CSVSource(path: "f.csv", missing: missing)), fields: fields),
                                       dataRoot: folder.path)
                batch = try data.batch(Array(0..<data.count))
            } catch {
                refused += 1
                #expect(isOneShortLine(error.description), "round \(round): \(error.description.prefix(500))")
                return
            }
            loaded += 1
            for field in batch.fields {
                let finite = field.floats?.array.allSatisfy { $0.isFinite } ?? true
                #expect(finite, "round \(round): \(field.name)")
            }
        }
        #expect(refused > rounds / 4 && loaded > rounds / 20, "\(refused) refused, \(loaded) loaded of \(rounds)")
    }
}
