import Kernels

// How operations record their backward, and the reverse walk that runs them.
//
// An operation computes its result, then calls `recordingBackward` on it with its inputs and a
// closure that, given the result's gradient, accumulates into each input's gradient through
// `accumulateGradient`. The closure receives the result as an argument: it must not capture the
// result (that would be a reference cycle), only the inputs and whatever it saved.

extension Tensor {
    /// Records, on a freshly made result, how to send its gradient back to `inputs`. Records
    /// nothing when no input requires a gradient, so evaluation keeps no intermediates.
    @discardableResult
    func recordingBackward(
        _ inputs: [Tensor], _ backward: @escaping (_ output: Tensor, _ grad: Tensor) -> Void
    ) -> Tensor {
        guard inputs.contains(where: \.requiresGrad) else { return self }
        requiresGrad = true
        parents = inputs
        backwardFunction = backward
        return self
    }

    /// Adds a contribution into this tensor's gradient. `body(destination, accumulate)` must
    /// overwrite all `count` elements of `destination` when `accumulate` is false (a fresh buffer,
    /// so no zero fill is needed first) and add into them when it is true. Does nothing, and does
    /// not call `body`, when this tensor does not require a gradient.
    func accumulateGradient(_ body: (_ destination: UnsafeMutablePointer<Float>, _ accumulate: Bool) -> Void) {
        guard requiresGrad else { return }
        if let g = grad {
            body(g.data, true)
        } else {
            let g = Tensor(uninitialized: shape)
            body(g.data, false)
            grad = g
        }
    }

    /// Adds `gradient`, which has this tensor's element count, into this tensor's gradient,
    /// taking over its storage instead of copying when this tensor has no gradient yet.
    ///
    /// Only for a backward closure whose result gradient goes unchanged to this one input and is
    /// then dead: the result's gradient is released right after its closure runs, so handing its
    /// storage on is safe, but handing the same storage to two inputs is not (a later addition
    /// into one would change the other). An op with several inputs may give it to at most one.
    func accumulateGradient(reusing gradient: Tensor) {
        guard requiresGrad else { return }
        precondition(gradient.count == count, "[grad] gradient of \(gradient.count) elements for shape \(shape)")
        if let g = grad {
            Elementwise.copy(gradient.data, into: g.data, count: count, accumulate: true)
        } else {
            grad = gradient.shape == shape ? gradient : Tensor(shape: shape, storage: gradient.storage)
        }
    }

    /// Reverse-mode differentiation: accumulates d(self)/d(leaf) into the `grad` of every leaf that
    /// requires a gradient. `gradient` is the upstream gradient of a non-scalar result (as in
    /// PyTorch's `y.backward(gradient)`); for a one-element result it defaults to 1. Each
    /// intermediate's backward closure, saved tensors and gradient are released as soon as it has run.
    public func backward(gradient: Tensor? = nil) {
        if let gradient {
            precondition(gradient.shape == shape, "[backward] gradient shape \(gradient.shape) does not match \(shape)")
        } else {
            precondition(count == 1, "[backward] needs a one-element tensor or an explicit gradient, got shape \(shape)")
        }
        guard requiresGrad else { return }
        let order = topologicalOrder()
        accumulateGradient { g, accumulate in
            if let gradient {
                Elementwise.copy(gradient.data, into: g, count: count, accumulate: accumulate)
            } else {
                g[0] = accumulate ? g[0] + 1 : 1
            }
        }
        runBackward(order)
    }

    /// `backward(gradient:)` without copying the upstream gradient: its storage becomes this
    /// result's gradient and may be overwritten while gradients flow. For callers that made the
    /// gradient only for this (benchmarks timing an op's backward as PyTorch's `y.backward(g)` does).
    public func backward(consuming gradient: Tensor) {
        precondition(gradient.shape == shape, "[backward] gradient shape \(gradient.shape) does not match \(shape)")
        guard requiresGrad else { return }
        let order = topologicalOrder()
        accumulateGradient(reusing: gradient)
        runBackward(order)
    }

    /// Runs the recorded backward closures in reverse topological order, releasing each
    /// intermediate's closure, saved tensors and gradient as soon as it has run.
    private func runBackward(_ order: [Tensor]) {
        for node in order.reversed() {
            node.isVisited = false
            guard let backward = node.backwardFunction else { continue }  // a leaf: keeps its grad
            if let g = node.grad { backward(node, g) }
            node.backwardFunction = nil
            node.parents = []
            node.grad = nil
        }
    }

    /// Every tensor this one depends on through recorded operations, inputs before results. Marks
    /// each with `isVisited` (a flag instead of a hashed set: this runs every training step); the
    /// caller clears the marks.
    func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var stack: [(Tensor, Bool)] = []  // (node, its parents are done)
        order.reserveCapacity(64)  // a small model's graph fits without regrowing
        stack.reserveCapacity(64)
        stack.append((self, false))
        while let (node, expanded) = stack.popLast() {
            if expanded { order.append(node); continue }
            if node.isVisited { continue }
            node.isVisited = true
            stack.append((node, true))
            for p in node.parents where p.requiresGrad && !p.isVisited {
                stack.append((p, false))
            }
        }
        return order
    }
}
