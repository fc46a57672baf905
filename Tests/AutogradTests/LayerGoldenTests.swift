import Autograd
import Kernels
import Testing

/// The layers of issue 9, forward and backward, against PyTorch (Goldens/layers.json, written by
/// tools/goldens/layers.py), then against central finite differences (Support/GradientCheck.swift).
@Suite struct LayerGoldenTests {
    @Test(arguments: Golden.cases("layers"))
    func matchesPyTorch(_ c: GoldenCase) {
        switch c.op {
        case "silu", "softplus":
            let x = c.input("x")
            c.checkForwardAndBackward(c.op == "silu" ? x.silu() : x.softplus(beta: c.param("beta")!.float!, threshold: c.param("threshold")!.float!))
            c.checkGradients(["x": x])
        case "layer_norm", "group_norm":
            let x = c.input("x"), w = c.optionalInput("weight"), b = c.optionalInput("bias"), eps = c.param("eps")!.float!
            c.checkForwardAndBackward(c.op == "layer_norm" ? x.layerNorm(Shape(c.param("shape")!.ints!), weight: w, bias: b, eps: eps)
                                                           : x.groupNorm(groups: c.param("groups")!.int!, weight: w, bias: b, eps: eps))
            c.checkGradients(["x": x, "weight": w, "bias": b].compactMapValues { $0 })
        case "adaptive_avg_pool2d", "adaptive_max_pool2d":
            let x = c.input("x"), out = c.param("output")!.ints!
            let size = IntOrPair(out[0], out[1])
            c.checkForwardAndBackward(c.op == "adaptive_avg_pool2d" ? x.adaptiveAvgPool2d(size) : x.adaptiveMaxPool2d(size))
            c.checkGradients(["x": x])
        case "conv2d_groups":
            let x = c.input("x"), w = c.input("weight"), b = c.optionalInput("bias")
            c.checkForwardAndBackward(x.conv2d(w, bias: b, stride: IntOrPair(c.param("stride")!.int!), padding: IntOrPair(c.param("padding")!.int!),
                                               dilation: IntOrPair(c.param("dilation")!.int!), groups: c.param("groups")!.int!))
            c.checkGradients(["x": x, "weight": w, "bias": b].compactMapValues { $0 })
        case "embedding":
            let x = c.input("x"), w = c.input("weight")
            c.checkForwardAndBackward(x.embedding(w, paddingIndex: c.param("padding")?.int))
            c.checkGradients(["weight": w])
        default:
            Issue.record("\(c.name): no test for op \(c.op)")
        }
    }

    static let smooth: Float = 5e-3

    @Test func smoothActivations() {
        let x = random([3, 7], seed: 41, in: -4...4)
        checkGradients([x], tolerance: Self.smooth) { x.silu() }
        checkGradients([x], tolerance: Self.smooth) { x.softplus() }
        checkGradients([x], tolerance: Self.smooth) { x.softplus(beta: 2, threshold: 30) }
    }

    @Test func normalisations() {
        let x = random([2, 4, 3, 2], seed: 42), w = random([4], seed: 43), b = random([4], seed: 44)
        checkGradients([x, w, b], tolerance: 1e-2) { x.groupNorm(groups: 2, weight: w, bias: b) }
        checkGradients([x], tolerance: 1e-2) { x.groupNorm(groups: 4) }
        let lw = random([3, 2], seed: 45), lb = random([3, 2], seed: 46)
        checkGradients([x, lw, lb], tolerance: 1e-2) { x.layerNorm([3, 2], weight: lw, bias: lb) }
        checkGradients([x], tolerance: 1e-2) { x.layerNorm([4, 3, 2]) }
    }

    @Test func adaptivePooling() {
        var rng = RandomGenerator(seed: 47)
        let x = SpatialFixtures.distinct([2, 2, 5, 7], &rng, requiresGrad: true)
        for size in [IntOrPair(1), IntOrPair(3, 4), IntOrPair(6, 9)] {
            checkGradients([x], eps: 1e-2, tolerance: Self.smooth) { x.adaptiveAvgPool2d(size) }
            checkGradients([x], eps: 1e-2, tolerance: Self.smooth) { x.adaptiveMaxPool2d(size) }
        }
    }

    @Test func groupedConvolution() {
        let x = random([2, 4, 5, 5], seed: 48), w = random([6, 2, 3, 3], seed: 49), b = random([6], seed: 50)
        checkGradients([x, w, b], tolerance: Self.smooth) { x.conv2d(w, bias: b, padding: 1, groups: 2) }
        let dw = random([4, 1, 3, 3], seed: 51)
        checkGradients([x, dw], tolerance: Self.smooth) { x.conv2d(dw, stride: 2, groups: 4) }
    }

    /// The table gets each row's gradients summed, the padding row none (by design, so finite
    /// differences, which see it in the output, run without one), and the indices none.
    @Test func embedding() {
        let indices = Tensor(shape: [2, 3], values: [1, 4, 1, 0, 2, 0])
        let table = random([5, 3], seed: 52)
        checkGradients([table], tolerance: Self.smooth) { indices.embedding(table) }
        indices.embedding(table, paddingIndex: 0).backward(gradient: Tensor.filled([2, 3, 3], with: 1))
        #expect(Array(table.grad!.values[0..<3]) == [0, 0, 0])
        #expect(Array(table.grad!.values[3..<6]) == [2, 2, 2])
        #expect(indices.grad == nil)
    }

    /// Grouped products accumulate into existing gradients like any other op.
    @Test func gradientsAccumulate() {
        let x = random([1, 4, 4, 4], seed: 53), w = random([4, 1, 3, 3], seed: 54), g = random([4], seed: 55)
        expectGradientsAccumulate([x, w], upstream: random([1, 4, 2, 2], seed: 56)) { x.conv2d(w, groups: 4) }
        expectGradientsAccumulate([x, g], upstream: random([1, 4, 4, 4], seed: 57)) { x.groupNorm(groups: 2, weight: g) }
        expectGradientsAccumulate([x], upstream: random([1, 4, 2, 3], seed: 58)) { x.adaptiveMaxPool2d(IntOrPair(2, 3)) }
    }
}

/// `dropout2d`: whole channels, drawn once per channel of each sample.
@Suite struct ChannelDropoutTests {
    @Test func dropsWholeChannelsAndScalesTheRest() {
        var rng = RandomGenerator(seed: 60)
        let x = Tensor.filled([40, 50, 3, 3], with: 1)
        let y = x.dropout2d(p: 0.3, training: true, rng: &rng)
        var dropped = 0
        for plane in 0..<2_000 {
            let values = Set(y.values[(plane * 9)..<(plane * 9 + 9)])
            #expect(values.count == 1, "plane \(plane) is not all one value: \(values)")
            if values == [0] { dropped += 1 } else { #expect(abs(values.first! - 1 / 0.7) < 1e-6) }
        }
        // 2,000 draws with p = 0.3: 600 expected, standard deviation about 20.5.
        #expect(abs(dropped - 600) < 90, "dropped \(dropped) of 2000 channels")
    }

    @Test func evaluationIsTheIdentityAndTheGradientUsesTheMask() {
        var rng = RandomGenerator(seed: 61)
        let x = random([4, 6, 2, 2], seed: 62)
        #expect(x.dropout2d(p: 0.5, training: false, rng: &rng) === x)
        var a = RandomGenerator(seed: 63), b = RandomGenerator(seed: 63)
        let y = x.dropout2d(p: 0.5, training: true, rng: &a)
        #expect(y.values == x.dropout2d(p: 0.5, training: true, rng: &b).values)
        y.backward(gradient: Tensor.filled(y.shape, with: 1))
        for i in 0..<x.count { #expect(x.grad!.values[i] == (y.values[i] == 0 ? 0 : 2)) }
    }
}
