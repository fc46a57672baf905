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
    /// it; an `mc` x `kc` block of A (120 KB) in L2; a `kc` x `nc` block of B (1 MB) in L2/L3.
    static let kc = 256, mc = 120, nc = 1024

    /// Whether `BLAS.sgemm` runs products here rather than in OpenBLAS: when the engine is built
    /// for AVX-512, unless `SPECRUN_GEMM=openblas` asks for OpenBLAS (to compare the two).
    public static let isChosen: Bool = {
        #if SPECRUN_AVX512
        if let choice = getenv("SPECRUN_GEMM") { return String(cString: choice) != "openblas" }
        return true
        #else
        return false
        #endif
    }()

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
        let packedA = FloatBuffer(uninitializedCount: kc * mc), packedB = FloatBuffer(uninitializedCount: kc * nc)
        defer { withExtendedLifetime((packedA, packedB)) {} }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: mr * nr + Vector.scalarCount) { raw in
            // The tile is read and written as whole vectors: start it on a 64-byte boundary.
            let tile = UnsafeMutableRawPointer(raw.baseAddress!).alignedUp(for: Vector.self).assumingMemoryBound(to: Float.self)
            var jc = 0
            while jc < n {
                let columns = min(nc, n - jc)
                var pc = 0
                while pc < k {
                    let depth = min(kc, k - pc)
                    let scale: Float = pc == 0 ? beta : 1
                    packB(transB: transB, b: b, ldb: ldb, row: pc, column: jc, depth: depth, columns: columns, into: packedB.base)
                    var ic = 0
                    while ic < m {
                        let rows = min(mc, m - ic)
                        packA(transA: transA, a: a, lda: lda, row: ic, column: pc, rows: rows, depth: depth, alpha: alpha,
                              into: packedA.base)
                        var jr = 0
                        while jr < columns {
                            var ir = 0
                            while ir < rows {
                                kernel(depth: depth, a: packedA.base + ir * depth, b: packedB.base + jr * depth, tile: tile)
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

    /// tile (mr x nr, row-major) = the packed strip of A times the packed panel of B.
    @inline(__always)
    static func kernel(depth: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, tile: UnsafeMutablePointer<Float>) {
        var c00 = Vector(), c01 = Vector(), c10 = Vector(), c11 = Vector(), c20 = Vector(), c21 = Vector()
        var c30 = Vector(), c31 = Vector(), c40 = Vector(), c41 = Vector(), c50 = Vector(), c51 = Vector()
        var c60 = Vector(), c61 = Vector(), c70 = Vector(), c71 = Vector(), c80 = Vector(), c81 = Vector()
        var c90 = Vector(), c91 = Vector(), ca0 = Vector(), ca1 = Vector(), cb0 = Vector(), cb1 = Vector()
        var ap = a, bp = UnsafeRawPointer(b)
        for _ in 0..<depth {
            let b0 = bp.load(as: Vector.self), b1 = bp.load(fromByteOffset: 64, as: Vector.self)
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
            ap += mr; bp += nr * MemoryLayout<Float>.stride
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
                if width == nr {
                    // Eight source rows at a time: 32 at once, all a power of two apart, would
                    // compete for the same L1 set (a 1024 x 784 weight packed at 130 GFLOP/s, 180 so).
                    for group in stride(from: 0, to: nr, by: 8) {
                        let s = source + group * ldb, d = panel + group
                        for p in 0..<depth { for j in 0..<8 { d[p * nr + j] = s[j * ldb + p] } }
                    }
                } else {
                    for p in 0..<depth { for j in 0..<nr { panel[p * nr + j] = j < width ? source[j * ldb + p] : 0 } }
                }
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
                if height == mr {
                    for group in stride(from: 0, to: mr, by: 6) {  // six rows at a time, as in packB
                        let g = source + group * lda, d = strip + group
                        for p in 0..<depth { for i in 0..<6 { d[p * mr + i] = alpha * g[i * lda + p] } }
                    }
                } else {
                    for p in 0..<depth { for i in 0..<mr { strip[p * mr + i] = i < height ? alpha * source[i * lda + p] : 0 } }
                }
            }
            s += mr
        }
    }
}

