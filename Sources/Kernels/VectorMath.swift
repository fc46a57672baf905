/// Scalar building blocks written so that loops calling them vectorise: no branches (selects
/// only), no libm calls, no integer conversions that trap. libm's `expf` is an opaque call per
/// element, which keeps a loop scalar; these inline into the loop and compile to SIMD code.
public enum VectorMath {
    /// e^x to about 1 ulp (Cephes' expf polynomial), with e^x = 2^n e^r and |r| <= ln2/2.
    /// Overflows to +inf above ln(Float.greatestFiniteMagnitude) and flushes to 0 below -87.68
    /// (where the true value is a denormal under 1e-38); NaN stays NaN.
    @inline(__always)
    public static func exp(_ x: Float) -> Float {
        let clamped = x < -88 ? -88 : (x > 88.72 ? 88.72 : x)
        // Round x log2(e) to the nearest integer by adding 1.5 * 2^23: the integer lands in the
        // low mantissa bits, which gives both n as a float and n as bits without a conversion.
        let magic: Float = 12_582_912
        let shifted = clamped * 1.442_695_04 + magic
        let n = shifted - magic
        var r = clamped - n * 0.693_359_375  // ln2 split in two for an exact product
        r = r + n * 2.121_944_4e-4
        var p: Float = 1.987_569_15e-4
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_1e-1
        p = p * r * r + r + 1
        // 2^n from its exponent bits; n = 128 (just below overflow) is built as 2 * 2^127, and
        // n = -127 gives the bits of 0.
        let exponent = Int32(bitPattern: shifted.bitPattern) &- Int32(bitPattern: magic.bitPattern)
        let top = exponent > 127
        let scale = Float(bitPattern: UInt32(bitPattern: ((top ? exponent &- 1 : exponent) &+ 127) &<< 23))
        let result = p * scale * (top ? 2 : 1)
        return x > 88.722_839 ? .infinity : result
    }

    /// e^x - 1, accurate near 0 where `exp(x) - 1` would cancel: a Taylor polynomial for
    /// |x| < 0.35 (truncation error below 2e-8 relative), `exp(x) - 1` elsewhere.
    @inline(__always)
    public static func expm1(_ x: Float) -> Float {
        var t: Float = 1.0 / 40320
        t = t * x + 1.0 / 5040
        t = t * x + 1.0 / 720
        t = t * x + 1.0 / 120
        t = t * x + 1.0 / 24
        t = t * x + 1.0 / 6
        t = t * x + 0.5
        let small = (t * x + 1) * x
        let large = exp(x) - 1
        return abs(x) < 0.35 ? small : large
    }

    /// 1 / (1 + e^-x), as PyTorch computes it; saturates cleanly to 0 and 1.
    @inline(__always)
    public static func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }

    /// The sum of `count` contiguous floats, in 16 running partial sums: vectorised, and more
    /// accurate than one running sum (closer to the pairwise summation PyTorch uses).
    public static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        let raw = UnsafeRawPointer(x)
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        var i = 0
        while i + 16 <= count {
            acc0 += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            acc1 += raw.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self)
            i += 16
        }
        var s = (acc0 + acc1).sum()
        while i < count { s += x[i]; i += 1 }
        return s
    }

    /// Σ x[i] y[i] over `count` contiguous pairs, in 16 running partial sums.
    public static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
        let rx = UnsafeRawPointer(x), ry = UnsafeRawPointer(y)
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        var i = 0
        while i + 16 <= count {
            acc0 += rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                * ry.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            acc1 += rx.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self)
                * ry.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self)
            i += 16
        }
        var s = (acc0 + acc1).sum()
        while i < count { s += x[i] * y[i]; i += 1 }
        return s
    }

    /// The largest of `count` >= 1 contiguous floats (NaN if any is NaN, as PyTorch's max).
    public static func max(_ x: UnsafePointer<Float>, count: Int) -> Float {
        precondition(count >= 1, "[max] needs at least one element")
        var m = x[0]
        var sawNaN = false
        let raw = UnsafeRawPointer(x)
        var i = 0
        if count >= 8 {
            var acc = raw.loadUnaligned(as: SIMD8<Float>.self)
            var nan = SIMDMask<SIMD8<Int32>>()
            while i + 8 <= count {
                let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                acc = acc.replacing(with: v, where: v .> acc)
                nan = nan .| (v .!= v)
                i += 8
            }
            m = acc.max()
            sawNaN = any(nan)
        }
        while i < count {
            let v = x[i]
            if v > m { m = v }
            if v != v { sawNaN = true }
            i += 1
        }
        return sawNaN ? .nan : m
    }
}
