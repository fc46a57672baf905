import Autograd
import Kernels
import Testing

@Suite struct PoolingTests {
    /// Forward and input gradient against PyTorch, ties and overlapping windows included;
    /// rtol 1e-6, atol 1e-6 for every case (max pooling is exact, averages round once).
    @Test(arguments: Golden.cases("spatial", op: "maxpool2d") + Golden.cases("spatial", op: "avgpool2d"))
    func matchesPyTorch(_ c: GoldenCase) {
        let x = c.input("x")
        let (kernel, stride, padding) = (c.intOrPair("kernel"), c.intOrPair("stride"), c.intOrPair("padding"))
        let y = c.op == "maxpool2d"
            ? x.maxPool2d(kernelSize: kernel, stride: stride, padding: padding)
            : x.avgPool2d(kernelSize: kernel, stride: stride, padding: padding)
        c.checkForwardAndBackward(y)
        c.checkGradient(x, key: "x")
    }

    /// Central differences with a step of 1e-3 relative (below half the 0.1 spacing of the inputs,
    /// so no window changes its maximum), tolerance 1e-2.
    @Test(arguments: [(IntOrPair(2), IntOrPair(2), IntOrPair(0)), (IntOrPair(3), IntOrPair(2), IntOrPair(1)),
                      (IntOrPair(2, 3), IntOrPair(1, 2), IntOrPair(1, 1))])
    func finiteDifferences(kernel: IntOrPair, stride: IntOrPair, padding: IntOrPair) {
        var rng = RandomGenerator(seed: 21)
        let x = SpatialFixtures.distinct([2, 2, 7, 9], &rng, requiresGrad: true)
        checkGradients([x], eps: 1e-3, tolerance: 1e-2) { x.maxPool2d(kernelSize: kernel, stride: stride, padding: padding) }
        checkGradients([x], eps: 1e-3, tolerance: 1e-2) { x.avgPool2d(kernelSize: kernel, stride: stride, padding: padding) }
    }

    @Test(arguments: [(IntOrPair(2), IntOrPair(2), IntOrPair(0)), (IntOrPair(3), IntOrPair(1), IntOrPair(1))])
    func gradientsAccumulate(kernel: IntOrPair, stride: IntOrPair, padding: IntOrPair) {
        var rng = RandomGenerator(seed: 22)
        let x = SpatialFixtures.distinct([1, 3, 9, 20], &rng, requiresGrad: true)
        for average in [false, true] {
            func pool() -> Tensor {
                average ? x.avgPool2d(kernelSize: kernel, stride: stride, padding: padding)
                        : x.maxPool2d(kernelSize: kernel, stride: stride, padding: padding)
            }
            let probe = pool()
            let up = SpatialFixtures.random(probe.shape, &rng)
            pool().backward(gradient: up)
            let once = x.grad!.values
            x.setGrad(nil)
            (pool() + pool()).backward(gradient: up)
            expectClose(x.grad!.values, once.map { 2 * $0 })
            x.setGrad(nil)
        }
    }

    /// NaN wins its window, as in PyTorch, on both the 2x2 and the general path.
    @Test func maxPoolingPropagatesNaN() {
        let values: [Float] = [1, .nan, 3, 4,
                               5, 6, 7, 8,
                               9, 10, 11, 12,
                               13, 14, 15, 16]
        let x = Tensor(shape: [1, 1, 4, 4], values: values, requiresGrad: true)
        for y in [x.maxPool2d(kernelSize: 2), x.maxPool2d(kernelSize: 2, stride: 1)] {
            #expect(y.values[0].isNaN)
            #expect(y.values[1...].contains { !$0.isNaN })
        }
        let y = x.maxPool2d(kernelSize: 2)
        y.backward(gradient: Tensor(shape: y.shape, values: [1, 2, 3, 4]))
        #expect(x.grad!.values == [0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4])
    }

    @Test func pooledSizeFollowsFloor() {
        let x = Tensor.zeros([2, 3, 7, 9])
        #expect(x.maxPool2d(kernelSize: 2).shape == [2, 3, 3, 4])
        #expect(x.maxPool2d(kernelSize: 3, stride: 2, padding: 1).shape == [2, 3, 4, 5])
        #expect(x.avgPool2d(kernelSize: [2, 3], stride: [1, 2]).shape == [2, 3, 6, 4])
    }
}
