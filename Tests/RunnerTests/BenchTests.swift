import Foundation
import Runner
import Testing

/// `specrun bench` measures; these check what it measures is complete and sane, never how fast.
@Suite struct BenchTests {
    @Test func stepsOnSyntheticDataAllocateNothingOnceWarm() throws {
        var options = BenchSession.Options(specPath: shippedSpec("water_bn"))
        options.steps = 20
        options.warmup = 3
        // The buffer pool is process-wide and tests run concurrently: another test may take a
        // cached block between two steps. A buffer the steps fail to reuse shows in every run, so
        // up to three runs are made and one must be allocation-free.
        var outcome = try BenchSession.run(options)
        for _ in 0..<2 where outcome.specrun.freshAllocationsPerStep != 0 { outcome = try BenchSession.run(options) }
        let r = outcome.specrun
        #expect(r.spec == "water_bn" && r.batchSize == 16 && r.steps == 20 && r.data == "synthetic")
        #expect(r.msPerStepMedian > 0 && r.forwardMsMedian > 0 && r.backwardMsMedian > 0 && r.optimizerMsMedian > 0)
        #expect(abs(r.samplesPerS - 16 * 1000 / r.msPerStepMedian) < 1e-6)
        #expect(r.forwardFlopsPerSample > 0 && r.peakRssMib > 0 && r.loss != nil)
        #expect(r.freshAllocationsPerStep == 0, "steady-state steps reuse every buffer")
        #expect(outcome.torch == nil)
    }

    @Test func layersModeTimesEveryLayerOnItsShapes() throws {
        var options = BenchSession.Options(specPath: shippedSpec("omniglot_two_input"))
        options.steps = 2
        options.warmup = 1
        options.batchSize = 4
        options.classes = ["alphabet": 3, "character": 5]
        options.layers = true
        let timings = try BenchSession.run(options).layerTimings
        // The fused conv2d + maxpool2d + elu is one layer standing for positions 0 to 2.
        #expect(timings.map { "\($0.node).\($0.index)-\($0.lastIndex)" } == [
            "image_layer.0-2", "image_layer.3-3", "image_layer.4-4",
            "alphabet_layer.0-0", "alphabet_layer.1-1", "classifier.0-0",
        ])
        #expect(timings[0].layer == "conv2d(1 -> 16, kernel 3, padding 1) + maxpool2d(kernel 2) + elu")
        #expect(timings[0].inputShape == [4, 1, 64, 64] && timings[2].inputShape == [4, 16384] && timings[5].inputShape == [4, 136])
        #expect(timings.allSatisfy { $0.forwardMs >= 0 && ($0.backwardMs ?? 0) >= 0 })
    }

    @Test func syntheticDataNeedsEveryClassCount() {
        var options = BenchSession.Options(specPath: shippedSpec("omniglot_two_output"))
        options.classes = ["alphabet": 3]
        #expect(throws: RunError.self) { try BenchSession.run(options) }
    }
}
