/// The iteration space of an elementwise operation whose two operands may be broadcast against
/// the result (NumPy rules). Axes of size 1 are dropped and neighbouring axes along which both
/// operands vary in the same way are merged, so most operations run over one to three axes:
/// same shapes are one contiguous axis, a bias [C] over [N, C] is two, a per-channel [C, 1, 1]
/// over [N, C, H, W] is three.
public struct BroadcastLayout: Sendable {
    public private(set) var rank = 0
    /// The number of result elements.
    public private(set) var count = 1
    private var sizes = SIMD8<Int>(repeating: 1)
    private var aBits: UInt8 = 0  // bit d set: operand a varies along axis d (else it is broadcast)
    private var bBits: UInt8 = 0

    public init() {}

    /// The layout of `count` elements where `a` and `b` vary (true) or are one broadcast value.
    public init(count: Int, a: Bool, b: Bool) {
        append(size: count, a: a, b: b)
    }

    /// Appends the next axis of the result, outermost first; `a` and `b` say whether each operand
    /// has this axis (true) or is broadcast along it.
    public mutating func append(size: Int, a: Bool, b: Bool) {
        count *= size
        if size == 1 { return }
        if rank > 0, aVaries(rank - 1) == a, bVaries(rank - 1) == b {
            sizes[rank - 1] *= size
            return
        }
        precondition(rank < 8, "[broadcast] more than 8 axes")
        sizes[rank] = size
        if a { aBits |= 1 << rank }
        if b { bBits |= 1 << rank }
        rank += 1
    }

    @inline(__always) public func size(_ axis: Int) -> Int { sizes[axis] }
    @inline(__always) func aVaries(_ axis: Int) -> Bool { aBits & (1 << axis) != 0 }
    @inline(__always) func bVaries(_ axis: Int) -> Bool { bBits & (1 << axis) != 0 }

    /// Element strides of operand a (or b) along each axis: 0 where it is broadcast.
    func strides(ofA: Bool) -> SIMD8<Int> {
        var strides = SIMD8<Int>(repeating: 0)
        var step = 1
        for d in stride(from: rank - 1, through: 0, by: -1) where ofA ? aVaries(d) : bVaries(d) {
            strides[d] = step
            step *= sizes[d]
        }
        return strides
    }
}

/// The four arithmetic operators of the broadcasting kernels.
public enum BinaryOperator: Sendable {
    case add, subtract, multiply, divide
}

public enum Arithmetic {
    /// y (=|+=) a op b over `layout`, reading each operand at its broadcast position.
    public static func binary(_ op: BinaryOperator, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                              _ y: UnsafeMutablePointer<Float>, layout: BroadcastLayout, accumulate: Bool) {
        switch (op, accumulate) {
        case (.add, false): run(Add.self, Write.self, a, b, y, layout)
        case (.add, true): run(Add.self, Accumulate.self, a, b, y, layout)
        case (.subtract, false): run(Subtract.self, Write.self, a, b, y, layout)
        case (.subtract, true): run(Subtract.self, Accumulate.self, a, b, y, layout)
        case (.multiply, false): run(Multiply.self, Write.self, a, b, y, layout)
        case (.multiply, true): run(Multiply.self, Accumulate.self, a, b, y, layout)
        case (.divide, false): run(Divide.self, Write.self, a, b, y, layout)
        case (.divide, true): run(Divide.self, Accumulate.self, a, b, y, layout)
        }
    }

    /// y (=|+=) x op s for `count` contiguous elements and one scalar `s`.
    public static func binary(_ op: BinaryOperator, _ x: UnsafePointer<Float>, scalar s: Float,
                              _ y: UnsafeMutablePointer<Float>, count: Int, accumulate: Bool) {
        withUnsafePointer(to: s) { sp in
            binary(op, x, sp, y, layout: BroadcastLayout(count: count, a: true, b: false), accumulate: accumulate)
        }
    }

    /// y (=|+=) s op x for `count` contiguous elements and one scalar `s`.
    public static func binary(_ op: BinaryOperator, scalar s: Float, _ x: UnsafePointer<Float>,
                              _ y: UnsafeMutablePointer<Float>, count: Int, accumulate: Bool) {
        withUnsafePointer(to: s) { sp in
            binary(op, sp, x, y, layout: BroadcastLayout(count: count, a: false, b: true), accumulate: accumulate)
        }
    }

    /// dx (=|+=) -g * y / x: the gradient of y = s / x, from its result.
    public static func reciprocalBackward(_ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                                          _ dx: UnsafeMutablePointer<Float>, count: Int, accumulate: Bool) {
        Parallel.forEachChunk(count) { r in
            if accumulate {
                for i in r { dx[i] += -g[i] * y[i] / x[i] }
            } else {
                for i in r { dx[i] = -g[i] * y[i] / x[i] }
            }
        }
    }

    // MARK: - The loop nest

    /// Walks the result row by row (a row is the innermost merged axis), with each operand either
    /// contiguous along the row or one broadcast value. Rows are split across threads when there
    /// are many; a single long row is split instead.
    @inline(__always)
    private static func run<Op: ElementOperator, Mode: StoreMode>(
        _: Op.Type, _: Mode.Type, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
        _ y: UnsafeMutablePointer<Float>, _ layout: BroadcastLayout
    ) {
        let n = layout.rank
        if layout.count == 0 { return }
        if n == 0 {
            Mode.store(y, Op.apply(a[0], b[0]))
            return
        }
        let inner = layout.size(n - 1)
        let aInner = layout.aVaries(n - 1), bInner = layout.bVaries(n - 1)

        @inline(__always)
        func row(_ y: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ length: Int) {
            switch (aInner, bInner) {
            case (true, true):
                for j in 0..<length { Mode.store(y + j, Op.apply(a[j], b[j])) }
            case (true, false):
                let s = b[0]
                for j in 0..<length { Mode.store(y + j, Op.apply(a[j], s)) }
            case (false, true):
                let s = a[0]
                for j in 0..<length { Mode.store(y + j, Op.apply(s, b[j])) }
            case (false, false):
                let v = Op.apply(a[0], b[0])
                for j in 0..<length { Mode.store(y + j, v) }
            }
        }

        let rows = layout.count / inner
        if rows == 1 {
            Parallel.forEachChunk(inner) { r in
                row(y + r.lowerBound, aInner ? a + r.lowerBound : a, bInner ? b + r.lowerBound : b, r.count)
            }
            return
        }
        let aStrides = layout.strides(ofA: true), bStrides = layout.strides(ofA: false)
        Parallel.forEachChunk(rows, grain: max(1, 16_384 / inner)) { range in
            // Position of the chunk's first row on the outer axes, then an odometer.
            var index = SIMD8<Int>(repeating: 0)
            var aOffset = 0, bOffset = 0
            var rest = range.lowerBound
            for d in stride(from: n - 2, through: 0, by: -1) {
                index[d] = rest % layout.size(d)
                rest /= layout.size(d)
                aOffset += index[d] * aStrides[d]
                bOffset += index[d] * bStrides[d]
            }
            for r in range {
                row(y + r * inner, a + aOffset, b + bOffset, inner)
                var d = n - 2
                while d >= 0 {
                    index[d] += 1
                    aOffset += aStrides[d]
                    bOffset += bStrides[d]
                    if index[d] < layout.size(d) { break }
                    aOffset -= aStrides[d] * index[d]
                    bOffset -= bStrides[d] * index[d]
                    index[d] = 0
                    d -= 1
                }
            }
        }
    }
}

// Operators and store modes as types, so each combination compiles to its own tight loop.

protocol ElementOperator { static func apply(_ a: Float, _ b: Float) -> Float }
enum Add: ElementOperator { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b } }
enum Subtract: ElementOperator { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b } }
enum Multiply: ElementOperator { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b } }
enum Divide: ElementOperator { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a / b } }

protocol StoreMode { static func store(_ p: UnsafeMutablePointer<Float>, _ v: Float) }
enum Write: StoreMode { @inline(__always) static func store(_ p: UnsafeMutablePointer<Float>, _ v: Float) { p.pointee = v } }
enum Accumulate: StoreMode { @inline(__always) static func store(_ p: UnsafeMutablePointer<Float>, _ v: Float) { p.pointee += v } }
