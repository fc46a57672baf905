/// Inverted dropout: in training each element is zeroed with probability p and the survivors are
/// scaled by 1 / (1 - p), so the expected output equals the input and evaluation is the identity.
public enum Dropout {
    /// Draws the mask (0 or 1 / (1 - p) per element) and writes y = x · mask. An element is
    /// dropped when its 32 random bits fall below p · 2³², so p is honoured to 2⁻³²; p = 1 drops
    /// everything.
    ///
    /// The bits of element i are a function of `key` and its index `firstElement + i` alone
    /// (SplitMix64's finaliser over key + index · golden ratio: a counter-based stream), not of
    /// the elements drawn before it. So a data-parallel job, whose processes each hold some rows
    /// of a batch, gives every row the mask one process would (each passes the index of its first
    /// element in the whole batch), and the mask is drawn on all cores.
    public static func forward(
        x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>,
        count: Int, p: Float, key: UInt64, firstElement: Int
    ) {
        precondition(p >= 0 && p <= 1, "[dropout] probability must lie in [0, 1], got \(p)")
        if p == 1 {
            mask.update(repeating: 0, count: count)
            y.update(repeating: 0, count: count)
            return
        }
        let threshold = UInt64(Double(p) * 0x1p32), scale = 1 / (1 - p)
        Parallel.forEachChunk(count) { r in
            for i in r {
                mask[i] = bits(key, UInt64(firstElement + i)) >> 32 < threshold ? 0 : scale
                y[i] = x[i] * mask[i]
            }
        }
    }

    /// 64 random bits for element `index` of the mask drawn with `key`.
    @inline(__always)
    static func bits(_ key: UInt64, _ index: UInt64) -> UInt64 {
        var z = key &+ index &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
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

    /// Channel dropout (`nn.Dropout2d`): one draw per plane of `planeSize` consecutive elements
    /// (a channel of one sample), drawn as `forward` draws per element (plane `firstPlane + i` of
    /// the whole batch), so a whole channel is zeroed or scaled together and a data-parallel
    /// process drops the channels one process would. `mask` holds one value per plane.
    public static func planesForward(
        x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>,
        planes: Int, planeSize: Int, p: Float, key: UInt64, firstPlane: Int
    ) {
        precondition(p >= 0 && p <= 1, "[dropout2d] probability must lie in [0, 1], got \(p)")
        if p == 1 {
            mask.update(repeating: 0, count: planes)
            y.update(repeating: 0, count: planes * planeSize)
            return
        }
        let threshold = UInt64(Double(p) * 0x1p32), scale = 1 / (1 - p)
        Parallel.forEachChunk(planes, grain: max(1, 16_384 / max(1, planeSize))) { r in
            for plane in r {
                let m: Float = bits(key, UInt64(firstPlane + plane)) >> 32 < threshold ? 0 : scale
                mask[plane] = m
                let offset = plane * planeSize
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
}
