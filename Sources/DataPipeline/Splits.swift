import Kernels

/// Which samples train, validate and test: sample indices, ascending within each split.
public struct DataSplits: Sendable, Equatable {
    public var train: [Int]
    public var validation: [Int]
    public var test: [Int]

    public init(train: [Int], validation: [Int], test: [Int]) {
        self.train = train
        self.validation = validation
        self.test = test
    }

    /// Splits `count` samples as `config` says, the same way for the same seed on every machine.
    ///
    /// The test split gets round(count x test) samples (ties to even, as Python's `round`), the
    /// validation split round(count x validation), training the rest. With `strata` (a class per
    /// sample) each class is split on its own and the rounding remainders go to the classes with
    /// the largest fractional share, so every class keeps its proportion within one sample.
    public init(count: Int, config: SplitConfig, strata: [Int]? = nil) {
        precondition(strata == nil || strata!.count == count, "[split] \(strata!.count) strata for \(count) samples")
        var rng = RandomGenerator(seed: config.seed, stream: RandomStreams.split)
        let groups: [[Int]]
        if let strata {
            var members: [Int: [Int]] = [:]
            for (i, s) in strata.enumerated() { members[s, default: []].append(i) }
            groups = members.keys.sorted().map { members[$0]! }
        } else {
            groups = [Array(0..<count)]
        }
        let shuffled = groups.map { group -> [Int] in
            var g = group
            rng.shuffle(&g)
            return g
        }
        let sizes = groups.map(\.count)
        let testCounts = Self.apportion(round(Double(count) * config.test), fraction: config.test, sizes: sizes)
        let left = zip(sizes, testCounts).map { $0 - $1 }
        let validationCounts = Self.apportion(round(Double(count) * config.validation), fraction: config.validation,
                                              sizes: sizes, capacity: left)
        var train: [Int] = [], validation: [Int] = [], test: [Int] = []
        for (g, members) in shuffled.enumerated() {
            let t = testCounts[g], v = validationCounts[g]
            test += members[0..<t]
            validation += members[t..<(t + v)]
            train += members[(t + v)...]
        }
        self.init(train: train.sorted(), validation: validation.sorted(), test: test.sorted())
    }

    /// Shares `total` among groups of `sizes` in proportion to `fraction` of each, by largest
    /// remainder, never giving a group more than its `capacity`.
    private static func apportion(_ total: Int, fraction: Double, sizes: [Int], capacity: [Int]? = nil) -> [Int] {
        let capacity = capacity ?? sizes
        let quotas = sizes.map { Double($0) * fraction }
        var counts = zip(quotas, capacity).map { min(Int($0.rounded(.down)), $1) }
        var remaining = total - counts.reduce(0, +)
        let byRemainder = quotas.indices.sorted { a, b in
            let (ra, rb) = (quotas[a] - quotas[a].rounded(.down), quotas[b] - quotas[b].rounded(.down))
            return ra != rb ? ra > rb : a < b
        }
        while remaining > 0 {
            var gave = false
            for g in byRemainder where remaining > 0 && counts[g] < capacity[g] {
                counts[g] += 1
                remaining -= 1
                gave = true
            }
            if !gave { break }
        }
        return counts
    }
}

/// Python's `round`: to the nearest integer, halves to even.
private func round(_ x: Double) -> Int { Int(x.rounded(.toNearestOrEven)) }

/// The order samples are visited in during epoch `epoch`: a permutation of `indices` that depends
/// only on (seed, epoch), so a resumed run reproduces epoch k without replaying epochs 0..<k.
public func epochOrder(_ indices: [Int], seed: UInt64, epoch: Int) -> [Int] {
    var rng = RandomGenerator(seed: seed, stream: RandomStreams.shuffle &+ UInt64(epoch))
    var order = indices
    rng.shuffle(&order)
    return order
}

/// Stream numbers for the generators the pipeline derives from a seed, far from the small numbers
/// other users of the same seed (initialisation, dropout) are likely to pick.
enum RandomStreams {
    static let split: UInt64 = 0x5350_4C49_5400_0000   // "SPLIT"
    static let shuffle: UInt64 = 0x5348_5546_0000_0000 // "SHUF" + epoch
    static let augment: UInt64 = 0x4155_4700_0000_0000 // "AUG" ^ epoch, field and sample
}
