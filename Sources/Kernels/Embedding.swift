/// A lookup table of `rows` vectors of `width` floats, read by index (`nn.Embedding`).
public enum Embedding {
    /// y[i] = table[indices[i]] for each of the `count` indices, every index in 0..<rows.
    public static func gather(indices: UnsafePointer<Int32>, count: Int, table: UnsafePointer<Float>, width: Int,
                              y: UnsafeMutablePointer<Float>) {
        Parallel.forEachChunk(count, grain: max(1, 16_384 / max(1, width))) { r in
            for i in r { (y + i * width).update(from: table + Int(indices[i]) * width, count: width) }
        }
    }

    /// dTable (=|+=) for each index, the gradient of every position that read it, summed in the
    /// order the positions come (as PyTorch's embedding_dense_backward on the CPU); the row of
    /// `padding` gets none (it stays as it is, PyTorch's `padding_idx`).
    public static func scatterAdd(dy: UnsafePointer<Float>, indices: UnsafePointer<Int32>, count: Int, width: Int,
                                  dTable: UnsafeMutablePointer<Float>, rows: Int, padding: Int?, accumulate: Bool) {
        if !accumulate { dTable.update(repeating: 0, count: rows * width) }
        for i in 0..<count {
            let row = Int(indices[i])
            if row == padding { continue }
            let src = dy + i * width, dst = dTable + row * width
            for k in 0..<width { dst[k] += src[k] }
        }
    }
}
