import Kernels

extension Tensor {
    /// The matrix product `op(self) x op(other)`, where `op` transposes the last two axes when
    /// asked (without copying: the kernels read the operand transposed).
    ///
    /// Rank 2 x rank 2 is a plain product. With a rank-3 operand the product is batched over its
    /// first axis: [B, m, k] x [B, k, n] -> [B, m, n]; a rank-2 operand is shared by the batch
    /// (and [B, m, k] x [k, n] runs as one [B m, k] x [k, n] product).
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        let ra = shape.rank, rb = other.shape.rank
        precondition((ra == 2 || ra == 3) && (rb == 2 || rb == 3),
                     "[matmul] needs rank-2 or rank-3 inputs, got shapes \(shape) and \(other.shape)")
        if ra == 3 && rb == 2 && !transposeSelf {
            let product = reshaped(to: [shape[0] * shape[1], shape[2]]).matmul(other, transposeOther: transposeOther)
            return product.reshaped(to: [shape[0], shape[1], product.shape[1]])
        }
        let (ar, ac) = (shape[ra - 2], shape[ra - 1]), (br, bc) = (other.shape[rb - 2], other.shape[rb - 1])
        let (m, k) = transposeSelf ? (ac, ar) : (ar, ac)
        let (k2, n) = transposeOther ? (bc, br) : (br, bc)
        precondition(k == k2, "[matmul] inner dimensions differ: \(transposeSelf ? "transposed " : "")\(shape) and \(transposeOther ? "transposed " : "")\(other.shape)")
        let batch = ra == 3 ? shape[0] : (rb == 3 ? other.shape[0] : 1)
        precondition(ra == 2 || rb == 2 || shape[0] == other.shape[0],
                     "[matmul] batch sizes differ: \(shape) and \(other.shape)")
        // Element steps between the matrices of a batch; 0 for a shared rank-2 operand.
        let aStep = ra == 3 ? ar * ac : 0, bStep = rb == 3 ? br * bc : 0, cStep = m * n
        let out = Tensor(uninitialized: ra == 3 || rb == 3 ? [batch, m, n] : [m, n])
        for i in 0..<batch {
            MatMul.gemm(transA: transposeSelf, transB: transposeOther, m: m, n: n, k: k,
                        alpha: 1, a: data + i * aStep, lda: ac, b: other.data + i * bStep, ldb: bc,
                        beta: 0, c: out.data + i * cStep, ldc: n)
        }
        return out.recordingBackward([self, other]) { _, g in
            // C = A B  =>  dA = dC Bᵀ, dB = Aᵀ dC, each rewritten for the transposed forms; a
            // shared operand sums its gradient over the batch (beta = 1 after the first).
            self.accumulateGradient { dA, acc in
                if batch == 0 && !acc { dA.update(repeating: 0, count: self.count) }
                for i in 0..<batch {
                    let beta: Float = acc || (aStep == 0 && i > 0) ? 1 : 0
                    let dAi = dA + i * aStep, gi = g.data + i * cStep, bi = other.data + i * bStep
                    if transposeSelf {   // A stored k x m: dA_stored = op(B) dCᵀ
                        MatMul.gemm(transA: transposeOther, transB: true, m: k, n: m, k: n, alpha: 1,
                                    a: bi, lda: bc, b: gi, ldb: n, beta: beta, c: dAi, ldc: m)
                    } else {             // A stored m x k: dA = dC op(B)ᵀ
                        MatMul.gemm(transA: false, transB: !transposeOther, m: m, n: k, k: n, alpha: 1,
                                    a: gi, lda: n, b: bi, ldb: bc, beta: beta, c: dAi, ldc: k)
                    }
                }
            }
            other.accumulateGradient { dB, acc in
                if batch == 0 && !acc { dB.update(repeating: 0, count: other.count) }
                for i in 0..<batch {
                    let beta: Float = acc || (bStep == 0 && i > 0) ? 1 : 0
                    let dBi = dB + i * bStep, gi = g.data + i * cStep, ai = self.data + i * aStep
                    if transposeOther {  // B stored n x k: dB_stored = dCᵀ op(A)
                        MatMul.gemm(transA: true, transB: transposeSelf, m: n, n: k, k: m, alpha: 1,
                                    a: gi, lda: n, b: ai, ldb: ac, beta: beta, c: dBi, ldc: k)
                    } else {             // B stored k x n: dB = op(A)ᵀ dC
                        MatMul.gemm(transA: !transposeSelf, transB: false, m: k, n: n, k: m, alpha: 1,
                                    a: ai, lda: ac, b: gi, ldb: n, beta: beta, c: dBi, ldc: n)
                    }
                }
            }
        }
    }

    /// `self weightᵀ + bias`, PyTorch's `F.linear` and the op a Linear layer calls: self is
    /// [..., in], weight is [out, in] (PyTorch's layout), bias is [out]; the result is [..., out].
    /// Fused: the bias is the product's starting value (one pass), and its gradient is the column
    /// sum of the result's gradient.
    public func linear(_ weight: Tensor, _ bias: Tensor? = nil) -> Tensor {
        precondition(weight.shape.rank == 2 && shape.rank >= 1 && shape[shape.rank - 1] == weight.shape[1],
                     "[linear] input \(shape) does not match weight \(weight.shape) (out, in)")
        let inFeatures = weight.shape[1], outFeatures = weight.shape[0]
        if let bias {
            precondition(bias.shape.rank == 1 && bias.count == outFeatures,
                         "[linear] bias \(bias.shape) does not match weight \(weight.shape): needs (\(outFeatures),)")
        }
        let rows = count / Swift.max(inFeatures, 1)
        var outShape = shape
        outShape[shape.rank - 1] = outFeatures
        let out = Tensor(uninitialized: outShape)
        if !PackedGEMM.isChosen && rows < outFeatures && rows * outFeatures * inFeatures > MatMul.smallProductLimit {
            // Fewer rows than outputs (a batch of 32 into 128 features): OpenBLAS computes
            // yᵀ = W xᵀ faster than y = x Wᵀ (measured 1.38 vs 1.80 ms for the seed's 16384 -> 128
            // at batch 32, one thread; 1.25 vs 1.61 for 4096 -> 512), and the small transpose back
            // adds the bias in the same pass. specrun's own GEMM runs both forms at the same speed
            // (`kernelbench gemm`), so there the transpose would be pure cost (2.6% of mlp_bn's
            // step at batch 128).
            let transposed = FloatBuffer(uninitializedCount: rows * outFeatures)
            MatMul.gemm(transA: false, transB: true, m: outFeatures, n: rows, k: inFeatures, alpha: 1,
                        a: weight.data, lda: inFeatures, b: data, ldb: inFeatures, beta: 0, c: transposed.base, ldc: rows)
            MatMul.transpose(transposed.base, rows: outFeatures, columns: rows, into: out.data, adding: bias?.data)
        } else {
            if let bias { MatMul.fillRows(out.data, rows: rows, with: bias.data, n: outFeatures) }
            MatMul.gemm(transA: false, transB: true, m: rows, n: outFeatures, k: inFeatures, alpha: 1,
                        a: data, lda: inFeatures, b: weight.data, ldb: inFeatures,
                        beta: bias == nil ? 0 : 1, c: out.data, ldc: outFeatures)
        }
        let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
        return out.recordingBackward(inputs) { _, g in
            self.accumulateGradient { dx, acc in     // dx = g W
                MatMul.gemm(transA: false, transB: false, m: rows, n: inFeatures, k: outFeatures, alpha: 1,
                            a: g.data, lda: outFeatures, b: weight.data, ldb: inFeatures,
                            beta: acc ? 1 : 0, c: dx, ldc: inFeatures)
            }
            weight.accumulateGradient { dW, acc in   // dW = gᵀ x
                MatMul.gemm(transA: true, transB: false, m: outFeatures, n: inFeatures, k: rows, alpha: 1,
                            a: g.data, lda: outFeatures, b: self.data, ldb: inFeatures,
                            beta: acc ? 1 : 0, c: dW, ldc: inFeatures)
            }
            bias?.accumulateGradient { db, acc in
                Reduction.sum(g.data, outer: rows, kept: outFeatures, inner: 1, into: db, scale: 1, accumulate: acc)
            }
        }
    }
}
