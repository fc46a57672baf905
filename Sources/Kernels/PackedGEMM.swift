#if canImport(Glibc)
import Glibc
#endif

/// specrun's own single-precision matrix product for CPUs with AVX-512, used instead of OpenBLAS
/// where it is faster (see `isChosen`).
///
/// The classic packed scheme (Goto's, as in BLIS and OpenBLAS): op(B) is copied in blocks of `kc`
/// rows into panels `nr` columns wide, op(A) (times alpha) in blocks of `mc` rows into strips `mr`
/// rows tall, so that the inner kernel reads both from contiguous memory; the kernel keeps a
/// 12 x 32 tile of C in 24 sixteen-float registers and adds one rank-1 update per step of k (a
/// broadcast of A's 12 values against two vectors of B's row). Then an epilogue adds the tile into
/// C, scaled by beta on the first block of k only.
///
/// Why not OpenBLAS everywhere: on a machine where OpenBLAS must run its AVX2 kernels
/// (`OPENBLAS_CORETYPE=Haswell`, which some environments set because older OpenBLAS builds
/// misbehave on newer AVX-512 CPUs), this kernel runs the zoo's products 1.5 to 1.9 times faster
/// on one core (docs/performance.md, "specrun's own GEMM"); against OpenBLAS's own AVX-512 kernels
/// it is within 10%. Built without AVX-512 (an AVX2-only CPU), the same code compiles to twice as
/// many narrower instructions and spills registers, so there OpenBLAS is always used.
public enum PackedGEMM {
    typealias Vector = SIMD16<Float>
    /// The register tile of C: rows of op(A) and columns of op(B).
    static let mr = 12, nr = 32
    /// Cache blocks: a `kc` x `nr` panel of B (32 KB) stays in L1 while the strips of A stream past
    /// it; an `mc` x `kc` block of A (144 KB) in L2; a `kc` x `nc` block of B (1 MB) in L2/L3.
    /// `mc` is 144 rather than 120 so that 128 rows (a layer of 128 channels) are one block: split
    /// 120 + 8, the Winograd weight gradient of 64 -> 128 channels ran at 93 GFLOP/s, whole at 192.
    static let kc = 256, mc = 144, nc = 1024

    /// Whether `BLAS.sgemm` runs products here rather than in OpenBLAS: when the engine is built
    /// for AVX-512, unless `SPECRUN_GEMM=openblas` asks for OpenBLAS (to compare the two).
    public static let isChosen: Bool =
        CPUFeatures.isBuiltForAVX512 && getenv("SPECRUN_GEMM").map { String(cString: $0) } != "openblas"

    /// C = alpha op(A) op(B) + beta C (row-major, op(A) m x k, op(B) k x n) on the calling thread.
    /// When beta == 0, C is only written, never read.
    public static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if m == 0 || n == 0 { return }
        // The blocks always take their full size, so that the buffer pool hands the same two
        // blocks back on every call (no allocation per step).
        let packedA = FloatBuffer(uninitializedCount: kc * mc + Vector.scalarCount), packedB = FloatBuffer(uninitializedCount: kc * nc)
        defer { withExtendedLifetime((packedA, packedB)) {} }
        // Where an operand is already laid out as the kernel reads it, whole strips and panels are
        // read in place rather than copied: op(A) = Aᵀ holds each step's 12 values of a strip side
        // by side (unless alpha must be applied), op(B) = B each step's 32. Measured on the
        // Winograd convolutions' products (m 32-128, k 32-256): Uᵀ Z (the input gradient) 106 ->
        // 159 GFLOP/s, U V 209 -> 217. B is copied anyway when many strips of A will read it (m
        // past two blocks): its rows, far apart in memory, then cost more than the copy (1024^3:
        // 227 copied, 203 in place). Two blocks still gain: dx = g W at 256 x 512 -> 512 on two
        // threads, 453-458 -> 468-472 GFLOP/s (`kernelbench gemm`, interleaved).
        let readsAInPlace = transA && alpha == 1, readsBInPlace = !transB && m <= 2 * mc
        withUnsafeTemporaryAllocation(of: Float.self, capacity: mr * nr + Vector.scalarCount) { raw in
            // The tile is read and written as whole vectors: start it on a 64-byte boundary.
            let tile = UnsafeMutableRawPointer(raw.baseAddress!).alignedUp(for: Vector.self).assumingMemoryBound(to: Float.self)
            var jc = 0
            while jc < n {
                let columns = min(nc, n - jc), wholeColumns = columns / nr * nr
                var pc = 0
                while pc < k {
                    let depth = min(kc, k - pc)
                    let scale: Float = pc == 0 ? beta : 1
                    if readsBInPlace {  // only a last panel narrower than nr needs its zero padding
                        packB(transB: false, b: b, ldb: ldb, row: pc, column: jc + wholeColumns, depth: depth,
                              columns: columns - wholeColumns, into: packedB.base + wholeColumns * depth)
                    } else {
                        packB(transB: transB, b: b, ldb: ldb, row: pc, column: jc, depth: depth, columns: columns, into: packedB.base)
                    }
                    var ic = 0
                    while ic < m {
                        let rows = min(mc, m - ic), wholeRows = rows / mr * mr
                        if readsAInPlace {
                            packA(transA: true, a: a, lda: lda, row: ic + wholeRows, column: pc, rows: rows - wholeRows, depth: depth,
                                  alpha: alpha, into: packedA.base + wholeRows * depth)
                        } else {
                            packA(transA: transA, a: a, lda: lda, row: ic, column: pc, rows: rows, depth: depth, alpha: alpha,
                                  into: packedA.base)
                        }
                        var jr = 0
                        while jr < columns {
                            let (bPanel, bStride) = readsBInPlace && jr < wholeColumns
                                ? (b + pc * ldb + jc + jr, ldb) : (UnsafePointer(packedB.base + jr * depth), nr)
                            var ir = 0
                            while ir < rows {
                                let (aStrip, aStride) = readsAInPlace && ir < wholeRows
                                    ? (a + pc * lda + ic + ir, lda) : (UnsafePointer(packedA.base + ir * depth), mr)
                                kernel(depth: depth, a: aStrip, aStride: aStride, b: bPanel, bStride: bStride, tile: tile)
                                addTile(tile, into: c + (ic + ir) * ldc + jc + jr, ldc: ldc,
                                        rows: min(mr, rows - ir), columns: min(nr, columns - jr), beta: scale)
                                ir += mr
                            }
                            jr += nr
                        }
                        ic += rows
                    }
                    pc += depth
                }
                jc += columns
            }
        }
    }

    /// tile (mr x nr, row-major) = a strip of A times a panel of B: step p of the product reads A's
    /// 12 values at `a + p * aStride` and B's 32 at `b + p * bStride`.
    @inline(__always)
    static func kernel(depth: Int, a: UnsafePointer<Float>, aStride: Int, b: UnsafePointer<Float>, bStride: Int,
                       tile: UnsafeMutablePointer<Float>) {
        var c00 = Vector(), c01 = Vector(), c10 = Vector(), c11 = Vector(), c20 = Vector(), c21 = Vector()
        var c30 = Vector(), c31 = Vector(), c40 = Vector(), c41 = Vector(), c50 = Vector(), c51 = Vector()
        var c60 = Vector(), c61 = Vector(), c70 = Vector(), c71 = Vector(), c80 = Vector(), c81 = Vector()
        var c90 = Vector(), c91 = Vector(), ca0 = Vector(), ca1 = Vector(), cb0 = Vector(), cb1 = Vector()
        var ap = a, bp = UnsafeRawPointer(b)
        for _ in 0..<depth {
            let b0 = bp.loadUnaligned(as: Vector.self), b1 = bp.loadUnaligned(fromByteOffset: 64, as: Vector.self)
            var x = Vector(repeating: ap[0]); c00 = c00.addingProduct(x, b0); c01 = c01.addingProduct(x, b1)
            x = Vector(repeating: ap[1]); c10 = c10.addingProduct(x, b0); c11 = c11.addingProduct(x, b1)
            x = Vector(repeating: ap[2]); c20 = c20.addingProduct(x, b0); c21 = c21.addingProduct(x, b1)
            x = Vector(repeating: ap[3]); c30 = c30.addingProduct(x, b0); c31 = c31.addingProduct(x, b1)
            x = Vector(repeating: ap[4]); c40 = c40.addingProduct(x, b0); c41 = c41.addingProduct(x, b1)
            x = Vector(repeating: ap[5]); c50 = c50.addingProduct(x, b0); c51 = c51.addingProduct(x, b1)
            x = Vector(repeating: ap[6]); c60 = c60.addingProduct(x, b0); c61 = c61.addingProduct(x, b1)
            x = Vector(repeating: ap[7]); c70 = c70.addingProduct(x, b0); c71 = c71.addingProduct(x, b1)
            x = Vector(repeating: ap[8]); c80 = c80.addingProduct(x, b0); c81 = c81.addingProduct(x, b1)
            x = Vector(repeating: ap[9]); c90 = c90.addingProduct(x, b0); c91 = c91.addingProduct(x, b1)
            x = Vector(repeating: ap[10]); ca0 = ca0.addingProduct(x, b0); ca1 = ca1.addingProduct(x, b1)
            x = Vector(repeating: ap[11]); cb0 = cb0.addingProduct(x, b0); cb1 = cb1.addingProduct(x, b1)
            ap += aStride; bp += bStride * MemoryLayout<Float>.stride
        }
        let t = UnsafeMutableRawPointer(tile)  // row r at byte 128 r, its two vectors 64 bytes apart
        t.storeBytes(of: c00, toByteOffset: 0, as: Vector.self); t.storeBytes(of: c01, toByteOffset: 64, as: Vector.self)
        t.storeBytes(of: c10, toByteOffset: 128, as: Vector.self); t.storeBytes(of: c11, toByteOffset: 192, as: Vector.self)
        t.storeBytes(of: c20, toByteOffset: 256, as: Vector.self); t.storeBytes(of: c21, toByteOffset: 320, as: Vector.self)
        t.storeBytes(of: c30, toByteOffset: 384, as: Vector.self); t.storeBytes(of: c31, toByteOffset: 448, as: Vector.self)
        t.storeBytes(of: c40, toByteOffset: 512, as: Vector.self); t.storeBytes(of: c41, toByteOffset: 576, as: Vector.self)
        t.storeBytes(of: c50, toByteOffset: 640, as: Vector.self); t.storeBytes(of: c51, toByteOffset: 704, as: Vector.self)
        t.storeBytes(of: c60, toByteOffset: 768, as: Vector.self); t.storeBytes(of: c61, toByteOffset: 832, as: Vector.self)
        t.storeBytes(of: c70, toByteOffset: 896, as: Vector.self); t.storeBytes(of: c71, toByteOffset: 960, as: Vector.self)
        t.storeBytes(of: c80, toByteOffset: 1024, as: Vector.self); t.storeBytes(of: c81, toByteOffset: 1088, as: Vector.self)
        t.storeBytes(of: c90, toByteOffset: 1152, as: Vector.self); t.storeBytes(of: c91, toByteOffset: 1216, as: Vector.self)
        t.storeBytes(of: ca0, toByteOffset: 1280, as: Vector.self); t.storeBytes(of: ca1, toByteOffset: 1344, as: Vector.self)
        t.storeBytes(of: cb0, toByteOffset: 1408, as: Vector.self); t.storeBytes(of: cb1, toByteOffset: 1472, as: Vector.self)
    }

    /// C's `rows` x `columns` corner = tile + beta C (just the tile when beta == 0, so C is not read).
    @inline(__always)
    static func addTile(_ tile: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>, ldc: Int,
                        rows: Int, columns: Int, beta: Float) {
        if columns == nr {
            let scale = Vector(repeating: beta)
            for i in 0..<rows {
                let ci = UnsafeMutableRawPointer(c + i * ldc), ti = UnsafeRawPointer(tile + i * nr)
                var v0 = ti.load(as: Vector.self), v1 = ti.load(fromByteOffset: 64, as: Vector.self)
                if beta == 1 {
                    v0 += ci.loadUnaligned(as: Vector.self); v1 += ci.loadUnaligned(fromByteOffset: 64, as: Vector.self)
                } else if beta != 0 {
                    v0 = v0.addingProduct(scale, ci.loadUnaligned(as: Vector.self))
                    v1 = v1.addingProduct(scale, ci.loadUnaligned(fromByteOffset: 64, as: Vector.self))
                }
                ci.storeBytes(of: v0, as: Vector.self); ci.storeBytes(of: v1, toByteOffset: 64, as: Vector.self)
            }
        } else {
            for i in 0..<rows {
                let ci = c + i * ldc, ti = tile + i * nr
                for j in 0..<columns { ci[j] = beta == 0 ? ti[j] : ti[j] + beta * ci[j] }
            }
        }
    }

    /// op(B)[row..<row+depth, column..<column+columns] as panels of `nr` columns: element (p, j)
    /// of panel q at `out[q * depth * nr + p * nr + j]`, the last panel padded with zeros.
    static func packB(transB: Bool, b: UnsafePointer<Float>, ldb: Int, row: Int, column: Int, depth: Int, columns: Int,
                      into out: UnsafeMutablePointer<Float>) {
        var q = 0
        while q < columns {
            let width = min(nr, columns - q), panel = out + q * depth
            if !transB {
                let source = b + row * ldb + column + q  // (p, j) at source[p * ldb + j]
                if width == nr {
                    for p in 0..<depth {
                        let s = UnsafeRawPointer(source + p * ldb), d = UnsafeMutableRawPointer(panel + p * nr)
                        d.storeBytes(of: s.loadUnaligned(as: Vector.self), as: Vector.self)
                        d.storeBytes(of: s.loadUnaligned(fromByteOffset: 64, as: Vector.self), toByteOffset: 64, as: Vector.self)
                    }
                } else {
                    for p in 0..<depth { for j in 0..<nr { panel[p * nr + j] = j < width ? source[p * ldb + j] : 0 } }
                }
            } else {
                let source = b + (column + q) * ldb + row  // (p, j) at source[j * ldb + p]
                var p = 0
                while p + 16 <= depth {  // 16 steps of k at a time: two 16 x 16 transposes
                    transpose16(source + p, ld: ldb, rows: min(16, width), scale: 1, into: panel + p * nr, stride: nr)
                    transpose16(source + 16 * ldb + p, ld: ldb, rows: max(0, width - 16), scale: 1, into: panel + p * nr + 16, stride: nr)
                    p += 16
                }
                for p in p..<depth { for j in 0..<nr { panel[p * nr + j] = j < width ? source[j * ldb + p] : 0 } }
            }
            q += nr
        }
    }

    /// alpha op(A)[row..<row+rows, column..<column+depth] as strips of `mr` rows: element (i, p) of
    /// strip s at `out[s * depth * mr + p * mr + i]`, the last strip padded with zeros.
    static func packA(transA: Bool, a: UnsafePointer<Float>, lda: Int, row: Int, column: Int, rows: Int, depth: Int,
                      alpha: Float, into out: UnsafeMutablePointer<Float>) {
        var s = 0
        while s < rows {
            let height = min(mr, rows - s), strip = out + s * depth
            if transA {
                for p in 0..<depth {
                    let source = a + (column + p) * lda + row + s  // (i, p) at source[i]
                    for i in 0..<mr { strip[p * mr + i] = i < height ? alpha * source[i] : 0 }
                }
            } else {
                let source = a + (row + s) * lda + column  // (i, p) at source[i * lda + p]
                var p = 0
                while p + 16 <= depth {
                    // Each step's 16 stored values are its 12 and 4 zeros that the next step (or
                    // strip) overwrites: the buffer has 16 floats of slack past its last strip.
                    transpose16(source + p, ld: lda, rows: height, scale: alpha, into: strip + p * mr, stride: mr)
                    p += 16
                }
                for p in p..<depth { for i in 0..<mr { strip[p * mr + i] = i < height ? alpha * source[i * lda + p] : 0 } }
            }
            s += mr
        }
    }

    /// out[p * stride + j] = scale * source[j * ld + p] for p < 16 and j < 16, rows j >= `rows` as
    /// zeros: a 16 x 16 transpose in registers. Each of the four steps takes the even lanes of
    /// pairs of rows into the first 8 rows and the odd lanes into the last 8, which rotates the 8
    /// bits of (row, lane) by one; after four, row and lane have traded places. Replacing one
    /// float at a time, it took packing a transposed operand from about half of a Winograd
    /// weight-gradient product's time (84 -> 141 GFLOP/s on 32 -> 64 channels).
    @inline(__always)
    static func transpose16(_ source: UnsafePointer<Float>, ld: Int, rows: Int, scale: Float,
                            into out: UnsafeMutablePointer<Float>, stride: Int) {
        @inline(__always) func row(_ j: Int) -> Vector {
            j < rows ? UnsafeRawPointer(source + j * ld).loadUnaligned(as: Vector.self) * scale : Vector()
        }
        @inline(__always) func even(_ a: Vector, _ b: Vector) -> Vector { Vector(lowHalf: a.evenHalf, highHalf: b.evenHalf) }
        @inline(__always) func odd(_ a: Vector, _ b: Vector) -> Vector { Vector(lowHalf: a.oddHalf, highHalf: b.oddHalf) }
        var v = (row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7),
                 row(8), row(9), row(10), row(11), row(12), row(13), row(14), row(15))
        for _ in 0..<4 {
            v = (even(v.0, v.1), even(v.2, v.3), even(v.4, v.5), even(v.6, v.7),
                 even(v.8, v.9), even(v.10, v.11), even(v.12, v.13), even(v.14, v.15),
                 odd(v.0, v.1), odd(v.2, v.3), odd(v.4, v.5), odd(v.6, v.7),
                 odd(v.8, v.9), odd(v.10, v.11), odd(v.12, v.13), odd(v.14, v.15))
        }
        @inline(__always) func store(_ p: Int, _ x: Vector) { UnsafeMutableRawPointer(out + p * stride).storeBytes(of: x, as: Vector.self) }
        store(0, v.0); store(1, v.1); store(2, v.2); store(3, v.3); store(4, v.4); store(5, v.5); store(6, v.6); store(7, v.7)
        store(8, v.8); store(9, v.9); store(10, v.10); store(11, v.11); store(12, v.12); store(13, v.13); store(14, v.14); store(15, v.15)
    }
}
