import Autograd
import Kernels
import Testing

/// Compares the gradients backward() computes with central finite differences.
///
/// The engine is Float32, so differences are taken with a step of `eps` (default 1e-2 relative to
/// each element's size) and compared with a stated tolerance: |analytic - numeric| <= tolerance *
/// max(1, |numeric|). Functions with kinks (relu at 0, max-pool ties) need inputs away from them.
func checkGradients(_ inputs: [Tensor], eps: Float = 1e-2, tolerance: Float = 2e-2,
                    sourceLocation: SourceLocation = #_sourceLocation, _ f: () -> Tensor) {
    var rng = RandomGenerator(seed: 99)
    let probe = f()
    let upstream = Tensor(shape: probe.shape, values: (0..<probe.count).map { _ in rng.uniform(-1, 1) })
    for x in inputs { x.setGrad(nil) }
    f().backward(gradient: upstream)
    let analytic = inputs.map { $0.grad?.values ?? [Float](repeating: 0, count: $0.count) }

    func objective() -> Double {
        let y = f()
        var s = 0.0
        for i in 0..<y.count { s += Double(y.data[i]) * Double(upstream.data[i]) }
        return s
    }
    for (n, x) in inputs.enumerated() {
        for i in 0..<x.count {
            let original = x.data[i]
            let h = eps * max(1, abs(original))
            x.data[i] = original + h
            let plus = objective()
            x.data[i] = original - h
            let minus = objective()
            x.data[i] = original
            let numeric = Float((plus - minus) / (2 * Double(h)))
            let a = analytic[n][i]
            #expect(abs(a - numeric) <= tolerance * max(1, abs(numeric)),
                    "input \(n) element \(i): backward gives \(a), finite difference \(numeric)",
                    sourceLocation: sourceLocation)
        }
    }
    for x in inputs { x.setGrad(nil) }
}

/// Backward through `f()` once, then through `f() + f()`: every input's gradient must double
/// (the accumulate path of every pass). Clears the gradients.
func expectGradientsAccumulate(_ inputs: [Tensor], upstream: Tensor, sourceLocation: SourceLocation = #_sourceLocation,
                               _ f: () -> Tensor) {
    for x in inputs { x.setGrad(nil) }
    f().backward(gradient: upstream)
    let once = inputs.map { $0.grad!.values }
    for x in inputs { x.setGrad(nil) }
    (f() + f()).backward(gradient: upstream)
    for (x, g) in zip(inputs, once) { expectClose(x.grad!.values, g.map { 2 * $0 }, sourceLocation: sourceLocation) }
    for x in inputs { x.setGrad(nil) }
}

/// Runs `step` twice to fill the buffer pool, then checks that `steps` more allocate no fresh
/// buffer on this thread.
///
/// The pool is process-wide and tests run concurrently, so another test may take a cached block
/// between two steps and force one fresh allocation here. A buffer the step itself fails to reuse
/// shows in every window of steps, so up to twenty windows are tried and one must be clean (three
/// were not enough when the whole suite ran at once).
func expectSteadyStateReusesBuffers(steps: Int = 5, sourceLocation: SourceLocation = #_sourceLocation, _ step: () -> Void) {
    step()
    step()
    var fresh = 0
    for _ in 0..<20 {
        let before = BufferPool.freshAllocationsOnThisThread
        for _ in 0..<steps { step() }
        fresh = BufferPool.freshAllocationsOnThisThread - before
        if fresh == 0 { break }
    }
    #expect(fresh == 0, "\(fresh) fresh allocations in \(steps) steady-state steps", sourceLocation: sourceLocation)
}
