import Kernels
import Testing

@Suite struct PoolingKernelTests {
    /// 2x2 max pooling on the vector path (rows of 8 outputs or more), the narrow path (rows of
    /// fewer, gathered 8 outputs at a time across rows), their overlapping last blocks and planes of
    /// fewer than 8 outputs (one at a time), against a plain loop: the first maximum in row-major
    /// window order, the last NaN winning over everything, as PyTorch's CPU kernel; the gradient
    /// goes where it came from. Values are on a coarse grid so that ties are common.
    @Test(arguments: [(3, 8, 8), (2, 7, 9), (1, 6, 30), (2, 5, 5)])
    func halvingMatchesPlainLoop(planes: Int, height: Int, width: Int) {
        var rng = RandomGenerator(seed: 77)
        let x = (0..<planes * height * width).map { _ in rng.nextInt(below: 20) == 0 ? Float.nan : Float(rng.nextInt(below: 5)) / 2 }
        let g = PoolGeometry(planes: planes, height: height, width: width, window: Window2D(kernel: (2, 2), stride: (2, 2)))
        let count = planes * g.outHeight * g.outWidth
        var y = [Float](repeating: 0, count: count), expectedY = y
        var dx = [Float](repeating: .nan, count: x.count), expectedDx = [Float](repeating: 0, count: x.count)
        let dy = (0..<count).map { Float($0 + 1) }
        for p in 0..<planes {
            for i in 0..<g.outHeight {
                for j in 0..<g.outWidth {
                    var best = -Float.infinity, at = 0
                    for (di, dj) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                        let k = (p * height + 2 * i + di) * width + 2 * j + dj
                        if x[k] > best || x[k].isNaN { best = x[k]; at = k }  // PyTorch's test: a later NaN wins too
                    }
                    let out = (p * g.outHeight + i) * g.outWidth + j
                    expectedY[out] = best
                    expectedDx[at] = dy[out]
                }
            }
        }
        let indices = Pooling.maxForward(x: x, y: &y, geometry: g)
        Pooling.maxBackward(dy: dy, indices: indices, dx: &dx, geometry: g, accumulate: false)
        #expect(zip(y, expectedY).allSatisfy { $0 == $1 || $0.isNaN && $1.isNaN })
        #expect(dx == expectedDx)
    }
}
