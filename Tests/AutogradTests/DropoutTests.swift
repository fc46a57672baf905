import Autograd
import Kernels
import Testing

@Suite struct DropoutTests {
    @Test(arguments: [Float(0.1), 0.5, 0.9])
    func dropsTheRightFractionAndScalesTheRest(p: Float) {
        var rng = RandomGenerator(seed: 41)
        let n = 200_000
        let x = Tensor(shape: [n], values: (0..<n).map { _ in rng.uniform(0.5, 1.5) })
        let y = x.dropout(p: p, training: true, rng: &rng).values, xs = x.values
        let dropped = y.filter { $0 == 0 }.count
        #expect(zip(xs, y).allSatisfy { $1 == 0 || $1 == $0 * (1 / (1 - p)) })
        // Five standard deviations of the binomial fraction.
        let sigma = (Double(p) * Double(1 - p) / Double(n)).squareRoot()
        #expect(abs(Double(dropped) / Double(n) - Double(p)) < 5 * sigma)
    }

    @Test func sameSeedSameMask() {
        let x = Tensor.filled([1000], with: 1)
        var a = RandomGenerator(seed: 7), b = RandomGenerator(seed: 7), c = RandomGenerator(seed: 8)
        let ya = x.dropout(p: 0.5, training: true, rng: &a).values
        #expect(ya == x.dropout(p: 0.5, training: true, rng: &b).values)
        #expect(ya != x.dropout(p: 0.5, training: true, rng: &c).values)
        #expect(a.next() == b.next())  // both generators advanced alike
    }

    @Test func evaluationAndZeroProbabilityAreTheIdentity() {
        var rng = RandomGenerator(seed: 9)
        let x = SpatialFixtures.random([4, 5], &rng, requiresGrad: true)
        let before = rng
        #expect(x.dropout(p: 0.5, training: false, rng: &rng) === x)
        #expect(x.dropout(p: 0, training: true, rng: &rng) === x)
        var untouched = before
        #expect(rng.next() == untouched.next())
    }

    @Test func probabilityOneDropsEverything() {
        var rng = RandomGenerator(seed: 10)
        let x = SpatialFixtures.random([3, 7], &rng, requiresGrad: true)
        let y = x.dropout(p: 1, training: true, rng: &rng)
        #expect(y.values.allSatisfy { $0 == 0 })
        y.backward(gradient: Tensor.filled([3, 7], with: 1))
        #expect(x.grad!.values.allSatisfy { $0 == 0 })
    }

    /// The gradient goes through the forward's mask: dx = dy · mask, accumulated when used twice.
    @Test func gradientUsesTheMask() {
        var rng = RandomGenerator(seed: 12)
        let x = Tensor(shape: [64], values: [Float](repeating: 1, count: 64), requiresGrad: true)
        let y = x.dropout(p: 0.25, training: true, rng: &rng)
        let up = SpatialFixtures.random([64], &rng)
        y.backward(gradient: up)
        expectClose(x.grad!.values, zip(up.values, y.values).map { $0 * $1 })
        x.setGrad(nil)
        var r1 = RandomGenerator(seed: 13)
        let twice = x.dropout(p: 0.25, training: true, rng: &r1) + x.dropout(p: 0.25, training: true, rng: &r1)
        twice.backward(gradient: up)
        var r2 = RandomGenerator(seed: 13)
        let m1 = x.detached().dropout(p: 0.25, training: true, rng: &r2).values
        let m2 = x.detached().dropout(p: 0.25, training: true, rng: &r2).values
        let u = up.values
        expectClose(x.grad!.values, (0..<64).map { u[$0] * (m1[$0] + m2[$0]) })
    }

    /// Central differences (step 1e-2, tolerance 1e-3): with the mask fixed by the seed, dropout is linear.
    @Test func finiteDifferences() {
        var rng = RandomGenerator(seed: 14)
        let x = SpatialFixtures.random([5, 6], &rng, requiresGrad: true)
        checkGradients([x], tolerance: 1e-3) {
            var r = RandomGenerator(seed: 15)
            return x.dropout(p: 0.4, training: true, rng: &r)
        }
    }
}
