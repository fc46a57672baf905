import Autograd
import Kernels
import Testing

@Suite struct ConvolutionTests {
    /// Forward and every gradient against PyTorch; tolerances per case in tools/goldens/spatial.py
    /// (rtol 1e-5, atol 1e-5 for all conv cases).
    @Test(arguments: Golden.cases("spatial", op: "conv2d"))
    func matchesPyTorch(_ c: GoldenCase) {
        let x = c.input("x"), weight = c.input("weight"), bias = c.optionalInput("bias")
        let y = x.conv2d(weight, bias: bias, stride: c.intOrPair("stride"), padding: c.intOrPair("padding"),
                         dilation: c.intOrPair("dilation"))
        c.checkForwardAndBackward(y)
        if x.requiresGrad { c.checkGradient(x, key: "x") } else { #expect(x.grad == nil) }
        c.checkGradient(weight, key: "weight")
        if let bias { c.checkGradient(bias, key: "bias") }
    }

    /// Central differences, step 1e-2, tolerance 5e-3 relative: the conv is linear in each input,
    /// so only Float rounding separates the two.
    @Test(arguments: [
        (IntOrPair(1), IntOrPair(1), IntOrPair(1), [2, 2, 5, 6], [3, 2, 3, 3]),           // the direct forward
        (IntOrPair(2, 1), IntOrPair(1, 2), IntOrPair(1, 2), [2, 3, 9, 10], [4, 3, 3, 2]),  // im2col, everything uneven
        (IntOrPair(1), IntOrPair(0), IntOrPair(2), [1, 2, 11, 11], [2, 2, 3, 3]),
    ])
    func finiteDifferences(stride: IntOrPair, padding: IntOrPair, dilation: IntOrPair, xShape: [Int], wShape: [Int]) {
        var rng = RandomGenerator(seed: 11)
        let x = SpatialFixtures.random(Shape(xShape), &rng, requiresGrad: true)
        let w = SpatialFixtures.random(Shape(wShape), &rng, requiresGrad: true)
        let b = SpatialFixtures.random([wShape[0]], &rng, requiresGrad: true)
        checkGradients([x, w, b], tolerance: 5e-3) {
            x.conv2d(w, bias: b, stride: stride, padding: padding, dilation: dilation)
        }
    }

    /// An input used twice receives the sum of both gradients (the accumulate path of every pass).
    @Test func gradientsAccumulate() {
        var rng = RandomGenerator(seed: 3)
        for size in [6, 12] {  // direct and im2col forwards
            let x = SpatialFixtures.random([2, 3, size, size], &rng, requiresGrad: true)
            let w = SpatialFixtures.random([4, 3, 3, 3], &rng, requiresGrad: true)
            let b = SpatialFixtures.random([4], &rng, requiresGrad: true)
            expectGradientsAccumulate([x, w, b], upstream: SpatialFixtures.random([2, 4, size, size], &rng)) {
                x.conv2d(w, bias: b, padding: 1)
            }
        }
    }

    @Test func noBackwardWithoutGradients() {
        var rng = RandomGenerator(seed: 4)
        let y = SpatialFixtures.random([1, 1, 8, 8], &rng).conv2d(SpatialFixtures.random([2, 1, 3, 3], &rng), padding: 1)
        #expect(!y.requiresGrad)
        #expect(y.shape == [1, 2, 8, 8])
    }

    /// The seed's block (conv 1->16 3x3, max-pool 2, ...) reuses its buffers from the second step on.
    @Test func steadyStateReusesBuffers() {
        var rng = RandomGenerator(seed: 5)
        let x = SpatialFixtures.random([4, 1, 16, 16], &rng)
        let w = SpatialFixtures.random([16, 1, 3, 3], &rng, requiresGrad: true)
        let b = SpatialFixtures.random([16], &rng, requiresGrad: true)
        let up = SpatialFixtures.random([4, 16, 8, 8], &rng)
        expectSteadyStateReusesBuffers {
            x.conv2d(w, bias: b, padding: 1).maxPool2d(kernelSize: 2).backward(gradient: up)
            w.setGrad(nil)
            b.setGrad(nil)
        }
    }
}
