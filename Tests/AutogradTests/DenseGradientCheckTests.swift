import Autograd
import Kernels
import Testing

/// Central finite differences against backward() for every dense op (Support/GradientCheck.swift:
/// Float32, step 1e-2 relative to each element, |analytic - numeric| <= tolerance * max(1, |numeric|)).
/// Smooth ops use tolerance 5e-3; inputs stay away from kinks (relu at 0, |x - y| at 0) by more
/// than the step.
@Suite struct DenseGradientCheckTests {
    static let smooth: Float = 5e-3

    @Test(arguments: [
        ([3, 4], [3, 4]), ([3, 4], [4]), ([4], [3, 4]), ([3, 1], [1, 4]), ([2, 3, 2, 2], [3, 1, 1]),
        ([2, 3], [1]), ([], [2, 3]), ([2, 3, 4], [2, 1, 4]),
    ] as [(Shape, Shape)])
    func broadcastingArithmetic(_ shapeA: Shape, _ shapeB: Shape) {
        let a = random(shapeA, seed: 1), b = random(shapeB, seed: 2)
        let positive = random(shapeB, seed: 3, in: 0.5...2)
        checkGradients([a, b], tolerance: Self.smooth) { a + b }
        checkGradients([a, b], tolerance: Self.smooth) { a - b }
        checkGradients([a, b], tolerance: Self.smooth) { a * b }
        checkGradients([a, positive], tolerance: Self.smooth) { a / positive }
        checkGradients([a], tolerance: Self.smooth) { a * a }
    }

    @Test func scalarArithmetic() {
        let x = random([2, 5], seed: 4, in: 0.5...2)
        let forms: [() -> Tensor] = [{ x + 2.5 }, { 2.5 + x }, { x - 1.5 }, { 1.5 - x }, { x * -1.5 }, { 0.25 * x }, { x / 4 }, { 3 / x }, { -x }]
        for f in forms {
            checkGradients([x], tolerance: Self.smooth, f)
        }
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmul(transposeA: Bool, transposeB: Bool) {
        let a = random(transposeA ? [4, 3] : [3, 4], seed: 5), b = random(transposeB ? [5, 4] : [4, 5], seed: 6)
        checkGradients([a, b], tolerance: Self.smooth) { a.matmul(b, transposeSelf: transposeA, transposeOther: transposeB) }
        let ba = random(transposeA ? [2, 4, 3] : [2, 3, 4], seed: 7), bb = random(transposeB ? [2, 5, 4] : [2, 4, 5], seed: 8)
        checkGradients([ba, bb], tolerance: Self.smooth) { ba.matmul(bb, transposeSelf: transposeA, transposeOther: transposeB) }
        checkGradients([ba, b], tolerance: Self.smooth) { ba.matmul(b, transposeSelf: transposeA, transposeOther: transposeB) }
        checkGradients([a, bb], tolerance: Self.smooth) { a.matmul(bb, transposeSelf: transposeA, transposeOther: transposeB) }
    }

    @Test func linear() {
        let x = random([2, 9], seed: 9), w = random([16, 9], seed: 10), b = random([16], seed: 11)
        checkGradients([x, w, b], tolerance: Self.smooth) { x.linear(w, b) }
        checkGradients([x, w], tolerance: Self.smooth) { x.linear(w) }
        let x3 = random([2, 3, 5], seed: 12), w3 = random([4, 5], seed: 13), b3 = random([4], seed: 32)
        checkGradients([x3, w3, b3], tolerance: Self.smooth) { x3.linear(w3, b3) }
    }

    /// Big enough that the products go through BLAS rather than the direct loop.
    @Test func linearThroughBLAS() {
        let x = random([8, 40], seed: 14), w = random([24, 40], seed: 15), b = random([24], seed: 16)
        #expect(8 * 40 * 24 > MatMul.smallProductLimit)
        checkGradients([x, w, b], tolerance: Self.smooth) { x.linear(w, b) }
    }

    @Test func sumAndMean() {
        let x = random([2, 3, 4], seed: 17)
        let reductions: [() -> Tensor] = [
            { x.sum() }, { x.sum(axis: 1) }, { x.sum(axis: -1, keepDims: true) }, { x.sum(axes: [0, 2]) },
            { x.mean() }, { x.mean(axis: 0) }, { x.mean(axes: [0, 2], keepDims: true) },
        ]
        for f in reductions { checkGradients([x], tolerance: Self.smooth, f) }
    }

    @Test func viewsConcatSliceSplit() {
        let x = random([2, 3, 4], seed: 18), y = random([2, 1, 4], seed: 19), w = random([2, 3, 4], seed: 20)
        let v = random([2, 1, 4], seed: 33)
        // Multiplying by w makes each element's gradient distinct, so a misplaced block shows.
        checkGradients([x], tolerance: Self.smooth) { x.reshaped(6, -1) * w.reshaped(6, 4) }
        checkGradients([x], tolerance: Self.smooth) { x.flattened(fromAxis: 1) * w.flattened(fromAxis: 1) }
        checkGradients([x, y], tolerance: Self.smooth) { Tensor.concat([x, y, x], axis: 1) * Tensor.concat([w, v, w], axis: 1) }
        checkGradients([x], tolerance: Self.smooth) { x.slice(axis: 2, 1..<3) * w.slice(axis: 2, 0..<2) }
        checkGradients([x], tolerance: Self.smooth) {
            let parts = x.split(sizes: [1, 2], axis: 1)
            return parts[0] * 2 + parts[1].sum(axis: 1, keepDims: true)
        }
    }

    @Test func activations() {
        let x = random([3, 7], seed: 21, in: 0.2...3, randomSign: true)
        checkGradients([x], tolerance: Self.smooth) { x.relu() }
        checkGradients([x], tolerance: Self.smooth) { x.leakyRelu(negativeSlope: 0.2) }
        checkGradients([x], tolerance: Self.smooth) { x.elu(alpha: 0.7) }
        checkGradients([x], tolerance: Self.smooth) { x.gelu() }
        checkGradients([x], tolerance: Self.smooth) { x.gelu(approximate: true) }
        checkGradients([x], tolerance: Self.smooth) { x.sigmoid() }
        checkGradients([x], tolerance: Self.smooth) { x.tanh() }
    }

    @Test(arguments: [-1, 0, 1])
    func softmaxFamily(axis: Int) {
        let x = random([3, 4, 5], seed: 22)
        checkGradients([x], tolerance: Self.smooth) { x.softmax(axis: axis) }
        checkGradients([x], tolerance: Self.smooth) { x.logSoftmax(axis: axis) }
    }

    @Test func classificationLosses() {
        let logits = random([4, 6], seed: 23, in: -3...3)
        let targets: [Int32] = [0, 5, 2, 2]
        let weights = random([6], seed: 24, in: 0.5...2)
        weights.requiresGrad = false
        checkGradients([logits], tolerance: Self.smooth) { logits.crossEntropy(targets: targets) }
        checkGradients([logits], tolerance: Self.smooth) { logits.crossEntropy(targets: targets, weights: weights) }
        checkGradients([logits], tolerance: Self.smooth) { logits.crossEntropy(targets: targets, labelSmoothing: 0.2) }
        checkGradients([logits], tolerance: Self.smooth) { logits.crossEntropy(targets: targets, weights: weights, labelSmoothing: 0.3) }
        checkGradients([logits], tolerance: Self.smooth) { logits.nllLoss(targets: targets, weights: weights) }
        checkGradients([logits], tolerance: Self.smooth) { logits.logSoftmax(axis: 1).nllLoss(targets: targets) }
    }

    @Test func binaryLosses() {
        let p = random([3, 4], seed: 25, in: 0.1...0.9), x = random([3, 4], seed: 26, in: -4...4)
        let y = random([3, 4], seed: 27, in: 0...1), w = random([3, 4], seed: 28, in: 0.5...2), pw = random([4], seed: 29, in: 0.5...3)
        for t in [y, w, pw] { t.requiresGrad = false }
        checkGradients([p], tolerance: Self.smooth) { p.binaryCrossEntropy(targets: y) }
        checkGradients([p], tolerance: Self.smooth) { p.binaryCrossEntropy(targets: y, weights: w) }
        checkGradients([x], tolerance: Self.smooth) { x.binaryCrossEntropyWithLogits(targets: y) }
        checkGradients([x], tolerance: Self.smooth) { x.binaryCrossEntropyWithLogits(targets: y, weights: w, posWeight: pw) }
        checkGradients([x], tolerance: Self.smooth) { x.sigmoid().binaryCrossEntropy(targets: y) }
    }

    @Test func regressionLosses() {
        let x = random([3, 4], seed: 30)
        // Targets at least 0.5 away from x, so |x - y| has no kink within the step.
        let y = x.detached() + random([3, 4], seed: 31, in: 0.5...1, randomSign: true).detached()
        y.requiresGrad = true
        checkGradients([x, y], tolerance: Self.smooth) { x.mseLoss(targets: y) }
        checkGradients([x, y], tolerance: Self.smooth) { x.l1Loss(targets: y) }
        checkGradients([x, y], tolerance: Self.smooth) { x.mseLoss(targets: y) * 0.3 + x.l1Loss(targets: y) * 2 }
    }
}

/// A tensor that requires a gradient, uniform in `range` (each sign equally likely when asked).
func random(_ shape: Shape, seed: UInt64, in range: ClosedRange<Float> = -2...2, randomSign: Bool = false) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    let values = (0..<shape.elementCount).map { _ -> Float in
        let v = rng.uniform(range.lowerBound, range.upperBound)
        return randomSign && rng.nextFloat() < 0.5 ? -v : v
    }
    return Tensor(shape: shape, values: values, requiresGrad: true)
}
