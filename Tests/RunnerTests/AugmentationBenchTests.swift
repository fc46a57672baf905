import DataPipeline
import Foundation
import Runner
import TestSupport
import Testing

/// `specrun bench --augmentation`: the pipeline's side always, torchvision's where it is installed.
@Suite struct AugmentationBenchTests {
    @Test func timesTheAugmentedTrainingBatches() throws {
        let root = try FixtureRoot()
        defer { root.remove() }
        let report = try AugmentationBench.run(specPath: shippedSpec("image_manifest"), dataRoot: root.path, torchPython: nil, rounds: 1)
        #expect(report.images == 24 && report.shape == [3, 32, 32])
        #expect(report.transforms == ["random_crop", "random_horizontal_flip", "random_affine", "color_jitter", "random_erasing"])
        #expect(report.imagesPerS > 0 && report.plainImagesPerS > 0 && report.torchImagesPerS == nil)
        // A spec without augmentation has nothing to time.
        #expect(throws: RunError.self) { try AugmentationBench.run(specPath: shippedSpec("omniglot_two_output"), dataRoot: root.path, torchPython: nil) }
    }

    /// torchvision runs the same Compose: the rendering of every transform is valid Python for it.
    @Test(.enabled(if: TorchvisionPython.path != nil, "needs torchvision beside torch"))
    func torchvisionRunsTheSameTransforms() throws {
        let root = try FixtureRoot()
        defer { root.remove() }
        let report = try AugmentationBench.run(specPath: shippedSpec("image_manifest"), dataRoot: root.path,
                                               torchPython: TorchvisionPython.path, rounds: 1)
        #expect((report.torchImagesPerS ?? 0) > 0)
        #expect(report.torchCompose?.hasPrefix("v2.Compose([v2.RandomCrop(size=(32, 32), padding=[4, 4, 4, 4]") == true)
    }
}
