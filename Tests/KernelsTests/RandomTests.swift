import Kernels
import Testing

@Suite struct RandomTests {
    @Test func sameSeedSameSequenceAndStreamsDiffer() {
        var a = RandomGenerator(seed: 42), b = RandomGenerator(seed: 42), c = RandomGenerator(seed: 42, stream: 1)
        let xs = (0..<5).map { _ in a.next() }
        #expect(xs == (0..<5).map { _ in b.next() })
        #expect(xs != (0..<5).map { _ in c.next() })
    }

    @Test func savedStateContinuesTheSequence() {
        var a = RandomGenerator(seed: 3)
        _ = (0..<10).map { _ in a.next() }
        var resumed = RandomGenerator(state: a.state)
        #expect((0..<5).map { _ in a.next() } == (0..<5).map { _ in resumed.next() })
    }

    @Test func uniformAndNormalMoments() {
        var rng = RandomGenerator(seed: 1)
        let n = 100_000
        let u = (0..<n).map { _ in rng.nextFloat() }
        #expect(u.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(abs(u.reduce(0, +) / Float(n) - 0.5) < 0.01)
        let z = (0..<n).map { _ in rng.normal() }
        let mean = z.reduce(0, +) / Float(n)
        let variance = z.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(n)
        #expect(abs(mean) < 0.02 && abs(variance - 1) < 0.02)
    }

    @Test func permutationIsAPermutationAndIntsAreInRange() {
        var rng = RandomGenerator(seed: 9)
        #expect(rng.permutation(100).sorted() == Array(0..<100))
        #expect((0..<1000).allSatisfy { _ in (0..<7).contains(rng.nextInt(below: 7)) })
    }
}
