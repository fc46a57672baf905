import Autograd
import Kernels
import Testing

/// Engine behaviour of the dense ops beyond their values: memory reuse, views, no recording
/// without gradients, broadcasting rules, and gradients handed on without a copy.
@Suite struct DenseEngineTests {
    /// A water-MLP training step (linear, relu, sigmoid, bce, backward, SGD update) plus the ops a
    /// classifier head uses (concat, cross-entropy, mean): after two warm-up steps, further steps
    /// take every tensor buffer from the pool.
    @Test func trainingStepReusesBuffers() {
        let w1 = random([16, 9], seed: 1), b1 = random([16], seed: 2)
        let w2 = random([8, 16], seed: 3), b2 = random([8], seed: 4)
        let w3 = random([1, 8], seed: 5), b3 = random([1], seed: 6)
        let wc = random([3, 9], seed: 7)
        let parameters = [w1, b1, w2, b2, w3, b3, wc]
        let x = Tensor(shape: [2, 9], values: (0..<18).map { Float($0) / 18 })
        let y = Tensor(shape: [2, 1], values: [1, 0])
        func step() {
            let h1 = x.linear(w1, b1).relu()
            let h2 = h1.linear(w2, b2).relu()
            let p = h2.linear(w3, b3).sigmoid()
            let head = Tensor.concat([h2, p], axis: 1).linear(wc).crossEntropy(targets: [2, 0], labelSmoothing: 0.1)
            let loss = p.binaryCrossEntropy(targets: y) + head * 0.5 + (h1 - 0.5).mean()
            loss.backward()
            for w in parameters {
                Arithmetic.binary(.multiply, w.grad!.data, scalar: -0.01, w.data, count: w.count, accumulate: true)
                w.setGrad(nil)
            }
        }
        expectSteadyStateReusesBuffers(steps: 10, step)
    }

    @Test func viewsShareStorage() {
        let x = random([2, 3, 4], seed: 8)
        #expect(x.reshaped(6, 4).storage === x.storage)
        #expect(x.reshaped(to: [24]).storage === x.storage)
        #expect(x.flattened(fromAxis: 1).shape == [2, 12])
        #expect(x.flattened().shape == [24])
        #expect(x.reshaped(-1, 2).shape == [12, 2])
    }

    /// A view's gradient is the result's gradient storage itself, not a copy.
    @Test func viewBackwardHandsOnTheGradient() {
        let x = random([2, 3], seed: 9)
        let v = x.reshaped(6)
        v.backward(gradient: Tensor(shape: [6], values: [1, 2, 3, 4, 5, 6]))
        #expect(x.grad?.shape == [2, 3])
        #expect(x.grad?.values == [1, 2, 3, 4, 5, 6])
    }

    /// a's gradient takes over the storage of (a + b)'s gradient; later additions into a's gradient
    /// must not reach b's, whichever order the backward walk takes.
    @Test func handedOnGradientIsNotShared() {
        let a = random([2, 3], seed: 10), b = random([2, 3], seed: 11)
        let c = random([2, 3], seed: 12), d = random([2, 3], seed: 13)
        for t in [c, d] { t.requiresGrad = false }
        ((a + b) * c).sum().backward()
        #expect(a.grad?.values == c.values && b.grad?.values == c.values)
        a.setGrad(nil); b.setGrad(nil)
        (((a + b) * c).sum() + (a * d).sum()).backward()
        expectClose(a.grad!.values, zip(c.values, d.values).map(+))
        #expect(b.grad?.values == c.values)
        a.setGrad(nil); b.setGrad(nil)
        ((a * d).sum() + ((a + b) * c).sum()).backward()
        expectClose(a.grad!.values, zip(c.values, d.values).map(+))
        #expect(b.grad?.values == c.values)
        checkGradients([a, b], tolerance: 5e-3) { (a + b) * c + a.reshaped(to: [2, 3]) * d + (a - b).relu() }
    }

    @Test func evaluationRecordsNothing() {
        let x = Tensor(shape: [2, 3], values: [1, -2, 3, 0.5, 0, -1])
        let w = Tensor(shape: [4, 3], values: (0..<12).map { Float($0) / 12 })
        let logits = x.linear(w).elu().softmax(axis: 1)
        let loss = logits.crossEntropy(targets: [1, 3]) + x.mean() * 2
        #expect(!logits.requiresGrad && !loss.requiresGrad)
    }

    @Test func broadcastShapes() {
        #expect(Shape.broadcast([3, 4], [4]) == [3, 4])
        #expect(Shape.broadcast([3, 1], [1, 4]) == [3, 4])
        #expect(Shape.broadcast([2, 3, 2, 2], [3, 1, 1]) == [2, 3, 2, 2])
        #expect(Shape.broadcast([], [2, 3]) == [2, 3])
        #expect(Shape.broadcast([3, 4], [3]) == nil)
        #expect(Shape.broadcast([2, 3], [3, 2]) == nil)
    }

    @Test func argmaxAlongEachAxis() {
        let x = Tensor(shape: [2, 3], values: [1, 5, 5, 7, -1, 2])
        #expect(x.argmax(axis: 1) == [1, 0])
        #expect(x.argmax(axis: 0) == [1, 0, 0])
        #expect(Tensor(shape: [3], values: [0, .nan, 1]).argmax(axis: 0) == [1])
    }

    @Test func lossWeightScalesGradient() {
        let p = random([2, 1], seed: 14, in: 0.2...0.8)
        let y = Tensor(shape: [2, 1], values: [1, 0])
        p.binaryCrossEntropy(targets: y).backward()
        let plain = p.grad!.values
        p.setGrad(nil)
        (p.binaryCrossEntropy(targets: y) * 0.25).backward()
        expectClose(p.grad!.values, plain.map { $0 * 0.25 })
    }
}
