/// Matrix products for the autograd engine: BLAS for real work, a direct loop for products so
/// small that calling BLAS costs more than computing them (a batch of 2 through a 9-16-8-1 MLP).
public enum MatMul {
    /// Products with at most this many multiply-adds skip BLAS.
    public static let smallProductLimit = 4_096

    /// C = alpha * op(A) * op(B) + beta * C, as `BLAS.sgemm` (row-major; op(A) is m x k, op(B) is
    /// k x n). When beta == 0, C is only written, never read.
    @inline(__always)
    public static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if m * n * k <= smallProductLimit {
            smallGemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                      b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        } else {
            BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                       b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
    }

    /// The direct product: each C element is one dot product over k, with the operands' element
    /// strides worked out once for the four transpose cases.
    static func smallGemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let (aRow, aStep) = transA ? (1, lda) : (lda, 1)  // A(i, p) = a[i * aRow + p * aStep]
        let (bCol, bStep) = transB ? (ldb, 1) : (1, ldb)  // B(p, j) = b[j * bCol + p * bStep]
        for i in 0..<m {
            let ai = a + i * aRow
            let ci = c + i * ldc
            for j in 0..<n {
                let bj = b + j * bCol
                var s: Float = 0
                for p in 0..<k { s += ai[p * aStep] * bj[p * bStep] }
                ci[j] = beta == 0 ? alpha * s : alpha * s + beta * ci[j]
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
