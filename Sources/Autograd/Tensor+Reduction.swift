import Kernels

extension Tensor {
    /// The sum of all elements, as a scalar (rank 0).
    public func sum() -> Tensor { reduced(axes: UInt8((1 << shape.rank) - 1), keepDims: false, mean: false) }
    /// The sum along `axis` (negative counts from the end); `keepDims` leaves it as size 1.
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor {
        reduced(axes: 1 << shape.normalizedAxis(axis), keepDims: keepDims, mean: false)
    }
    /// The sum along `axes`.
    public func sum(axes: [Int], keepDims: Bool = false) -> Tensor {
        reduced(axes: axisMask(axes), keepDims: keepDims, mean: false)
    }

    /// The mean of all elements, as a scalar (rank 0).
    public func mean() -> Tensor { reduced(axes: UInt8((1 << shape.rank) - 1), keepDims: false, mean: true) }
    /// The mean along `axis` (negative counts from the end); `keepDims` leaves it as size 1.
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor {
        reduced(axes: 1 << shape.normalizedAxis(axis), keepDims: keepDims, mean: true)
    }
    /// The mean along `axes`.
    public func mean(axes: [Int], keepDims: Bool = false) -> Tensor {
        reduced(axes: axisMask(axes), keepDims: keepDims, mean: true)
    }

    /// The index of the largest element along `axis` for every position of the other axes,
    /// row-major; the first on ties. No gradient (for metrics).
    public func argmax(axis: Int) -> [Int32] {
        let (outer, n, inner) = shape.lanes(around: axis)
        return [Int32](unsafeUninitializedCapacity: outer * inner) { buffer, initialized in
            Reduction.argmax(data, outer: outer, n: n, inner: inner, into: buffer.baseAddress!)
            initialized = outer * inner
        }
    }

    private func axisMask(_ axes: [Int]) -> UInt8 {
        var mask: UInt8 = 0
        for axis in axes {
            let bit: UInt8 = 1 << shape.normalizedAxis(axis)
            precondition(mask & bit == 0, "[sum] axis \(axis) given twice in \(axes) for shape \(shape)")
            mask |= bit
        }
        return mask
    }

    /// Sums (or averages) over the axes whose bit is set in `axes`.
    private func reduced(axes: UInt8, keepDims: Bool, mean: Bool) -> Tensor {
        var kept = Shape([]), squeezed = Shape([])  // the result with reduced axes as 1, and without them
        for axis in 0..<shape.rank {
            let isReduced = axes & (1 << axis) != 0
            kept.append(isReduced ? 1 : shape[axis])
            if !isReduced { squeezed.append(shape[axis]) }
        }
        let reducedCount = count / Swift.max(kept.elementCount, 1)
        let scale: Float = mean ? 1 / Float(reducedCount) : 1
        let layout = BroadcastLayout(result: shape, a: kept, b: nil)
        let out = Tensor(uninitialized: keepDims ? kept : squeezed)
        Reduction.sum(data, layout: layout, into: out.data, scale: scale, accumulate: false)
        return out.recordingBackward([self]) { _, g in
            self.accumulateGradient { d, acc in
                withUnsafePointer(to: scale) { s in
                    Arithmetic.binary(.multiply, g.data, s, d, layout: layout, accumulate: acc)
                }
            }
        }
    }
}
