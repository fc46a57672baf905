import Kernels
import Testing

@Suite struct BLASTests {
    @Test func loadsAndReportsCore() throws {
        let status = try BLAS.load()
        #expect(!status.library.isEmpty)
        // On a CPU with AVX2 or AVX-512, specrun never runs OpenBLAS's pre-AVX fallback kernels.
        if CPUFeatures.current.bestOpenBLASCore != nil {
            #expect(!BLAS.fallbackCores.contains(status.coreName.lowercased()), "\(status)")
        }
    }

    /// sgemm with every transpose combination against a naive triple loop: small products (one
    /// call), and large ones that are split by columns (n >= m) or by rows across the threads.
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)], [(5, 7, 3), (40, 300, 30), (300, 40, 30)])
    func sgemmMatchesNaiveProduct(transpose: (Bool, Bool), size: (Int, Int, Int)) {
        let (transA, transB) = transpose
        let (m, n, k) = size
        var rng = RandomGenerator(seed: 1)
        let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }
        let b = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }
        var c = [Float](repeating: 0.5, count: m * n)
        func aAt(_ i: Int, _ p: Int) -> Float { transA ? a[p * m + i] : a[i * k + p] }
        func bAt(_ p: Int, _ j: Int) -> Float { transB ? b[j * k + p] : b[p * n + j] }
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 2,
                               a: pa.baseAddress!, lda: transA ? m : k, b: pb.baseAddress!, ldb: transB ? k : n,
                               beta: 1, c: pc.baseAddress!, ldc: n)
                }
            }
        }
        for i in 0..<m {
            for j in 0..<n {
                let expected = 0.5 + 2 * (0..<k).reduce(Float(0)) { $0 + aAt(i, $1) * bAt($1, j) }
                #expect(abs(c[i * n + j] - expected) <= 1e-4 * max(1, abs(expected)))
            }
        }
    }

    /// specrun's own product (chosen over OpenBLAS in AVX-512 builds; tested on every build) against
    /// a naive loop, in sizes that cross each of its blocks: k past one `kc` block (beta applies
    /// to the first block only), m past `mc` and past `2 mc` (where B is copied), n past `nc`,
    /// edges that are not whole tiles, and C wider than the product; alpha 1 (operands read in
    /// place where their layout allows) and not. With beta == 0, C starts as NaN: it must be
    /// written, never read.
    /// Differences are relative to the sum of the products' magnitudes, which float32 rounding
    /// scales with (a sum that cancels to near 0 still carries the rounding of its terms).
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)],
          [(5, 7, 3, Float(0), Float(1)), (25, 70, 300, 0.5, -1.5), (40, 40, 600, 0, 1), (150, 33, 17, 1, 1),
           (13, 1100, 9, 0, 1), (12, 32, 256, 1, -1.5), (24, 64, 40, 0, 1), (300, 40, 20, 0.5, 1)])
    func packedGEMMMatchesNaiveProduct(transpose: (Bool, Bool), size: (Int, Int, Int, Float, Float)) {
        let (transA, transB) = transpose
        let (m, n, k, beta, alpha) = size
        let ldc = n + 3
        var rng = RandomGenerator(seed: 2)
        let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }
        let b = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }
        let start = (0..<(m * ldc)).map { _ in beta == 0 ? Float.nan : rng.uniform(-1, 1) }
        var c = start
        func aAt(_ i: Int, _ p: Int) -> Double { Double(transA ? a[p * m + i] : a[i * k + p]) }
        func bAt(_ p: Int, _ j: Int) -> Double { Double(transB ? b[j * k + p] : b[p * n + j]) }
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    PackedGEMM.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                                    a: pa.baseAddress!, lda: transA ? m : k, b: pb.baseAddress!, ldb: transB ? k : n,
                                    beta: beta, c: pc.baseAddress!, ldc: ldc)
                }
            }
        }
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                let product = (0..<k).reduce(0.0) { $0 + aAt(i, $1) * bAt($1, j) }
                let magnitude = (0..<k).reduce(0.0) { $0 + abs(aAt(i, $1) * bAt($1, j)) }  // what rounding scales with
                let previous = beta == 0 ? 0 : Double(beta) * Double(start[i * ldc + j])
                let expected = Double(alpha) * product + previous
                worst = max(worst, abs(Double(c[i * ldc + j]) - expected) / max(1, abs(Double(alpha)) * magnitude + abs(previous)))
            }
            for j in n..<ldc { #expect(c[i * ldc + j].bitPattern == start[i * ldc + j].bitPattern, "column \(j) past n was written") }
        }
        #expect(worst <= 1e-5, "largest relative difference \(worst)")
    }

    @Test func chunksAreAlignedAndCoverTheRange() {
        #expect(Parallel.chunks(300, parts: 2, alignment: 16) == [0..<144, 144..<300])
        #expect(Parallel.chunks(20, parts: 4, alignment: 16) == [0..<16, 16..<20])
        #expect(Parallel.chunks(10, parts: 2, alignment: 16) == [0..<10])
    }

    @Test func coreChoiceFollowsCPUFlags() {
        #expect(CPUFeatures(cpuinfo: "flags\t: fpu sse3 avx avx2 fma avx512f avx512bw avx512dq avx512vl avx512cd").bestOpenBLASCore == "SKYLAKEX")
        #expect(CPUFeatures(cpuinfo: "flags\t: fpu sse3 avx avx2 fma").bestOpenBLASCore == "HASWELL")
        #expect(CPUFeatures(cpuinfo: "flags\t: fpu sse3").bestOpenBLASCore == nil)
    }
}
