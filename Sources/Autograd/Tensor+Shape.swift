import Kernels

extension Shape {
    /// The shape seen as [outer, n, inner] around `axis` (negative counts from the end): the
    /// form every along-an-axis kernel takes.
    func lanes(around axis: Int) -> (outer: Int, n: Int, inner: Int) {
        let a = normalizedAxis(axis)
        return (product(0..<a), self[a], product((a + 1)..<rank))
    }
}

extension Tensor {
    /// The same elements in shape `newShape`, sharing storage (a view, no copy).
    public func reshaped(to newShape: Shape) -> Tensor {
        precondition(newShape.elementCount == count,
                     "[reshape] cannot view \(shape) (\(count) elements) as \(newShape) (\(newShape.elementCount) elements)")
        let out = Tensor(shape: newShape, storage: storage)
        return out.recordingBackward([self]) { _, g in self.accumulateGradient(reusing: g) }
    }

    /// The same elements viewed with dimensions `dims`, one of which may be -1 (inferred), as
    /// PyTorch's `view`.
    public func reshaped(_ dims: Int...) -> Tensor {
        var known = 1, inferred: Int?
        for (i, d) in dims.enumerated() {
            if d == -1 {
                precondition(inferred == nil, "[reshape] more than one -1 in \(dims)")
                inferred = i
            } else {
                precondition(d >= 0, "[reshape] negative dimension in \(dims)")
                known *= d
            }
        }
        var newShape = Shape([])
        for (i, d) in dims.enumerated() {
            if i == inferred {
                precondition(known > 0 && count % known == 0, "[reshape] cannot view \(shape) (\(count) elements) as \(dims)")
                newShape.append(count / known)
            } else {
                newShape.append(d)
            }
        }
        return reshaped(to: newShape)
    }

    /// Axes `start...end` merged into one (negative counts from the end), sharing storage;
    /// PyTorch's `flatten`. `nn.Flatten` is `flattened(fromAxis: 1)`.
    public func flattened(fromAxis start: Int = 0, throughAxis end: Int = -1) -> Tensor {
        if shape.rank == 0 { return reshaped(to: [1]) }
        let s = shape.normalizedAxis(start), e = shape.normalizedAxis(end)
        precondition(s <= e, "[flatten] start axis \(start) comes after end axis \(end) for shape \(shape)")
        var newShape = Shape([])
        for axis in 0..<s { newShape.append(shape[axis]) }
        newShape.append(shape.product(s..<(e + 1)))
        for axis in (e + 1)..<shape.rank { newShape.append(shape[axis]) }
        return reshaped(to: newShape)
    }

    /// The tensors joined along `axis` (negative counts from the end); every other dimension
    /// must agree. The backward hands each input its block of the gradient.
    public static func concat(_ tensors: [Tensor], axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "[concat] needs at least one tensor")
        let first = tensors[0].shape
        let a = first.normalizedAxis(axis)
        var shape = first
        shape[a] = 0
        for (i, t) in tensors.enumerated() {
            let s = t.shape
            precondition(s.rank == first.rank && (0..<s.rank).allSatisfy { $0 == a || s[$0] == first[$0] },
                         "[concat] input \(i) has shape \(s), which does not match \(first) outside axis \(a)")
            shape[a] += s[a]
        }
        let (outer, total, inner) = shape.lanes(around: a)
        let rowWidth = total * inner
        let out = Tensor(uninitialized: shape)
        var offset = 0
        for t in tensors {
            let width = t.shape[a] * inner
            BlockCopy.copy(rows: outer, width: width, from: t.data, stride: width, offset: 0,
                           to: out.data, stride: rowWidth, offset: offset, accumulate: false)
            offset += width
        }
        return out.recordingBackward(tensors) { _, g in
            var offset = 0
            for t in tensors {
                let width = t.shape[a] * inner
                t.accumulateGradient { d, acc in
                    BlockCopy.copy(rows: outer, width: width, from: g.data, stride: rowWidth, offset: offset,
                                   to: d, stride: width, offset: 0, accumulate: acc)
                }
                offset += width
            }
        }
    }

    /// The elements at positions `range` along `axis` (a copy; negative axis counts from the end).
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let a = shape.normalizedAxis(axis)
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[a],
                     "[slice] range \(range) is outside axis \(a) of size \(shape[a]) in \(shape)")
        let (outer, n, inner) = shape.lanes(around: a)
        var outShape = shape
        outShape[a] = range.count
        let width = range.count * inner, rowWidth = n * inner, offset = range.lowerBound * inner
        let out = Tensor(uninitialized: outShape)
        BlockCopy.copy(rows: outer, width: width, from: data, stride: rowWidth, offset: offset,
                       to: out.data, stride: width, offset: 0, accumulate: false)
        return out.recordingBackward([self]) { _, g in
            self.accumulateGradient { d, acc in
                if acc {
                    BlockCopy.copy(rows: outer, width: width, from: g.data, stride: width, offset: 0,
                                   to: d, stride: rowWidth, offset: offset, accumulate: true)
                } else {
                    BlockCopy.embed(rows: outer, width: width, from: g.data, to: d, stride: rowWidth, offset: offset)
                }
            }
        }
    }

    /// Consecutive slices along `axis` of the given sizes, which must add up to the axis.
    public func split(sizes: [Int], axis: Int) -> [Tensor] {
        let a = shape.normalizedAxis(axis)
        precondition(sizes.reduce(0, +) == shape[a] && sizes.allSatisfy { $0 >= 0 },
                     "[split] sizes \(sizes) do not add up to axis \(a) of size \(shape[a]) in \(shape)")
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return slice(axis: a, start..<(start + size))
        }
    }
}
