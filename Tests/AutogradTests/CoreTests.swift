import Autograd
import Kernels
import Testing

@Suite struct CoreTests {
    /// d/dx and d/dw of relu(x @ w) @ v against hand-computed values.
    @Test func backwardThroughMatmulAndRelu() {
        let x = Tensor(shape: [1, 2], values: [1, -2], requiresGrad: true)
        let w = Tensor(shape: [2, 2], values: [1, 2, 3, 4], requiresGrad: true)
        let v = Tensor(shape: [2, 1], values: [1, 1], requiresGrad: true)
        let h = x.matmul(w)               // [1*1 + -2*3, 1*2 + -2*4] = [-5, -6]
        let y = (h + h).relu().matmul(v)  // relu([-10, -12]) = 0
        #expect(y.scalar == 0)
        y.backward()
        #expect(x.grad?.values == [0, 0])
        #expect(v.grad?.values == [0, 0])

        let w2 = Tensor(shape: [2, 2], values: [1, -2, -3, 4], requiresGrad: true)
        let z = x.matmul(w2).relu().matmul(v)  // x w2 = [7, -10] -> relu [7, 0] -> 7
        #expect(z.scalar == 7)
        z.backward()
        #expect(w2.grad?.values == [1, 0, -2, 0])  // dz/dw2[i][j] = x[i] * (j == 0)
        #expect(x.grad?.values == [1, -3])          // accumulated: 0 + w2[:,0]
        #expect(v.grad?.values == [7, 0])
    }

    @Test func transposedOperandsGiveTheSameGradients() {
        var rng = RandomGenerator(seed: 7)
        let a = Tensor(shape: [3, 4], values: (0..<12).map { _ in rng.normal() }, requiresGrad: true)
        let b = Tensor(shape: [4, 2], values: (0..<8).map { _ in rng.normal() }, requiresGrad: true)
        let v = Tensor(shape: [2, 1], values: [0.5, -1.5])
        let ones = Tensor(shape: [1, 3], values: [1, 1, 1])
        ones.matmul(a.matmul(b)).matmul(v).backward()
        let (ga, gb) = (a.grad!.values, b.grad!.values)

        // The same product from stored transposes: aᵀ stored as 4x3, bᵀ as 2x4.
        let at = Tensor(shape: [4, 3], values: transpose(a.values, 3, 4), requiresGrad: true)
        let bt = Tensor(shape: [2, 4], values: transpose(b.values, 4, 2), requiresGrad: true)
        ones.matmul(at.matmul(bt, transposeSelf: true, transposeOther: true)).matmul(v).backward()
        expectClose(transpose(at.grad!.values, 4, 3), ga)
        expectClose(transpose(bt.grad!.values, 2, 4), gb)
    }

    @Test func noRecordingWithoutGradients() {
        let a = Tensor(shape: [2, 2], values: [1, 2, 3, 4])
        let y = a.matmul(a).relu()
        #expect(!y.requiresGrad)
    }

    @Test func steadyStateReusesBuffers() {
        let w = Tensor(shape: [16, 16], values: [Float](repeating: 0.1, count: 256), requiresGrad: true)
        let x = Tensor(shape: [4, 16], values: [Float](repeating: 1, count: 64))
        let v = Tensor(shape: [16, 1], values: [Float](repeating: 1, count: 16))
        let ones = Tensor(shape: [1, 4], values: [1, 1, 1, 1])
        expectSteadyStateReusesBuffers(steps: 10) { ones.matmul(x.matmul(w).relu().matmul(v)).backward(); w.setGrad(nil) }
    }
}

func transpose(_ v: [Float], _ rows: Int, _ cols: Int) -> [Float] {
    (0..<(rows * cols)).map { idx in let (j, i) = idx.quotientAndRemainder(dividingBy: rows); return v[i * cols + j] }
}

func expectClose(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == b.count, sourceLocation: sourceLocation)
    for (x, y) in zip(a, b) {
        #expect(abs(x - y) <= tolerance * max(1, abs(y)), "\(x) vs \(y)", sourceLocation: sourceLocation)
    }
}
