import Kernels

// Elementwise arithmetic with NumPy/PyTorch broadcasting: shapes are aligned at their last axis,
// and along each axis the sizes must be equal or one of them 1. Gradients are summed back over
// the axes along which an operand was broadcast.

extension Shape {
    /// The shape two operands broadcast to, or nil when they do not broadcast.
    public static func broadcast(_ a: Shape, _ b: Shape) -> Shape? {
        if a == b { return a }
        let rank = Swift.max(a.rank, b.rank)
        var result = Shape([])
        for axis in 0..<rank {
            let da = axis < rank - a.rank ? 1 : a[axis - (rank - a.rank)]
            let db = axis < rank - b.rank ? 1 : b[axis - (rank - b.rank)]
            guard da == db || da == 1 || db == 1 else { return nil }
            result.append(da == 1 ? db : da)
        }
        return result
    }

    /// The size of `axis` of this shape aligned right against a result of rank `rank`.
    @inline(__always)
    func aligned(_ axis: Int, to rank: Int) -> Int {
        let offset = rank - self.rank
        return axis < offset ? 1 : self[axis - offset]
    }
}

extension BroadcastLayout {
    /// The layout of `result` with operands of shapes `a` and `b` broadcast to it; nil stands for
    /// a single value broadcast everywhere.
    init(result: Shape, a: Shape?, b: Shape?) {
        self.init()
        let rank = result.rank
        for axis in 0..<rank {
            let n = result[axis]
            append(size: n, a: a.map { $0.aligned(axis, to: rank) == n } ?? false,
                   b: b.map { $0.aligned(axis, to: rank) == n } ?? false)
        }
    }
}

extension Tensor {
    /// a + b, broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor { a.broadcasting(.add, b, "add") }
    /// a - b, broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor { a.broadcasting(.subtract, b, "sub") }
    /// a * b elementwise, broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor { a.broadcasting(.multiply, b, "mul") }
    /// a / b elementwise, broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor { a.broadcasting(.divide, b, "div") }

    private func broadcasting(_ op: BinaryOperator, _ other: Tensor, _ name: String) -> Tensor {
        let a = self, b = other
        guard let shape = Shape.broadcast(a.shape, b.shape) else {
            preconditionFailure("[\(name)] shapes \(a.shape) and \(b.shape) cannot be broadcast together")
        }
        let layout = a.shape == b.shape ? BroadcastLayout(count: a.count, a: true, b: true)
                                        : BroadcastLayout(result: shape, a: a.shape, b: b.shape)
        let out = Tensor(uninitialized: shape)
        Arithmetic.binary(op, a.data, b.data, out.data, layout: layout, accumulate: false)
        return out.recordingBackward([a, b]) { out, g in
            switch op {
            case .add, .subtract:
                let bScale: Float = op == .add ? 1 : -1
                if a.shape == shape { a.accumulateGradient(reusing: g) } else { a.sumGradient(g, scale: 1) }
                b.sumGradient(g, scale: bScale)
            case .multiply:
                a.productGradient(g, b)
                b.productGradient(g, a)
            case .divide:
                // da = g / b; db = -Σ g a / b² = -Σ (g / b) y, with y = a / b the result.
                let quotient = Tensor(uninitialized: shape)
                Arithmetic.binary(.divide, g.data, b.data, quotient.data,
                                  layout: BroadcastLayout(result: shape, a: shape, b: b.shape), accumulate: false)
                a.sumGradient(quotient, scale: 1)
                if b.requiresGrad {
                    Arithmetic.binary(.multiply, quotient.data, out.data, quotient.data,
                                      layout: BroadcastLayout(count: quotient.count, a: true, b: true), accumulate: false)
                    b.sumGradient(quotient, scale: -1)
                }
            }
        }
    }

    /// Adds scale * g, summed over the axes this tensor was broadcast along, into the gradient.
    func sumGradient(_ g: Tensor, scale: Float) {
        accumulateGradient { d, acc in
            Reduction.sum(g.data, layout: BroadcastLayout(result: g.shape, a: self.shape, b: nil),
                          into: d, scale: scale, accumulate: acc)
        }
    }

    /// Adds g * other (broadcast), summed over the axes this tensor was broadcast along, into the
    /// gradient: directly when this tensor has the result's shape, else through a temporary.
    func productGradient(_ g: Tensor, _ other: Tensor) {
        guard requiresGrad else { return }
        let layout = BroadcastLayout(result: g.shape, a: g.shape, b: other.shape)
        if count == g.count {
            accumulateGradient { d, acc in Arithmetic.binary(.multiply, g.data, other.data, d, layout: layout, accumulate: acc) }
        } else {
            let product = Tensor(uninitialized: g.shape)
            Arithmetic.binary(.multiply, g.data, other.data, product.data, layout: layout, accumulate: false)
            sumGradient(product, scale: 1)
        }
    }

    // MARK: - With a scalar

    /// x + s
    public static func + (x: Tensor, s: Float) -> Tensor { x.scalarOp(.add, s, scalarFirst: false) }
    /// s + x
    public static func + (s: Float, x: Tensor) -> Tensor { x.scalarOp(.add, s, scalarFirst: false) }
    /// x - s
    public static func - (x: Tensor, s: Float) -> Tensor { x.scalarOp(.subtract, s, scalarFirst: false) }
    /// s - x
    public static func - (s: Float, x: Tensor) -> Tensor { x.scalarOp(.subtract, s, scalarFirst: true) }
    /// x * s: how a loss gets its weight.
    public static func * (x: Tensor, s: Float) -> Tensor { x.scalarOp(.multiply, s, scalarFirst: false) }
    /// s * x
    public static func * (s: Float, x: Tensor) -> Tensor { x.scalarOp(.multiply, s, scalarFirst: false) }
    /// x / s
    public static func / (x: Tensor, s: Float) -> Tensor { x.scalarOp(.divide, s, scalarFirst: false) }
    /// s / x
    public static func / (s: Float, x: Tensor) -> Tensor { x.scalarOp(.divide, s, scalarFirst: true) }
    /// -x
    public static prefix func - (x: Tensor) -> Tensor { x.scalarOp(.multiply, -1, scalarFirst: false) }

    private func scalarOp(_ op: BinaryOperator, _ s: Float, scalarFirst: Bool) -> Tensor {
        let out = Tensor(uninitialized: shape)
        if scalarFirst {
            Arithmetic.binary(op, scalar: s, data, out.data, count: count, accumulate: false)
        } else {
            Arithmetic.binary(op, data, scalar: s, out.data, count: count, accumulate: false)
        }
        return out.recordingBackward([self]) { out, g in
            switch (op, scalarFirst) {
            case (.add, _), (.subtract, false):
                self.accumulateGradient(reusing: g)
            case (.subtract, true):
                self.accumulateGradient { d, acc in Arithmetic.binary(.multiply, g.data, scalar: -1, d, count: g.count, accumulate: acc) }
            case (.multiply, _):
                self.accumulateGradient { d, acc in Arithmetic.binary(.multiply, g.data, scalar: s, d, count: g.count, accumulate: acc) }
            case (.divide, false):
                self.accumulateGradient { d, acc in Arithmetic.binary(.divide, g.data, scalar: s, d, count: g.count, accumulate: acc) }
            case (.divide, true):
                self.accumulateGradient { d, acc in
                    Arithmetic.reciprocalBackward(g.data, out.data, self.data, d, count: g.count, accumulate: acc)
                }
            }
        }
    }
}
