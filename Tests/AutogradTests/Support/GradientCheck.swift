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
