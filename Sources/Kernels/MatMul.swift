/// Matrix products for the autograd engine: OpenBLAS, except for the tiny products with B read
/// transposed (a linear layer's forward at batch 2), where its call costs more than the work.
public enum MatMul {
    /// Products with B transposed and at most this many multiply-adds skip BLAS. Measured on this
    /// machine (release build, best of 5): [2,16,9] 82 ns direct vs 136 ns OpenBLAS, [2,1,8] 18
    /// vs 103, [16,9,2] 172 vs 178, [4,32,32] 1114 vs 193. Without the transpose OpenBLAS takes
    /// about 30 ns at these sizes and is never slower, so it always does those.
    public static let smallProductLimit = 320

    /// C = alpha * op(A) * op(B) + beta * C, as `BLAS.sgemm` (row-major; op(A) is m x k, op(B) is
    /// k x n). When beta == 0, C is only written, never read.
    @inline(__always)
    public static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if transB && m * n * k <= smallProductLimit {
            smallGemmTransposedB(transA: transA, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                                 b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        } else {
            BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                       b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
    }

    /// C = alpha op(A) Bᵀ + beta C directly: each element is a dot product of a row of op(A) with
    /// a row of B, four columns of C at a time so that four independent sums share each load of A.
    static func smallGemmTransposedB(
        transA: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let (aRow, aStep) = transA ? (1, lda) : (lda, 1)  // A(i, p) = a[i * aRow + p * aStep]
        for i in 0..<m {
            let ai = a + i * aRow, ci = c + i * ldc
            var j = 0
            while j + 4 <= n {
                let b0 = b + j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb
                var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
                for p in 0..<k {
                    let x = ai[p * aStep]
                    s0 += x * b0[p]; s1 += x * b1[p]; s2 += x * b2[p]; s3 += x * b3[p]
                }
                if beta == 0 {
                    ci[j] = alpha * s0; ci[j + 1] = alpha * s1; ci[j + 2] = alpha * s2; ci[j + 3] = alpha * s3
                } else {
                    ci[j] = alpha * s0 + beta * ci[j]; ci[j + 1] = alpha * s1 + beta * ci[j + 1]
                    ci[j + 2] = alpha * s2 + beta * ci[j + 2]; ci[j + 3] = alpha * s3 + beta * ci[j + 3]
                }
                j += 4
            }
            while j < n {
                let bj = b + j * ldb
                var s: Float = 0
                for p in 0..<k { s += ai[p * aStep] * bj[p] }
                ci[j] = beta == 0 ? alpha * s : alpha * s + beta * ci[j]
                j += 1
            }
        }
    }

    /// y (columns x rows) = xᵀ for x (rows x columns), plus `rowAdd[c]` on every element of
    /// y's row c when given (a bias on the transposed result).
    public static func transpose(_ x: UnsafePointer<Float>, rows: Int, columns: Int, into y: UnsafeMutablePointer<Float>,
                                 adding rowAdd: UnsafePointer<Float>?) {
        for c in 0..<columns {
            let yc = y + c * rows
            if let rowAdd {
                for r in 0..<rows { yc[r] = x[r * columns + c] + rowAdd[r] }
            } else {
                for r in 0..<rows { yc[r] = x[r * columns + c] }
            }
        }
    }

    /// Every row of y (rows x n) set to `row` (n values): where a linear layer's output starts
    /// before the product is added with beta = 1.
    public static func fillRows(_ y: UnsafeMutablePointer<Float>, rows: Int, with row: UnsafePointer<Float>, n: Int) {
        Parallel.forEachChunk(rows, grain: max(1, 16_384 / max(n, 1))) { range in
            for r in range { (y + r * n).update(from: row, count: n) }
        }
    }
}
