import Foundation
import Runner
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
            (header(#"{"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}}"#, data: 4), "unsupported dtype Q7"),
            (header(#"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,4]}}"#, data: 4), "overflows"),
            (header(#"{"__metadata__":{"k":1}}"#), "__metadata__ must map strings to strings"),
        ]
        for (data, message) in cases {
            #expect {
                _ = try SafeTensors(decoding: data)
            } throws: { error in
                "\(error)".contains(message)
            }
        }
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
