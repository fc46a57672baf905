import Foundation
import Kernels
import Testing

@Suite struct DenseKernelTests {
    /// The branch-free exp against libm's, over its whole finite range: within 2 ulp.
    @Test func vectorExpMatchesLibm() {
        var worst: Float = 0
        var x: Float = -87.3
        while x < 88.7 {
            let expected = Foundation.exp(Double(x))
            let got = Double(VectorMath.exp(x))
            worst = max(worst, Float(abs(got - expected) / (expected * Double(Float.ulpOfOne))))
            x += 0.0137
        }
        #expect(worst <= 2, "worst error \(worst) ulp")
        #expect(VectorMath.exp(0) == 1)
        #expect(VectorMath.exp(89) == .infinity)
        #expect(VectorMath.exp(-1000) == 0)
        #expect(VectorMath.exp(.nan).isNaN)
    }

    @Test func expm1IsAccurateNearZero() {
        for x: Float in [-0.34, -1e-3, -1e-6, 1e-7, 2e-4, 0.2, 0.349, 0.36, -2, 3] {
            let expected = Foundation.expm1(Double(x))
            #expect(abs(Double(VectorMath.expm1(x)) - expected) <= 4 * Double(Float.ulpOfOne) * abs(expected), "\(x)")
        }
    }

    /// ELU copies blocks of sixteen inputs with none negative: the same bits as the formula,
    /// zeros of both signs, infinity and NaN included, next to blocks and tails that compute.
    @Test func eluSkipsNonNegativeBlocksExactly() {
        var rng = RandomGenerator(seed: 8)
        var x = (0..<70).map { _ in rng.uniform(0, 3) }  // blocks 0-15, 16-31, 32-47 stay non-negative
        x[3] = 0; x[4] = -0.0; x[5] = .infinity; x[6] = .nan
        for i in 48..<70 { x[i] = rng.uniform(-3, 3) }
        x[20] = -1e-3
        let y = [Float](unsafeUninitializedCapacity: x.count) { buffer, count in
            x.withUnsafeBufferPointer { Activation.elu($0.baseAddress!, buffer.baseAddress!, count: x.count, alpha: 0.7) }
            count = x.count
        }
        for (i, v) in x.enumerated() {
            let expected = v > 0 ? v : VectorMath.expm1(v) * 0.7
            #expect(y[i].bitPattern == expected.bitPattern || (y[i].isNaN && expected.isNaN), "element \(i): \(y[i]), expected \(expected)")
        }
    }

    /// Axes merge into the fewest loops: same shape one, bias two, per-channel three.
    @Test func broadcastLayoutMergesAxes() {
        func layout(_ dims: [(Int, Bool, Bool)]) -> BroadcastLayout {
            var l = BroadcastLayout()
            for (n, a, b) in dims { l.append(size: n, a: a, b: b) }
            return l
        }
        #expect(layout([(2, true, true), (3, true, true), (4, true, true)]).rank == 1)
        #expect(layout([(32, true, false), (16, true, true)]).rank == 2)
        #expect(layout([(2, true, false), (3, true, true), (4, true, false), (4, true, false)]).rank == 3)
        #expect(layout([(2, true, true), (1, true, false), (5, true, true)]).rank == 1)
        #expect(layout([(2, true, false), (3, true, false)]).count == 6)
    }

    /// The direct small-product loop agrees with BLAS, with and without A transposed, beta 0 and not.
    @Test(arguments: [(false, Float(0)), (true, 0), (false, 0.5), (true, 0.5)])
    func smallProductMatchesBLAS(transA: Bool, beta: Float) {
        let m = 3, n = 7, k = 4
        #expect(m * n * k <= MatMul.smallProductLimit)
        var rng = RandomGenerator(seed: 2)
        let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }, b = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }
        let c0 = (0..<(m * n)).map { _ in rng.uniform(-1, 1) }
        var small = c0, blas = c0
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                let lda = transA ? m : k
                MatMul.gemm(transA: transA, transB: true, m: m, n: n, k: k, alpha: 1.5, a: pa.baseAddress!, lda: lda,
                            b: pb.baseAddress!, ldb: k, beta: beta, c: &small, ldc: n)
                BLAS.sgemm(transA: transA, transB: true, m: m, n: n, k: k, alpha: 1.5, a: pa.baseAddress!, lda: lda,
                           b: pb.baseAddress!, ldb: k, beta: beta, c: &blas, ldc: n)
            }
        }
        for (s, r) in zip(small, blas) { #expect(abs(s - r) <= 1e-5 * max(1, abs(r))) }
    }

    /// Column sums and per-channel sums through the reduction kernel against plain loops, with
    /// sizes that cross the 512-column block and the parallel split.
    @Test(arguments: [(3, 1000, 1), (40, 7, 1), (2, 5, 33), (1, 1, 140_000), (300, 600, 1)])
    func reductionMatchesLoops(outer: Int, kept: Int, inner: Int) {
        var rng = RandomGenerator(seed: 3)
        let x = (0..<(outer * kept * inner)).map { _ in rng.uniform(-1, 1) }
        var expected = [Double](repeating: 0, count: kept)
        for o in 0..<outer { for k in 0..<kept { for i in 0..<inner { expected[k] += Double(x[(o * kept + k) * inner + i]) } } }
        var got = [Float](repeating: 1, count: kept)
        Reduction.sum(x, outer: outer, kept: kept, inner: inner, into: &got, scale: 0.5, accumulate: true)
        for k in 0..<kept {
            #expect(abs(Double(got[k]) - (1 + 0.5 * expected[k])) <= 1e-4 * max(1, abs(expected[k])))
        }
    }
}
