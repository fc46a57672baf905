import Autograd
import NN
import Testing

/// Learning-rate schedules against PyTorch's schedulers stepped once per epoch. The rates are
/// compared for equality: the recursion is PyTorch's, in the same Double operations.
@Suite struct ScheduleTests {
    @Test(arguments: OptimGoldens.shared.schedules)
    func followsPyTorchsRecursionExactly(_ c: OptimGoldens.ScheduleCase) throws {
        let schedule = c.value
        try schedule.validate()
        #expect(schedule.learningRates(epochs: c.lrs.count, baseLR: c.base_lr) == c.lrs)
        for e in [0, 1, 5, c.lrs.count - 1] {
            #expect(schedule.learningRate(epoch: e, baseLR: c.base_lr) == c.lrs[e], "epoch \(e)")
        }
    }

    /// The closed form is PyTorch's too, and differs from the recursion only in the last bits.
    @Test(arguments: OptimGoldens.shared.schedules)
    func closedFormIsPyTorchsAndCloseToTheRecursion(_ c: OptimGoldens.ScheduleCase) {
        for (e, expected) in c.closed_form.enumerated() {
            let closed = c.value.closedFormLearningRate(epoch: e, baseLR: c.base_lr)
            #expect(abs(closed - expected) <= 1e-15 * abs(expected), "epoch \(e): \(closed) vs \(expected)")
            #expect(abs(closed - c.lrs[e]) <= 1e-13 * c.base_lr, "epoch \(e)")
        }
    }

    @Test func constantAndInvalidSchedules() {
        #expect(LearningRateSchedule.constant.learningRates(epochs: 3, baseLR: 0.5) == [0.5, 0.5, 0.5])
        #expect(throws: LearningRateScheduleError("[step] step_size must be a positive integer, got 0")) {
            try LearningRateSchedule.step(stepSize: 0).validate()
        }
        #expect(throws: LearningRateScheduleError("[cosine] T_max must be a positive integer, got -2")) {
            try LearningRateSchedule.cosine(tMax: -2).validate()
        }
    }
}

/// clip_grad_norm_ against PyTorch: total norm and clipped gradients within rtol 3e-7, about
/// 2 ulps (PyTorch accumulates each norm in Float, specrun in Double; the goldens differ by 1 ulp
/// at most).
@Suite struct ClippingTests {
    @Test(arguments: OptimGoldens.shared.clipping)
    func matchesPyTorch(_ c: OptimGoldens.ClipCase) {
        let shapes: [String: Shape] = ["a": [4, 3], "b": [7], "c": [2]]
        let params: [NamedParameter] = ["a", "b", "c"].map { name in
            let t = Tensor.zeros(shapes[name]!)
            t.setGrad(c.grads[name]?.tensor)
            return (name: name, tensor: t)
        }
        let total = clipGradientNorm(params, maxNorm: c.max_norm)
        #expect(abs(total - c.total_norm) <= 3e-7 * c.total_norm, "\(total) vs \(c.total_norm)")
        for p in params {
            guard let expected = c.clipped[p.name] else {
                #expect(p.tensor.grad == nil)
                continue
            }
            expectClose(p.tensor.grad!.values, expected.data, rtol: 3e-7, atol: 1e-9, "\(c.name) \(p.name)")
        }
    }

    @Test func noGradientsGiveZero() {
        let t = Tensor.zeros([3])
        #expect(clipGradientNorm([t], maxNorm: 1) == 0)
    }

    /// Split across threads, the norm still matches a plain Double sum.
    @Test func largeGradientNorm() {
        let n = 100_003
        let t = Tensor.zeros([n])
        t.setGrad(Tensor(shape: [n], values: (0..<n).map { Float($0 % 7) - 3 }))
        let expected = (0..<n).reduce(0.0) { let v = Double($1 % 7) - 3; return $0 + v * v }.squareRoot()
        let total = clipGradientNorm([t], maxNorm: 1)
        #expect(abs(Double(total) - expected) <= 1e-6 * expected)
        let clipped = t.grad!.values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        #expect(abs(clipped - 1) < 1e-5)
    }
}
