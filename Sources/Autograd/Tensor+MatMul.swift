import Kernels

extension Tensor {
    /// The matrix product of two rank-2 tensors, `op(self) x op(other)` where `op` transposes when
    /// asked (without copying: BLAS reads the operand transposed).
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        precondition(shape.rank == 2 && other.shape.rank == 2,
                     "[matmul] needs rank-2 inputs, got shapes \(shape) and \(other.shape)")
        let (m, k) = transposeSelf ? (shape[1], shape[0]) : (shape[0], shape[1])
        let (k2, n) = transposeOther ? (other.shape[1], other.shape[0]) : (other.shape[0], other.shape[1])
        precondition(k == k2, "[matmul] inner dimensions differ: \(transposeSelf ? "transposed " : "")\(shape) and \(transposeOther ? "transposed " : "")\(other.shape)")
        let out = Tensor(uninitialized: [m, n])
        BLAS.sgemm(transA: transposeSelf, transB: transposeOther, m: m, n: n, k: k,
                   alpha: 1, a: data, lda: shape[1], b: other.data, ldb: other.shape[1],
                   beta: 0, c: out.data, ldc: n)
        return out.recordingBackward([self, other]) { _, g in
            // C = A B  =>  dA = dC Bᵀ, dB = Aᵀ dC, each rewritten for the transposed forms.
            self.accumulateGradient { dA, acc in
                if transposeSelf {   // A stored k x m: dA_stored = op(B) dCᵀ
                    BLAS.sgemm(transA: transposeOther, transB: true, m: k, n: m, k: n, alpha: 1,
                               a: other.data, lda: other.shape[1], b: g.data, ldb: n, beta: acc ? 1 : 0, c: dA, ldc: m)
                } else {             // A stored m x k: dA = dC op(B)ᵀ
                    BLAS.sgemm(transA: false, transB: !transposeOther, m: m, n: k, k: n, alpha: 1,
                               a: g.data, lda: n, b: other.data, ldb: other.shape[1], beta: acc ? 1 : 0, c: dA, ldc: k)
                }
            }
            other.accumulateGradient { dB, acc in
                if transposeOther {  // B stored n x k: dB_stored = dCᵀ op(A)
                    BLAS.sgemm(transA: true, transB: transposeSelf, m: n, n: k, k: m, alpha: 1,
                               a: g.data, lda: n, b: self.data, ldb: self.shape[1], beta: acc ? 1 : 0, c: dB, ldc: k)
                } else {             // B stored k x n: dB = op(A)ᵀ dC
                    BLAS.sgemm(transA: !transposeSelf, transB: false, m: k, n: n, k: m, alpha: 1,
                               a: self.data, lda: self.shape[1], b: g.data, ldb: n, beta: acc ? 1 : 0, c: dB, ldc: n)
                }
            }
        }
    }
}
