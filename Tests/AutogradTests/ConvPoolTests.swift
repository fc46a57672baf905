import Autograd
import Kernels
import Testing

func pair(_ p: IntOrPair) -> (Int, Int) { (p.height, p.width) }

/// The fused conv2d -> max_pool2d(2) -> activation against the three ops composed.
///
/// Inputs, weights and biases are multiples of 1/8 in [-2, 2], with constant patches: every
/// convolution sum is then exact in Float32 whatever its order, so the forward must agree bit for
/// bit and the pooling's ties (many, from the patches and the coarse values) must go to the same
/// window position. The gradients come from a random upstream gradient and are sums in different
/// orders: they must agree within rtol 1e-5 plus atol 1e-5 times the largest expected magnitude.
@Suite struct ConvPoolTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var input: [Int]
        var outChannels: Int
        var kernel: IntOrPair
        var padding: IntOrPair = 0
        var dilation: IntOrPair = 1
        var stride: IntOrPair = 1
        var poolKernel: IntOrPair = 2
        var bias = true
        var activation: MonotoneActivation
        var inputNeedsGradient = true

        var fused: Bool {
            ConvPool.isFusable(conv: Window2D(kernel: pair(kernel), stride: pair(stride), padding: pair(padding), dilation: pair(dilation)),
                               inChannels: input[1], height: input[2], width: input[3],
                               pool: Window2D(kernel: pair(poolKernel), stride: pair(poolKernel)), activation: activation,
                               inputNeedsGradient: inputNeedsGradient)
        }

        var testDescription: String {
            "x \(input) -> \(outChannels), kernel \(kernel), padding \(padding), dilation \(dilation), stride \(stride), "
                + "pool \(poolKernel), \(activation)\(bias ? "" : ", no bias")\(fused ? "" : " (composed)")"
        }
    }

    static let activations: [MonotoneActivation] = [.none, .relu, .leakyRelu(slope: 0.01), .elu(alpha: 1), .leakyRelu(slope: 0), .elu(alpha: 0.5)]

    /// The seed's first block at batch 2, then random geometries the fused kernels take (every
    /// other one with an input gradient, which needs rows of 32 pooled outputs), then ones that
    /// fall back to the composed ops.
    static let cases: [Case] = {
        var result = [Case(input: [2, 1, 64, 64], outChannels: 16, kernel: 3, padding: 1, activation: .elu(alpha: 1), inputNeedsGradient: false)]
        var rng = RandomGenerator(seed: 77)
        while result.count < 31 {
            let kh = 1 + rng.nextInt(below: 5), kw = 1 + rng.nextInt(below: 5), needsGradient = result.count % 2 == 0
            let width = needsGradient ? 64 + rng.nextInt(below: 40) : 3 + rng.nextInt(below: 60)
            let c = Case(input: [1 + rng.nextInt(below: 3), 1 + rng.nextInt(below: 4), 3 + rng.nextInt(below: 20), width],
                         outChannels: 1 + rng.nextInt(below: 9), kernel: IntOrPair(kh, kw),
                         padding: IntOrPair(rng.nextInt(below: 3), rng.nextInt(below: 3)),
                         dilation: IntOrPair(1 + rng.nextInt(below: 2), 1 + rng.nextInt(below: 2)),
                         bias: rng.nextInt(below: 4) > 0, activation: activations[result.count % activations.count],
                         inputNeedsGradient: needsGradient)
            let window = Window2D(kernel: (kh, kw), stride: (1, 1), padding: pair(c.padding), dilation: pair(c.dilation))
            guard window.problem(height: c.input[2], width: c.input[3]) == nil,
                  window.outputHeight(c.input[2]) >= 2, window.outputWidth(c.input[3]) >= 2, c.fused else { continue }
            result.append(c)
        }
        result += [
            Case(input: [2, 2, 11, 70], outChannels: 3, kernel: 3, padding: 1, stride: 2, activation: .relu),
            Case(input: [2, 2, 11, 70], outChannels: 3, kernel: 3, padding: 1, poolKernel: 3, activation: .elu(alpha: 1)),
            Case(input: [1, 4, 9, 70], outChannels: 2, kernel: 5, activation: .relu),  // 100 taps
            Case(input: [1, 1, 9, 70], outChannels: 2, kernel: 3, activation: .leakyRelu(slope: -0.5)),
            Case(input: [1, 3, 9, 20], outChannels: 2, kernel: 3, activation: .none, inputNeedsGradient: false),  // short rows
            Case(input: [1, 1, 9, 40], outChannels: 2, kernel: 3, activation: .none),  // short rows, input gradient
        ]
        return result
    }()

    /// Multiples of 1/8 in [-2, 2], a constant patch in every plane.
    static func coarse(_ shape: [Int], _ rng: inout RandomGenerator, requiresGrad: Bool = false) -> Tensor {
        var values = (0..<shape.reduce(1, *)).map { _ in Float(rng.nextInt(below: 33) - 16) / 8 }
        if shape.count == 4 {
            let (h, w) = (shape[2], shape[3])
            for plane in 0..<(shape[0] * shape[1]) {
                let value = Float(rng.nextInt(below: 33) - 16) / 8
                for r in 0..<(h / 2) { for c in 0..<(w / 2) { values[plane * h * w + r * w + c] = value } }
            }
        }
        return Tensor(shape: Shape(shape), values: values, requiresGrad: requiresGrad)
    }

    static func composed(_ x: Tensor, _ w: Tensor, _ b: Tensor?, _ c: Case) -> Tensor {
        let pooled = x.conv2d(w, bias: b, stride: c.stride, padding: c.padding, dilation: c.dilation).maxPool2d(kernelSize: c.poolKernel)
        switch c.activation {
        case .none: return pooled
        case .relu: return pooled.relu()
        case .leakyRelu(let slope): return pooled.leakyRelu(negativeSlope: slope)
        case .elu(let alpha): return pooled.elu(alpha: alpha)
        }
    }

    static func fused(_ x: Tensor, _ w: Tensor, _ b: Tensor?, _ c: Case) -> Tensor {
        x.conv2dMaxPool(w, bias: b, stride: c.stride, padding: c.padding, dilation: c.dilation, poolKernel: c.poolKernel, activation: c.activation)
    }

    /// Forward, and the gradients of the input, weight and bias; returns them.
    static func run(_ op: (Tensor, Tensor, Tensor?, Case) -> Tensor, _ x: Tensor, _ w: Tensor, _ b: Tensor?, _ c: Case,
                    upstream: Tensor) -> [[Float]] {
        for t in [x, w] + (b.map { [$0] } ?? []) { t.setGrad(nil) }
        let y = op(x, w, b, c)
        y.backward(gradient: upstream)
        return [y.values, x.grad?.values ?? [], w.grad!.values, b?.grad!.values ?? []]
    }

    static func expectGradientsClose(_ a: [Float], _ b: [Float], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let scale = b.lazy.filter(\.isFinite).map(abs).max() ?? 0
        expectClose(a, b, rtol: 1e-5, atol: 1e-5 * max(scale, 1e-3), what, sourceLocation: sourceLocation)
    }

    @Test(arguments: cases)
    func equalsTheComposedOps(_ c: Case) {
        var rng = RandomGenerator(seed: 1)
        let x = Self.coarse(c.input, &rng, requiresGrad: c.inputNeedsGradient)
        let w = Self.coarse([c.outChannels, c.input[1], c.kernel.height, c.kernel.width], &rng, requiresGrad: true)
        let b = c.bias ? Self.coarse([c.outChannels], &rng, requiresGrad: true) : nil
        let probe = Self.composed(x, w, b, c)
        let upstream = SpatialFixtures.random(probe.shape, &rng)
        let expected = Self.run(Self.composed, x, w, b, c, upstream: upstream)
        let actual = Self.run(Self.fused, x, w, b, c, upstream: upstream)
        #expect(Self.fused(x, w, b, c).shape == probe.shape)
        expectClose(actual[0], expected[0], rtol: 0, atol: 0, "\(c) forward")
        Self.expectGradientsClose(actual[1], expected[1], "\(c) input gradient")
        Self.expectGradientsClose(actual[2], expected[2], "\(c) weight gradient")
        Self.expectGradientsClose(actual[3], expected[3], "\(c) bias gradient")
    }

    /// NaN wins its window and propagates as in the separate ops. The input gradient matches; the
    /// weight gradient has NaN at least where the fused one does, since the separate ops multiply
    /// every convolution position's gradient (zero or not) with its input patch, and agrees
    /// wherever it is a number.
    @Test(arguments: [MonotoneActivation.relu, .elu(alpha: 1), .none])
    func nanInputs(_ activation: MonotoneActivation) {
        var rng = RandomGenerator(seed: 3)
        let c = Case(input: [2, 2, 12, 70], outChannels: 5, kernel: 3, padding: 1, activation: activation)
        #expect(c.fused)
        let x = Self.coarse(c.input, &rng, requiresGrad: true)
        for i in [7, 200, 401, 1500, 3001] { x.data[i] = .nan }
        let w = Self.coarse([5, 2, 3, 3], &rng, requiresGrad: true), b = Self.coarse([5], &rng, requiresGrad: true)
        let upstream = SpatialFixtures.random([2, 5, 6, 35], &rng)
        let expected = Self.run(Self.composed, x, w, b, c, upstream: upstream)
        let actual = Self.run(Self.fused, x, w, b, c, upstream: upstream)
        #expect(actual[0].contains { $0.isNaN })
        expectClose(actual[0], expected[0], rtol: 0, atol: 0, "\(c) forward")
        Self.expectGradientsClose(actual[1], expected[1], "\(c) input gradient")
        for k in [2, 3] {
            #expect(zip(actual[k], expected[k]).allSatisfy { !$0.isNaN || $1.isNaN }, "\(c) NaN only where the composed ops have one")
            let finite = zip(actual[k], expected[k]).filter { $1.isFinite }
            Self.expectGradientsClose(finite.map(\.0), finite.map(\.1), "\(c) gradient \(k) where finite")
        }
    }

    /// Central differences, step 1e-3 relative, tolerance 1e-2. The input is a ramp (0.2 per row
    /// and per column, rising towards the window corner `corner`) plus noise of +-0.05, and the
    /// weights are positive, so every window's maximum leads the others by more than the step can
    /// change them: a finite difference never crosses a switch of the maximum.
    @Test(arguments: [0, 1, 2, 3])
    func finiteDifferences(corner: Int) {
        var rng = RandomGenerator(seed: 12)
        let (h, w) = (4, 67), (down, right): (Float, Float) = (corner >= 2 ? 0.2 : -0.2, corner % 2 == 1 ? 0.2 : -0.2)
        let ramp = (0..<(2 * h * w)).map { i in down * Float(i / w % h) + right * Float(i % w) + rng.uniform(-0.05, 0.05) }
        let x = Tensor(shape: [1, 2, h, w], values: ramp, requiresGrad: true)
        let weight = Tensor(shape: [3, 2, 3, 2], values: (0..<36).map { _ in rng.uniform(0.1, 0.5) }, requiresGrad: true)
        let b = SpatialFixtures.random([3], &rng, requiresGrad: true)
        #expect(Case(input: [1, 2, h, w], outChannels: 3, kernel: [3, 2], padding: [1, 0], dilation: [1, 2], activation: .elu(alpha: 1)).fused)
        checkGradients([x, weight, b], eps: 1e-3, tolerance: 1e-2) {
            x.conv2dMaxPool(weight, bias: b, padding: [1, 0], dilation: [1, 2], activation: .elu(alpha: 1))
        }
    }

    /// With some of input, weight and bias frozen, the others get the composed ops' gradients
    /// and the frozen ones none (the kernels' bias-only and input-only paths).
    @Test(arguments: [(false, true, true), (false, false, true), (true, false, false), (true, true, false)])
    func frozenTensorsGetNoGradient(input: Bool, weight: Bool, bias: Bool) {
        var rng = RandomGenerator(seed: 6)
        let c = Case(input: [2, 2, 7, 70], outChannels: 3, kernel: 3, padding: 1, activation: .relu, inputNeedsGradient: input)
        #expect(c.fused)
        let x = Self.coarse(c.input, &rng, requiresGrad: input)
        let w = Self.coarse([3, 2, 3, 3], &rng, requiresGrad: weight), b = Self.coarse([3], &rng, requiresGrad: bias)
        let upstream = SpatialFixtures.random([2, 3, 3, 35], &rng)
        var gradients: [[[Float]?]] = []
        for op in [Self.composed, Self.fused] {
            op(x, w, b, c).backward(gradient: upstream)
            gradients.append([x, w, b].map { $0.grad?.values })
            for t in [x, w, b] { t.setGrad(nil) }
        }
        for (k, wanted) in [input, weight, bias].enumerated() {
            #expect((gradients[1][k] != nil) == wanted)
            if let expected = gradients[0][k], let actual = gradients[1][k] { Self.expectGradientsClose(actual, expected, "\(c) gradient \(k)") }
        }
    }

    /// An input used twice receives the sum of both gradients.
    @Test func gradientsAccumulate() {
        var rng = RandomGenerator(seed: 4)
        #expect(Case(input: [2, 3, 10, 68], outChannels: 4, kernel: 3, padding: 1, activation: .relu).fused)
        let x = SpatialFixtures.random([2, 3, 10, 68], &rng, requiresGrad: true)
        let w = SpatialFixtures.random([4, 3, 3, 3], &rng, requiresGrad: true)
        let b = SpatialFixtures.random([4], &rng, requiresGrad: true)
        expectGradientsAccumulate([x, w, b], upstream: SpatialFixtures.random([2, 4, 5, 34], &rng)) {
            x.conv2dMaxPool(w, bias: b, padding: 1, activation: .relu)
        }
    }

    @Test func steadyStateReusesBuffers() {
        var rng = RandomGenerator(seed: 5)
        let x = SpatialFixtures.random([3, 1, 18, 22], &rng)
        let w = SpatialFixtures.random([13, 1, 3, 3], &rng, requiresGrad: true)
        let b = SpatialFixtures.random([13], &rng, requiresGrad: true)
        let up = SpatialFixtures.random([3, 13, 9, 11], &rng)
        #expect(Case(input: [3, 1, 18, 22], outChannels: 13, kernel: 3, padding: 1, activation: .elu(alpha: 1), inputNeedsGradient: false).fused)
        expectSteadyStateReusesBuffers {
            x.conv2dMaxPool(w, bias: b, padding: 1, activation: .elu(alpha: 1)).backward(gradient: up)
            w.setGrad(nil)
            b.setGrad(nil)
        }
    }
}
