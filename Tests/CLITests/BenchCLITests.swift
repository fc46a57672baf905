import Foundation
import Testing

/// `specrun bench --layers --format json` as a user runs it, with a stand-in for PyTorch: a script
/// that prints fixed per-layer times in the twin's format, so no torch is needed.
@Suite struct BenchCLITests {
    /// Every JSON line carries PyTorch's times; a fused layer gets the sum over the layers it stands
    /// for, and a layer PyTorch did not report gets null.
    @Test func layersJSONCarriesPyTorchTimes() throws {
        let folder = try TemporaryFolder()
        let fake = folder.url.appendingPathComponent("fake-python")
        let lines = [("image_layer", 0, 1.0, 0.5), ("image_layer", 1, 2.0, 0.5), ("image_layer", 2, 4.0, 0.5),
                     ("image_layer", 3, 0.25, 0.125), ("image_layer", 4, 3.0, 6.0), ("classifier_alpha", 0, 0.75, 1.5)]
        let printed = lines.map { #"{"node": "\#($0.0)", "index": \#($0.1), "forward_ms": \#($0.2), "backward_ms": \#($0.3)}"# }
        try ("#!/bin/sh\n" + printed.map { "echo '\($0)'" }.joined(separator: "\n") + "\n").write(to: fake, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)

        let run = try CLITests.run(["bench", "specs/omniglot_two_output.yaml", "--layers", "--format", "json", "--steps", "1",
                                    "--warmup", "0", "--batch-size", "2", "--classes", "alphabet=3", "--classes", "character=5",
                                    "--compare-torch", fake.path])
        #expect(run.status == 0, "\(run.stderr)")
        let rows = run.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let got = rows.map { row in
            ["node", "index", "last_index", "torch_forward_ms", "torch_backward_ms"].map { row[$0].map { "\($0)" } ?? "missing" }
        }.map { "\($0[0]).\($0[1])-\($0[2]) \($0[3]) \($0[4])" }
        #expect(got == ["image_layer.0-2 7 1.5", "image_layer.3-3 0.25 0.125", "image_layer.4-4 3 6",
                        "classifier_alpha.0-0 0.75 1.5", "classifier_char.0-0 <null> <null>"])
        #expect(rows.allSatisfy { ($0["forward_ms"] as? Double).map { $0 >= 0 } == true })
    }
}
