import Foundation
import Runner
import Testing

/// One real epoch of every shipped spec on ../shared/data, when it is beside the repository, but
/// omniglot_cnn: its real epoch takes 15 s on two cores, too long for CI, and the fixtures train it
/// (TrainingTests). Runs in release builds (CI's); a debug build, where the engine is
/// unoptimised, runs it with SPECRUN_REAL_DATA=1.
@Suite(.serialized, .enabled(if: RealData.available)) struct RealDataTests {
    /// image_manifest describes a layout (a CSV listing images) that no public data set here has;
    /// the fixtures make one for it. omniglot_cnn's real epoch takes about 15 s on two cores.
    static let specs = TrainingTests.specs.filter { $0 != "image_manifest" && $0 != "omniglot_cnn" }

    @Test(arguments: specs) func shippedSpecTrainsOneRealEpoch(_ spec: String) throws {
        let out = temporaryFolder("real-\(spec)")
        defer { try? FileManager.default.removeItem(at: out) }
        var options = TrainSession.Options(specPath: shippedSpec(spec))
        options.overrides = SpecOverrides(epochs: 1)
        options.dataRoot = RealData.root.path
        options.out = out.path
        let outcome = try TrainSession.run(options, reporter: RecordingReporter())
        let test = try #require(outcome.heldOut.first)
        // The water specs hold out 20% of the 2,011 complete rows of the public file.
        let expectedTest = ["water_mlp": 402, "water_bn": 402, "water_hardness": 402, "water_regression": 402, "omniglot_two_input": 968,
                            "omniglot_two_output": 968]
        #expect(test.samples == expectedTest[spec])
        #expect(test.loss.isFinite)
        let weights = try SavedWeights(path: out.appendingPathComponent("weights.safetensors").path)
        if spec.hasPrefix("omniglot") {
            #expect(weights.dataStatistics?.classes["alphabet"]?.count == 8)
            #expect(weights.dataStatistics?.classes["character"]?.count == 242)
        }
    }
}

enum RealData {
    static let root = repositoryRoot.appendingPathComponent("../shared/data").standardized

    static var available: Bool {
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent("omniglot/images_background").path) else { return false }
        #if DEBUG
        return ProcessInfo.processInfo.environment["SPECRUN_REAL_DATA"] == "1"
        #else
        return true
        #endif
    }
}
