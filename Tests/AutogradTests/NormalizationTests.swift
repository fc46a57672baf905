import Autograd
import Kernels
import Testing

@Suite struct NormalizationTests {
    /// Output, running statistics and every gradient against PyTorch in both modes; rtol 1e-5,
    /// atol 1e-5, except atol 3e-4 for data at 100 ± 0.1, where float32 rounding of the mean
    /// limits both implementations (PyTorch itself is 1.1e-4 off the float64 answer there).
    @Test(arguments: Golden.cases("spatial", op: "batchnorm"))
    func matchesPyTorch(_ c: GoldenCase) {
        let x = c.input("x"), weight = c.optionalInput("weight"), bias = c.optionalInput("bias")
        let runningMean = c.input("running_mean"), runningVar = c.input("running_var")
        let y = x.batchNorm(runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias,
                            training: c.param("training")!.bool!, momentum: c.param("momentum")!.float!, eps: c.param("eps")!.float!)
        c.checkForwardAndBackward(y)
        c.checkForwardAndBackward(runningMean, key: "running_mean")
        c.checkForwardAndBackward(runningVar, key: "running_var")
        c.checkGradient(x, key: "x")
        if let weight { c.checkGradient(weight, key: "weight") }
        if let bias { c.checkGradient(bias, key: "bias") }
    }

    /// Central differences (step 1e-2, tolerance 2e-2) through the batch statistics in training
    /// and through the constant running statistics in evaluation.
    @Test(arguments: [([6, 3], true), ([3, 2, 3, 4], true), ([3, 2, 3, 4], false)])
    func finiteDifferences(shape: [Int], training: Bool) {
        var rng = RandomGenerator(seed: 31)
        let c = shape[1]
        let x = SpatialFixtures.random(Shape(shape), &rng, requiresGrad: true)
        let w = SpatialFixtures.random([c], &rng, requiresGrad: true)
        let b = SpatialFixtures.random([c], &rng, requiresGrad: true)
        let mean = SpatialFixtures.random([c], &rng), variance = Tensor.filled([c], with: 0.7)
        checkGradients([x, w, b]) {
            // Fresh running statistics each call, so training's update does not drift between calls.
            x.batchNorm(runningMean: Tensor(shape: [c], values: mean.values), runningVar: Tensor(shape: [c], values: variance.values),
                        weight: w, bias: b, training: training)
        }
    }

    @Test func gradientsAccumulate() {
        var rng = RandomGenerator(seed: 32)
        let x = SpatialFixtures.random([4, 3, 2, 5], &rng, requiresGrad: true)
        let w = SpatialFixtures.random([3], &rng, requiresGrad: true)
        let b = SpatialFixtures.random([3], &rng, requiresGrad: true)
        let up = SpatialFixtures.random([4, 3, 2, 5], &rng)
        for training in [true, false] {
            func bn() -> Tensor {
                x.batchNorm(runningMean: Tensor.zeros([3]), runningVar: Tensor.filled([3], with: 1), weight: w, bias: b, training: training)
            }
            bn().backward(gradient: up)
            let once = [x, w, b].map { $0.grad!.values }
            for t in [x, w, b] { t.setGrad(nil) }
            (bn() + bn()).backward(gradient: up)
            for (t, g) in zip([x, w, b], once) { expectClose(t.grad!.values, g.map { 2 * $0 }, tolerance: 1e-5) }
            for t in [x, w, b] { t.setGrad(nil) }
        }
    }

    /// Training normalises each channel to mean 0 and biased variance 1 (before the affine part).
    @Test func trainingNormalisesEachChannel() {
        var rng = RandomGenerator(seed: 33)
        let x = Tensor(shape: [8, 2, 3, 3], values: (0..<144).map { i in rng.normal() * 3 + (i / 9 % 2 == 0 ? 50 : -2) })
        let y = x.batchNorm(runningMean: nil, runningVar: nil, training: true, eps: 0).values
        for c in 0..<2 {
            let v: [Float] = (0..<8).flatMap { (n: Int) -> ArraySlice<Float> in
                let start = (n * 2 + c) * 9
                return y[start..<start + 9]
            }
            let mean = v.reduce(0, +) / Float(v.count)
            let variance = v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(v.count)
            #expect(abs(mean) < 1e-5)
            #expect(abs(variance - 1) < 1e-4)
        }
    }

    /// PyTorch refuses to train on one value per channel; so does specrun, with the shape in the message.
    @Test func trainingNeedsMoreThanOneValuePerChannel() async {
        await #expect(processExitsWith: .failure) {
            _ = Tensor.zeros([1, 4]).batchNorm(runningMean: nil, runningVar: nil, training: true)
        }
        // Evaluation has no such limit.
        let y = Tensor.filled([1, 4], with: 2).batchNorm(runningMean: Tensor.zeros([4]), runningVar: Tensor.filled([4], with: 1), training: false)
        expectClose(y.values, [Float](repeating: 2 / (1 + 1e-5 as Float).squareRoot(), count: 4))
    }
}
