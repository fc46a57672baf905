import Autograd
import Kernels
import NN
import Testing

/// The optimizers against PyTorch (tools/goldens/optim.py): parameters after each of 10 steps and
/// the final state. Tolerance per case in the golden, rtol 5e-7 and atol 1e-8 (about 4 ulps): the
/// update order and roundings are PyTorch's, but ATen's MKL square root is sometimes one ulp off
/// the correctly rounded one (RMSprop shows it, up to 2 ulps after 10 steps).
@Suite struct OptimizerTests {
    static let cases = OptimGoldens.shared.optimizers

    /// SGD, Adam, AdamW and Adagrad reproduce these goldens bit for bit: the check that every
    /// operation is PyTorch's, in its order, with its fused multiply-adds (a tolerance would let a
    /// reordered formula through).
    @Test(arguments: cases.filter { $0.algorithm != "rmsprop" })
    func reproducesPyTorchBitForBit(_ c: OptimGoldens.OptimizerCase) throws {
        let optimizer = try c.configuration.makeOptimizer(c.makeParameters())
        for (i, step) in c.steps.enumerated() {
            c.run(step: i, optimizer)
            for p in optimizer.parameters {
                let differing = zip(p.tensor.values, step.params[p.name]!.data).filter { $0 != $1 }.count
                #expect(differing == 0, "\(c.name) step \(i + 1) \(p.name): \(differing) of \(p.tensor.count) values differ")
            }
        }
    }

    @Test(arguments: cases)
    func matchesPyTorchStepByStep(_ c: OptimGoldens.OptimizerCase) throws {
        let optimizer = try c.configuration.makeOptimizer(c.makeParameters())
        #expect(optimizer.algorithm == c.algorithm)
        for (i, step) in c.steps.enumerated() {
            c.run(step: i, optimizer)
            for p in optimizer.parameters {
                expectClose(p.tensor.values, step.params[p.name]!.data, rtol: c.rtol, atol: c.atol, "\(c.name) step \(i + 1) \(p.name)")
            }
        }
        #expect(optimizer.learningRate == c.final_lr)

        let state = optimizer.exportState()
        #expect(Set(state.tensors.keys) == Set(c.state.keys), "\(c.name): state keys")
        for (key, expected) in c.state {
            guard let t = state.tensors[key] else { continue }
            #expect(t.shape.dims == expected.shape, "\(c.name) \(key) shape")
            expectClose(t.values, expected.data, rtol: c.rtol, atol: c.atol, "\(c.name) state \(key)")
        }
        #expect(state.scalars == c.scalars.merging(["lr": c.final_lr]) { a, _ in a }, "\(c.name): step counts and lr")
    }

    /// An optimizer rebuilt from exported state continues exactly as the one that never stopped.
    @Test(arguments: cases)
    func resumesBitForBit(_ c: OptimGoldens.OptimizerCase) throws {
        let straight = try c.configuration.makeOptimizer(c.makeParameters())
        let first = try c.configuration.makeOptimizer(c.makeParameters())
        for i in 0..<5 {
            c.run(step: i, straight)
            c.run(step: i, first)
        }
        let saved = first.exportState()
        let resumedParameters = first.parameters.map { (name: $0.name, tensor: Tensor(shape: $0.tensor.shape, values: $0.tensor.values)) }
        let resumed = try c.configuration.makeOptimizer(resumedParameters)
        resumed.learningRate = 123  // the import must restore it
        try resumed.importState(saved)
        for i in 5..<c.steps.count {
            c.run(step: i, straight)
            c.run(step: i, resumed)
        }
        for (a, b) in zip(straight.parameters, resumed.parameters) {
            #expect(a.tensor.values == b.tensor.values, "\(c.name) \(a.name)")
        }
        #expect(straight.learningRate == resumed.learningRate)
    }

    /// A parameter large enough to be split across threads gives, in every slice, what the
    /// golden's small parameter gives: the kernels are elementwise and must not depend on chunks.
    @Test(arguments: cases.filter { ["sgd_momentum_nesterov_weight_decay", "adam_amsgrad_weight_decay", "adamw_defaults",
                                     "rmsprop_centered_momentum_weight_decay", "adagrad_lr_decay_initial_accumulator_weight_decay"].contains($0.name) })
    func largeParametersMatchSmallOnes(_ c: OptimGoldens.OptimizerCase) throws {
        let tiles = 1500  // 45 x 1500 = 67500 elements: several chunks on any machine with 2+ threads
        let small = c.initial["fc.weight"]!.data
        let big = Tensor(shape: [small.count * tiles], values: Array([[Float]](repeating: small, count: tiles).joined()))
        let optimizer = try c.configuration.makeOptimizer([(name: "big", tensor: big)])
        for step in c.steps {
            if let lr = step.lr { optimizer.learningRate = lr }
            let g = step.grads["fc.weight"]!.data
            big.setGrad(Tensor(shape: big.shape, values: Array([[Float]](repeating: g, count: tiles).joined())))
            optimizer.step()
        }
        let expected = c.steps.last!.params["fc.weight"]!.data
        let values = big.values
        for t in [0, tiles / 2, tiles - 1] {
            expectClose(Array(values[(t * small.count)..<((t + 1) * small.count)]), expected, rtol: c.rtol, atol: c.atol, "\(c.name) tile \(t)")
        }
        let first = Array(values[0..<small.count])
        #expect((0..<tiles).allSatisfy { Array(values[($0 * small.count)..<(($0 + 1) * small.count)]) == first })
    }

    @Test func zeroGradDropsGradients() throws {
        let w = Tensor(shape: [2], values: [1, 2], requiresGrad: true)
        w.setGrad(Tensor(shape: [2], values: [0.5, 0.5]))
        let sgd = try SGD([(name: "w", tensor: w)], .init(lr: 0.1))
        sgd.zeroGrad()
        #expect(w.grad == nil)
        sgd.step()  // no gradient: nothing moves
        #expect(w.values == [1, 2])
    }

    @Test func defaultsArePyTorchs() {
        #expect(SGD.Options() == SGD.Options(lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false))
        let adam = Adam.Options()
        #expect(adam.lr == 1e-3 && adam.betas == (0.9, 0.999) && adam.eps == 1e-8 && adam.weightDecay == 0 && !adam.amsgrad)
        let adamW = Adam.Options.adamW()
        #expect(adamW.weightDecay == 1e-2 && adamW.decoupledWeightDecay && adamW.algorithm == "adamw")
        #expect(RMSprop.Options() == RMSprop.Options(lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false))
        #expect(Adagrad.Options() == Adagrad.Options(lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10))
    }

    @Test func invalidOptionsAreRefusedWithPyTorchsConditions() {
        let p: [NamedParameter] = [(name: "w", tensor: Tensor.zeros([2]))]
        #expect(throws: OptimizerError("[sgd] nesterov momentum requires momentum > 0 and dampening = 0, got momentum 0.0, dampening 0.0")) {
            try SGD(p, .init(lr: 0.1, nesterov: true))
        }
        #expect(throws: OptimizerError("[sgd] lr must be >= 0, got -0.1")) { try SGD(p, .init(lr: -0.1)) }
        #expect(throws: OptimizerError("[adamw] betas[1] must be in [0, 1), got 1.0")) {
            try Adam(p, .adamW(betas: (0.9, 1.0)))
        }
        #expect(throws: OptimizerError("[rmsprop] alpha must be >= 0, got -0.5")) { try RMSprop(p, .init(alpha: -0.5)) }
        #expect(throws: OptimizerError("[adagrad] initial_accumulator_value must be >= 0, got -1.0")) {
            try Adagrad(p, .init(initialAccumulatorValue: -1))
        }
    }

    @Test func importRefusesStateThatDoesNotFit() throws {
        let w = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        w.setGrad(Tensor(shape: [2, 3], values: [1, 1, 1, 1, 1, 1]))
        let adam = try Adam([(name: "fc.weight", tensor: w)])
        adam.step()
        let good = adam.exportState()
        #expect(good.scalars == ["lr": 1e-3, "fc.weight.step": 1])

        let sgd = try SGD([(name: "fc.weight", tensor: w)], .init(momentum: 0.9))
        #expect(throws: OptimizerError("[sgd] cannot resume from adam optimizer state")) { try sgd.importState(good) }

        let other = try Adam([(name: "fc.weight", tensor: Tensor.zeros([3, 2]))])
        #expect(throws: OptimizerError("[adam] optimizer state fc.weight.exp_avg has shape (2,3), parameter fc.weight has (3,2)")) {
            try other.importState(good)
        }

        var incomplete = good
        incomplete.tensors["fc.weight.exp_avg_sq"] = nil
        #expect(throws: OptimizerError("[adam] optimizer state for fc.weight is incomplete: missing fc.weight.exp_avg_sq")) {
            try adam.importState(incomplete)
        }

        var extra = good
        extra.scalars["fc.bias.step"] = 3
        #expect(throws: OptimizerError("[adam] optimizer state has entries this optimizer does not use (other parameters or options?): fc.bias.step")) {
            try adam.importState(extra)
        }

        let amsgrad = try Adam([(name: "fc.weight", tensor: w)], .init(amsgrad: true))
        #expect(throws: OptimizerError("[adam] optimizer state for fc.weight is incomplete: missing fc.weight.max_exp_avg_sq")) {
            try amsgrad.importState(good)
        }

        // A failed import changes nothing.
        #expect(adam.exportState().tensors["fc.weight.exp_avg"]!.values == good.tensors["fc.weight.exp_avg"]!.values)
    }

    /// Exported state is a copy: later steps do not change a checkpoint already taken.
    @Test func exportedStateIsACopy() throws {
        let w = Tensor(shape: [3], values: [1, 2, 3])
        let sgd = try SGD([(name: "w", tensor: w)], .init(lr: 0.1, momentum: 0.9))
        w.setGrad(Tensor(shape: [3], values: [1, 1, 1]))
        sgd.step()
        let saved = sgd.exportState()
        sgd.step()
        #expect(saved.tensors["w.momentum_buffer"]!.values == [1, 1, 1])
        #expect(saved.scalars == ["lr": 0.1])
    }
}
