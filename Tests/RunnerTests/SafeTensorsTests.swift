import Foundation
import Runner
import TestSupport
import Testing

@Suite struct SafeTensorsTests {
    let sample = SafeTensors(entries: [
        .init(name: "embedding.0.weight", shape: [2, 3], floats: [1, -2, 3.5, 0, .leastNonzeroMagnitude, -0.0]),
        .init(name: "bn.num_batches_tracked", shape: [], int64s: [7]),
        .init(name: "empty", shape: [0, 4], floats: []),
    ], metadata: ["format": "pt", "specrun.classes": "{\"a\":[\"x\",\"y\"]}"])

    @Test func roundTripsBitForBit() throws {
        let data = sample.encoded()
        let headerLength = data.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        #expect((8 + headerLength) % 8 == 0, "data starts 8-byte aligned")
        let back = try SafeTensors(decoding: data)
        #expect(back == sample)
        #expect(back["embedding.0.weight"]?.floats?.map(\.bitPattern) == sample.entries[0].floats?.map(\.bitPattern))
    }

    @Test func refusesHostileFiles() {
        func header(_ json: String, data: Int = 0) -> Data {
            var d = Data()
            withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { d.append(contentsOf: $0) }
            d.append(Data(json.utf8))
            d.append(Data(count: data))
            return d
        }
        let cases: [(Data, String)] = [
            (Data([1, 2, 3]), "shorter than the 8-byte header length"),
            (header("[]"), "header is not a JSON object"),
            (Data([255, 255, 255, 255, 255, 255, 255, 127]), "does not fit"),
            (header(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}}"#, data: 16), "16 bytes for shape [2]"),
            (header(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: 8), "4 bytes after the last tensor"),
            (header(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: 8), "hole in the data"),
            (header(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: 8), "overlaps"),
            (header(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,400]}}"#, data: 4), "outside the 4 data bytes"),
            (header(#"{"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}}"#, data: 4), "unsupported dtype 'Q7'"),
            (header(#"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,4]}}"#, data: 4), "overflows"),
            (header(#"{"__metadata__":{"k":1}}"#), "__metadata__ must map strings to strings"),
            // These trapped while the message was being built (count * dtype.size overflowed).
            (header(#"{"a":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,4]}}"#, data: 4),
             "tensor 'a': 4 bytes for shape [4611686018427387904] of F32 (needs more than 9223372036854775807)"),
            (header(#"{"a":{"dtype":"F32","shape":[2147483648,2147483648],"data_offsets":[0,4]}}"#, data: 4),
             "tensor 'a': 4 bytes for shape [2147483648, 2147483648] of F32 (needs more than 9223372036854775807)"),
            (header(#"{"a":{"dtype":"F32","shape":[18446744073709551616],"data_offsets":[0,4]}}"#, data: 4),
             "tensor 'a': needs dtype, shape and two data_offsets"),
        ]
        for (data, message) in cases {
            #expect {
                _ = try SafeTensors(decoding: data)
            } throws: { error in
                "\(error)".contains(message)
            }
        }
    }

    /// A header's cost is bounded before it is parsed: its size, then how many keys and values
    /// it holds (a 1M-key header took 4 GB and 24 s to parse before its clear error).
    @Test func headersAreBoundedBeforeTheyAreParsed() throws {
        func file(_ json: [UInt8]) -> Data {
            var d = Data()
            withUnsafeBytes(of: UInt64(json.count).littleEndian) { d.append(contentsOf: $0) }
            d.append(contentsOf: json)
            return d
        }
        var keys: [UInt8] = Array("{".utf8)
        for i in 0..<300_000 { keys += Array("\"k\(i)\":{},".utf8) }
        keys[keys.count - 1] = UInt8(ascii: "}")
        func message(_ data: Data) -> String? {
            do throws(SafeTensorsError) { _ = try SafeTensors(decoding: data) } catch { return error.message }
            return nil
        }
        #expect(message(file(keys)) == "header holds 599999 keys and values, more than the 262144 accepted")
        let large = [UInt8](repeating: UInt8(ascii: " "), count: SafeTensors.maxHeaderBytes + 1)
        #expect(message(file(large)) == "header of 16777217 bytes is larger than the 16777216 accepted")
        // Commas and colons inside strings are text, not values: long metadata is fine.
        let text = String(repeating: "a,b:\\\"", count: 100_000)
        let metadata = SafeTensors(metadata: ["classes": text]).encoded()
        #expect(message(metadata) == nil)
        #expect(try SafeTensors(decoding: metadata).metadata["classes"] == text)
    }

    /// The format as PyTorch reads it, when a Python with torch and safetensors is at hand
    /// (SPECRUN_TORCH_PYTHON, else /tmp/torchenv/bin/python); skipped otherwise.
    @Test(.enabled(if: TorchPython.path != nil)) func loadsInPyTorch() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("specrun-st-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("w.safetensors")
        try AtomicFile.write(sample.encoded(), to: file)
        let out = try TorchPython.run("""
            from safetensors.torch import load_file
            t = load_file("\(file.path)")
            print(t["embedding.0.weight"].tolist(), t["bn.num_batches_tracked"].item(), tuple(t["empty"].shape))
            """)
        #expect(out.trimmingCharacters(in: .whitespacesAndNewlines) == "[[1.0, -2.0, 3.5], [0.0, 1.401298464324817e-45, -0.0]] 7 (0, 4)")
    }
}
