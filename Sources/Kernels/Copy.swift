/// Row-block copies between row-major buffers: concat writes each input as a block of columns of
/// the result, slice reads one, and their backward passes do the reverse.
public enum BlockCopy {
    /// For each of `rows` rows: dst[row * dstStride + dstOffset + j] (=|+=) src[row * srcStride + srcOffset + j]
    /// for j in 0..<width.
    public static func copy(rows: Int, width: Int,
                            from src: UnsafePointer<Float>, stride srcStride: Int, offset srcOffset: Int,
                            to dst: UnsafeMutablePointer<Float>, stride dstStride: Int, offset dstOffset: Int,
                            accumulate: Bool) {
        if rows == 0 || width == 0 { return }
        Parallel.forEachChunk(rows, grain: max(1, 16_384 / width)) { range in
            for r in range {
                let s = src + r * srcStride + srcOffset, d = dst + r * dstStride + dstOffset
                if accumulate {
                    for j in 0..<width { d[j] += s[j] }
                } else {
                    d.update(from: s, count: width)
                }
            }
        }
    }

    /// Writes every element of dst (rows x dstStride): the block of src at `dstOffset` in each row
    /// and zeros around it. The write-first form of a slice's backward, without a separate fill.
    public static func embed(rows: Int, width: Int, from src: UnsafePointer<Float>,
                             to dst: UnsafeMutablePointer<Float>, stride dstStride: Int, offset dstOffset: Int) {
        if rows == 0 || dstStride == 0 { return }
        Parallel.forEachChunk(rows, grain: max(1, 16_384 / dstStride)) { range in
            for r in range {
                let d = dst + r * dstStride
                d.update(repeating: 0, count: dstOffset)
                (d + dstOffset).update(from: src + r * width, count: width)
                (d + dstOffset + width).update(repeating: 0, count: dstStride - dstOffset - width)
            }
        }
    }
}
