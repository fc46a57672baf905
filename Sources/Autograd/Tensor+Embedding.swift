import Kernels

extension Tensor {
    /// The rows of `weight` ([rows, width]) at the indices this tensor holds, as PyTorch's
    /// embedding: the result has this tensor's shape with `width` appended. This tensor holds the
    /// indices as floats (model inputs are Float32), each a whole number in 0..<rows; the caller
    /// has checked that (a data error, never an engine one). The gradient reaches `weight` only,
    /// summed per row, and never the row `paddingIndex`.
    public func embedding(_ weight: Tensor, paddingIndex: Int? = nil) -> Tensor {
        precondition(weight.shape.rank == 2, "[embedding] weight must be (rows,width), got shape \(weight.shape)")
        let rows = weight.shape[0], width = weight.shape[1]
        var indices = [Int32](repeating: 0, count: count)
        for i in 0..<count {
            let v = data[i]
            precondition(v == v.rounded() && v >= 0 && v < Float(rows),
                         "[embedding] index \(v) at element \(i) of input \(shape) is not a whole number in 0..<\(rows)")
            indices[i] = Int32(v)
        }
        var outShape = shape
        outShape.append(width)
        let out = Tensor(uninitialized: outShape)
        let n = count
        indices.withUnsafeBufferPointer { Embedding.gather(indices: $0.baseAddress!, count: n, table: weight.data, width: width, y: out.data) }
        return out.recordingBackward([weight]) { _, grad in
            weight.accumulateGradient { dTable, accumulate in
                indices.withUnsafeBufferPointer {
                    Embedding.scatterAdd(dy: grad.data, indices: $0.baseAddress!, count: n, width: width, dTable: dTable, rows: rows,
                                         padding: paddingIndex, accumulate: accumulate)
                }
            }
        }
    }
}
