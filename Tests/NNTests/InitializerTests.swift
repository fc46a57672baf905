import Autograd
import Kernels
import NN
import Testing

/// Initializers: fans, gains, bounds and standard deviations equal to PyTorch's (exactly: the same
/// Double operations), and samples that follow the distribution.
@Suite struct InitializerTests {
    @Test func gainsArePyTorchs() throws {
        for c in OptimGoldens.shared.gains {
            let nonlinearity = try #require(Initializer.Nonlinearity(rawValue: c.nonlinearity))
            #expect(Initializer.calculateGain(nonlinearity, param: c.param) == c.gain, "\(c.nonlinearity) \(String(describing: c.param))")
        }
        #expect(Initializer.Nonlinearity.allCases.count == 12)
    }

    @Test(arguments: OptimGoldens.shared.initializers)
    func fansAndBoundsArePyTorchs(_ c: OptimGoldens.InitializerCase) throws {
        let shape = Shape(c.shape)
        let fans = try Initializer.fans(of: shape)
        #expect(fans.fanIn == c.fan_in && fans.fanOut == c.fan_out)
        let initializer = try initializer(c)
        switch try initializer.distribution(for: shape) {
        case .uniform(let low, let high):
            #expect(high == c.bound && low == -c.bound!)
        case .normal(let mean, let std):
            #expect(mean == 0 && std == c.std)
        case .constant:
            Issue.record("a fan-based initializer gave a constant")
        }
    }

    private func initializer(_ c: OptimGoldens.InitializerCase) throws -> Initializer {
        let a = c.options["a"]?.number ?? 0
        let mode = Initializer.FanMode(rawValue: c.options["mode"]?.string ?? "fan_in")!
        let nonlinearity = Initializer.Nonlinearity(rawValue: c.options["nonlinearity"]?.string ?? "leaky_relu")!
        let gain = c.options["gain"]?.number ?? 1
        switch c.`init` {
        case "kaiming_uniform": return .kaimingUniform(a: a, mode: mode, nonlinearity: nonlinearity)
        case "kaiming_normal": return .kaimingNormal(a: a, mode: mode, nonlinearity: nonlinearity)
        case "xavier_uniform": return .xavierUniform(gain: gain)
        case "xavier_normal": return .xavierNormal(gain: gain)
        case "default_bias": return try Initializer.pytorchDefaultBias(weightShape: Shape(c.shape))
        default: throw InitializerError("unknown initializer \(c.`init`) in the golden")
        }
    }

    @Test func pytorchDefaultsForLinearAndConv() throws {
        #expect(Initializer.pytorchDefaultWeight == .kaimingUniform(a: 5.0.squareRoot(), mode: .fanIn, nonlinearity: .leakyReLU))
        // kaiming_uniform(a = sqrt(5)) is U(-1/sqrt(fan_in), 1/sqrt(fan_in)) up to rounding.
        guard case .uniform(_, let high) = try Initializer.pytorchDefaultWeight.distribution(for: [16, 1, 3, 3]) else {
            Issue.record("not uniform"); return
        }
        #expect(abs(high - 1.0 / 3) < 1e-15)
        #expect(try Initializer.pytorchDefaultBias(weightShape: [128, 16384]) == .uniform(a: -1 / 128, b: 1 / 128))
        #expect(try Initializer.pytorchDefaultBias(weightShape: [4, 0]) == .uniform(a: 0, b: 0))
    }

    @Test func uniformSamplesFillTheBounds() throws {
        let t = Tensor.zeros([512, 512])
        var rng = RandomGenerator(seed: 1)
        try Initializer.kaimingUniform().apply(to: t, rng: &rng)
        let bound = Float(2.0.squareRoot() * (3.0 / 512).squareRoot())
        let v = t.values
        #expect(v.allSatisfy { abs($0) <= bound })
        #expect(v.max()! > 0.999 * bound && v.min()! < -0.999 * bound)
        let (mean, std) = moments(v)
        // n = 262144 samples: the mean's standard error is std/512; allow 5 of them.
        #expect(abs(mean) < 5 * Double(bound) / 3.0.squareRoot() / 512)
        #expect(abs(std / (Double(bound) / 3.0.squareRoot()) - 1) < 0.01)
    }

    @Test func normalSamplesHaveTheStd() throws {
        let t = Tensor.zeros([256, 64, 3, 3])
        var rng = RandomGenerator(seed: 2)
        try Initializer.kaimingNormal(mode: .fanOut, nonlinearity: .relu).apply(to: t, rng: &rng)
        let expected = 2.0.squareRoot() / Double(256 * 9).squareRoot()
        let (mean, std) = moments(t.values)
        #expect(abs(mean) < 5 * expected / Double(t.count).squareRoot())
        #expect(abs(std / expected - 1) < 0.01)

        let u = Tensor.zeros([1000, 100])
        try Initializer.normal(mean: 3, std: 0.5).apply(to: u, rng: &rng)
        let (m2, s2) = moments(u.values)
        #expect(abs(m2 - 3) < 5 * 0.5 / Double(u.count).squareRoot())
        #expect(abs(s2 / 0.5 - 1) < 0.01)
    }

    @Test func sameSeedSameValues() throws {
        func draw(_ seed: UInt64) throws -> [Float] {
            let t = Tensor.zeros([64, 32])
            var rng = RandomGenerator(seed: seed)
            try Initializer.xavierUniform(gain: 2).apply(to: t, rng: &rng)
            return t.values
        }
        #expect(try draw(5) == draw(5))
        #expect(try draw(5) != draw(6))
    }

    @Test func constantsAndRanges() throws {
        var rng = RandomGenerator(seed: 3)
        let t = Tensor.zeros([4])
        try Initializer.ones.apply(to: t, rng: &rng)
        #expect(t.values == [1, 1, 1, 1])
        try Initializer.constant(val: -0.25).apply(to: t, rng: &rng)
        #expect(t.values == [-0.25, -0.25, -0.25, -0.25])
        try Initializer.zeros.apply(to: t, rng: &rng)
        #expect(t.values == [0, 0, 0, 0])
        let u = Tensor.zeros([10_000])
        try Initializer.uniform(a: 2, b: 3).apply(to: u, rng: &rng)
        #expect(u.values.allSatisfy { $0 >= 2 && $0 <= 3 })
    }

    @Test func fanBasedInitializersNeedRankTwo() {
        var rng = RandomGenerator(seed: 4)
        #expect(throws: InitializerError("[kaiming_uniform] fan in and fan out need a tensor of rank 2 or more, got shape (16,)")) {
            try Initializer.kaimingUniform().apply(to: Tensor.zeros([16]), rng: &rng)
        }
        #expect(throws: InitializerError("[default bias] fan in and fan out need a tensor of rank 2 or more, got shape (16,)")) {
            try Initializer.pytorchDefaultBias(weightShape: [16])
        }
        // An empty tensor is left alone, as PyTorch does.
        #expect(throws: Never.self) { try Initializer.kaimingUniform().apply(to: Tensor.zeros([0]), rng: &rng) }
    }

    private func moments(_ v: [Float]) -> (mean: Double, std: Double) {
        let mean = v.reduce(0.0) { $0 + Double($1) } / Double(v.count)
        let variance = v.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(v.count)
        return (mean, variance.squareRoot())
    }
}
