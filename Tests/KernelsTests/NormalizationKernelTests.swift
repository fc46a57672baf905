import Kernels
import Testing

@Suite struct NormalizationKernelTests {
    /// The row-by-row kernels for [N, C] features against per-channel loops written out plainly:
    /// every channel's sums in row order in Double, each term rounded to Float first. They must
    /// agree to the bit: vector bodies and scalar tails (C not a multiple of 8), one band or two
    /// across the threads (N C at least 32,768), with and without weight and bias.
    @Test(arguments: [(7, 13, true), (64, 300, false), (40, 1024, true)])
    func rowKernelsMatchPerChannelLoops(rows n: Int, channels c: Int, affine: Bool) {
        var rng = RandomGenerator(seed: 41)
        func random(_ count: Int, _ lo: Float = -2, _ hi: Float = 2) -> [Float] { (0..<count).map { _ in rng.uniform(lo, hi) } }
        let x = random(n * c).map { $0 + 3 }, dy = random(n * c)
        let weight = affine ? random(c, 0.5, 1.5) : nil, bias = affine ? random(c) : nil
        let layout = ChannelLayout(batch: n, channels: c, spatial: 1)

        // Statistics.
        var mean = [Double](repeating: 0, count: c), squares = mean
        BatchNorm.statistics(x: x, layout: layout, mean: &mean, sumSquares: &squares)
        var expectedMean = [Double](repeating: 0, count: c), expectedSquares = expectedMean
        for j in 0..<c {
            var sum = 0.0
            for r in 0..<n { sum += Double(x[r * c + j]) }
            expectedMean[j] = sum / Double(n)
            let centre = Float(expectedMean[j]), low = Float(expectedMean[j] - Double(centre))
            var q = 0.0
            for r in 0..<n { let d = (x[r * c + j] - centre) - low; q += Double(d * d) }
            expectedSquares[j] = q
        }
        #expect(mean == expectedMean && squares == expectedSquares)

        // Output.
        let mu = mean.map { Float($0) }, invstd = squares.map { Float(1 / ($0 / Double(n) + 1e-5).squareRoot()) }
        let alpha = (0..<c).map { invstd[$0] * (weight?[$0] ?? 1) }
        var y = [Float](repeating: .nan, count: n * c)
        BatchNorm.normalize(x: x, y: &y, layout: layout, mean: mu, alpha: alpha, bias: bias)
        #expect(y == (0..<n * c).map { i in (x[i] - mu[i % c]) * alpha[i % c] + (bias?[i % c] ?? 0) })

        // Gradient sums.
        var sumDy = [Double](repeating: 0, count: c), sumDyCentered = sumDy
        BatchNorm.gradientSums(dy: dy, x: x, mean: mu, layout: layout, sumDy: &sumDy, sumDyCentered: &sumDyCentered)
        var expectedDy = [Double](repeating: 0, count: c), expectedCentered = expectedDy
        for j in 0..<c {
            for r in 0..<n {
                expectedDy[j] += Double(dy[r * c + j])
                expectedCentered[j] += Double(dy[r * c + j] * (x[r * c + j] - mu[j]))
            }
        }
        #expect(sumDy == expectedDy && sumDyCentered == expectedCentered)

        // Input gradient, training and evaluation, written and accumulated.
        let gradMean = sumDy.map { Float($0 / Double(n)) }
        let k = (0..<c).map { Float(sumDyCentered[$0] * Double(invstd[$0]) * Double(invstd[$0]) / Double(n)) }
        for training in [true, false] {
            func expected(_ i: Int) -> Float {
                let j = i % c, w = weight?[j] ?? 1
                return training ? (dy[i] - gradMean[j] - (x[i] - mu[j]) * k[j]) * invstd[j] * w : dy[i] * invstd[j] * w
            }
            var dx = [Float](repeating: .nan, count: n * c)
            BatchNorm.inputGradient(dy: dy, x: x, dx: &dx, layout: layout, mean: mu, invstd: invstd, weight: weight,
                                    gradMean: training ? gradMean : nil, k: training ? k : nil, accumulate: false)
            #expect(dx == (0..<n * c).map(expected), "training \(training)")
            BatchNorm.inputGradient(dy: dy, x: x, dx: &dx, layout: layout, mean: mu, invstd: invstd, weight: weight,
                                    gradMean: training ? gradMean : nil, k: training ? k : nil, accumulate: true)
            #expect(dx == (0..<n * c).map { expected($0) + expected($0) }, "training \(training), accumulated")
        }
    }
}
