/// Inverted dropout: in training each element is zeroed with probability p and the survivors are
/// scaled by 1 / (1 - p), so the expected output equals the input and evaluation is the identity.
public enum Dropout {
    /// Draws the mask (0 or 1 / (1 - p) per element, two elements per 64 random bits) and writes
    /// y = x · mask. An element is dropped when its 32 random bits fall below p · 2³², so p is
    /// honoured to 2⁻³²; p = 1 drops everything.
    public static func forward(
        x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>,
        count: Int, p: Float, rng: inout RandomGenerator
    ) {
        drawMask(mask, count: count, p: p, rng: &rng)
        if p == 1 {
            y.update(repeating: 0, count: count)
            return
        }
        Parallel.forEachChunk(count) { r in
            for i in r { y[i] = x[i] * mask[i] }
        }
    }

    /// Channel dropout (`nn.Dropout2d`): one draw per plane of `planeSize` consecutive elements
    /// (a channel of one sample), drawn as `forward` draws per element, so a whole channel is
    /// zeroed or scaled together. `mask` holds one value per plane.
    public static func planesForward(
        x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>,
        planes: Int, planeSize: Int, p: Float, rng: inout RandomGenerator
    ) {
        drawMask(mask, count: planes, p: p, rng: &rng)
        if p == 1 {
            y.update(repeating: 0, count: planes * planeSize)
            return
        }
        Parallel.forEachChunk(planes, grain: max(1, 16_384 / max(1, planeSize))) { r in
            for plane in r {
                let m = mask[plane], offset = plane * planeSize
                for i in offset..<(offset + planeSize) { y[i] = x[i] * m }
            }
        }
    }

    /// dx (=|+=) dy · the mask of each element's plane.
    public static func planesBackward(
        dy: UnsafePointer<Float>, mask: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, planes: Int, planeSize: Int,
        accumulate: Bool
    ) {
        Parallel.forEachChunk(planes, grain: max(1, 16_384 / max(1, planeSize))) { r in
            for plane in r {
                let m = mask[plane], offset = plane * planeSize
                if accumulate {
                    for i in offset..<(offset + planeSize) { dx[i] += dy[i] * m }
                } else {
                    for i in offset..<(offset + planeSize) { dx[i] = dy[i] * m }
                }
            }
        }
    }

    /// `count` mask values, each 0 with probability p and 1 / (1 - p) otherwise.
    private static func drawMask(_ mask: UnsafeMutablePointer<Float>, count: Int, p: Float, rng: inout RandomGenerator) {
        precondition(p >= 0 && p <= 1, "[dropout] probability must lie in [0, 1], got \(p)")
        if p == 1 {
            mask.update(repeating: 0, count: count)
            return
        }
        let threshold = UInt64(Double(p) * 0x1p32), scale = 1 / (1 - p)
        var i = 0
        while i < count {
            let bits = rng.next()
            mask[i] = bits & 0xFFFF_FFFF < threshold ? 0 : scale
            if i + 1 < count { mask[i + 1] = bits >> 32 < threshold ? 0 : scale }
            i += 2
        }
    }

    /// dx (=|+=) dy · mask.
    public static func backward(
        dy: UnsafePointer<Float>, mask: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, count: Int, accumulate: Bool
    ) {
        Parallel.forEachChunk(count) { r in
            if accumulate {
                for i in r { dx[i] += dy[i] * mask[i] }
            } else {
                for i in r { dx[i] = dy[i] * mask[i] }
            }
        }
    }
}
