import Foundation
import Testing

/// `export-onnx` as a user runs it: train, then export the run's weights; the class counts and
/// shapes come from the run, and the file is described from its own bytes.
@Suite struct ExportONNXCLITests {
    @Test func aTrainedRunExportsWithItsInterface() throws {
        let root = try FirstRunCLITests.waterRoot(rows: 40)
        let run = root.url.appendingPathComponent("run")
        let trained = try CLITests.run(["train", "specs/water_bn.yaml", "--epochs", "1", "--data-root", root.url.path, "--out", run.path])
        #expect(trained.status == 0, "\(trained.stderr)")
        let model = root.url.appendingPathComponent("water_bn.onnx")
        let exported = try CLITests.run(["export-onnx", "specs/water_bn.yaml", "--weights", run.appendingPathComponent("weights.safetensors").path,
                                         "-o", model.path])
        #expect(exported.status == 0 && exported.stderr.isEmpty, "\(exported.stderr)")
        // 3 linear layers (weight, bias) and 2 batchnorms (weight, bias, running mean and variance).
        let size = try #require(try FileManager.default.attributesOfItem(atPath: model.path)[.size] as? Int)
        #expect(exported.stdout == """
            wrote \(model.path): opset 17, 9 nodes, 14 initializers (401 floats), \(size) bytes
              input  features (batch, 9) float32
              output potability (batch, 1) float32

            """)
    }

    /// An unwritable output is a one-line error, and the spec's own problems come as diagnostics.
    @Test func badPlacesAndSpecsAreOneLineErrors() throws {
        let root = try FirstRunCLITests.waterRoot(rows: 40)
        let run = root.url.appendingPathComponent("run")
        _ = try CLITests.run(["train", "specs/water_bn.yaml", "--epochs", "1", "--data-root", root.url.path, "--out", run.path])
        let weights = run.appendingPathComponent("weights.safetensors").path
        let unwritable = try CLITests.run(["export-onnx", "specs/water_bn.yaml", "--weights", weights, "-o", "no_such_directory/m.onnx"])
        #expect(unwritable.status == 1)
        #expect(unwritable.stderr.hasPrefix("error: cannot write 'no_such_directory/m.onnx': ") && unwritable.stderr.split(separator: "\n").count == 1,
                "\(unwritable.stderr)")
        let missing = try CLITests.run(["export-onnx", "specs/water_bn.yaml", "--weights", "no_such_run/weights.safetensors", "-o", "m.onnx"])
        #expect(missing.status == 1 && missing.stderr.hasSuffix("no_such_run/weights.safetensors: cannot read: No such file or directory\n"),
                "\(missing.stderr)")
        // Weights of another spec do not fit: the state-dict check names what is missing.
        let other = try CLITests.run(["export-onnx", "specs/water_mlp.yaml", "--weights", weights, "-o", root.url.appendingPathComponent("m.onnx").path])
        #expect(other.status == 1 && other.stderr.contains("the weights do not fit this spec's model"), "\(other.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root.url.appendingPathComponent("m.onnx").path))
    }
}
