// Winograd's F(2x2, 3x3) for stride-1 3x3 convolutions (Lavin and Gray, "Fast Algorithms for
// Convolutional Neural Networks", 2016): each 2x2 block of outputs of one output channel is
// Aᵀ [ Σ_c (G g_oc Gᵀ) ⊙ (Bᵀ d_c B) ] A, where d_c is the 4x4 input patch under the block in
// channel c and g_oc the 3x3 weights. The 4x4 products at each of the 16 positions ξ, summed over
// the channels, are 16 matrix products U[ξ] (O x C) · V[ξ] (C x tiles): 16 x C multiplies per
// block instead of 36 x C, 2.25 times fewer, and no unfolded matrix.
//
// The two gradients are the same computation transposed (the adjoint of each linear step), and
// share the transform of the output gradient Z = A dY Aᵀ per tile:
//   input:  dV[ξ] = U[ξ]ᵀ Z[ξ], dd = B dV Bᵀ added into the overlapping 4x4 input patches;
//   weight: dU[ξ] = Σ_tiles Z[ξ] V[ξ]ᵀ (products over the tiles, which are long), dg = Gᵀ dU G.
//
// Tiles are processed in blocks of whole images so that the transformed matrices of a block stay
// in cache; each thread takes its own images. Transforms work on 8 tiles of a tile row at once:
// their patches start 2 columns apart, so one 16-float load and its even and odd halves give two
// patch columns for all 8. The last group of a row may have fewer than 8 live tiles; its spare
// lanes are written into the next tiles' columns of the transformed matrices (which the next
// group then overwrites) or into a slack column at the end, and are never stored to the output.

/// The tiling of a Winograd F(2x2, 3x3) convolution, and the scratch layouts its passes use.
struct WinogradPlan {
    let g: ConvGeometry
    /// ceil(oh / 2) x ceil(ow / 2) tiles per image.
    let tilesH, tilesW: Int
    /// Whole images per block, about `blockTileTarget` tiles.
    let imagesPerBlock: Int
    /// The input plane, zero-padded: input row r is row r + padH, column q is q + padW; wide enough
    /// for the 16-float loads of a row's last 8-tile group.
    let paddedH, paddedW: Int
    /// The output-gradient plane, zero past the output: 2 tilesH rows of `outputW` floats.
    let outputW: Int

    /// 128, 256 and 512 tiles per block measured the same within the noise on the CIFAR CNN's
    /// shapes; at 256 a block's transformed matrices are about the size of a core's L2 cache.
    static let blockTileTarget = 256

    init(_ g: ConvGeometry) {
        precondition(Convolution.winogradApplies(g), "[conv2d] Winograd F(2x2, 3x3) needs a 3x3 kernel, stride 1 and no dilation: \(g)")
        self.g = g
        tilesH = (g.outHeight + 1) / 2
        tilesW = (g.outWidth + 1) / 2
        imagesPerBlock = max(1, min(g.batch, Self.blockTileTarget / (tilesH * tilesW)))
        let groups = (tilesW + 7) / 8
        paddedH = 2 * tilesH + 2
        paddedW = 16 * groups + 2
        outputW = 16 * groups
    }

    var tilesPerImage: Int { tilesH * tilesW }
    /// Whether a group of 8 tiles is two rows of 4 (an 8x8 output plane) instead of 8 tiles of one
    /// row: tiles t and t + 4 are then in consecutive rows, and every lane is live.
    var pairsRows: Bool { tilesW == 4 && tilesH % 2 == 0 }
    /// Tile rows per group of 8 tiles.
    var rowsPerGroup: Int { pairsRows ? 2 : 1 }
    /// Live lanes of the group at tile column j.
    func liveTiles(_ j: Int) -> Int { pairsRows ? 8 : min(8, tilesW - j) }
    /// Columns of the transformed matrices: a block's tiles and 8 of slack.
    var tileStride: Int { imagesPerBlock * tilesPerImage + 8 }
    var paddedPlane: Int { paddedH * paddedW }
    var outputPlane: Int { 2 * tilesH * outputW }
    /// Floats in one transformed matrix set [16][rows][tileStride].
    func transformed(rows: Int) -> Int { 16 * rows * tileStride }
}

extension Convolution {
    /// Whether F(2x2, 3x3) computes this convolution: 3x3 kernel, stride 1, no dilation.
    public static func winogradApplies(_ g: ConvGeometry) -> Bool {
        let w = g.window
        return w.kernelH == 3 && w.kernelW == 3 && w.strideH == 1 && w.strideW == 1 && w.dilationH == 1 && w.dilationW == 1
    }

    static func winogradForward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        y: UnsafeMutablePointer<Float>, geometry g: ConvGeometry
    ) {
        let plan = WinogradPlan(g), c = g.inChannels, o = g.outChannels, ts = plan.tileStride
        let u = winogradWeights(weight, g)
        let weights = UncheckedSendable(UnsafePointer(u.base))
        let scratch = c * plan.paddedPlane + plan.transformed(rows: c) + plan.transformed(rows: o)
        forEachImageChunk(g.batch, scratch: scratch) { images, buffer in
            let padded = buffer, v = padded + c * plan.paddedPlane, m = v + plan.transformed(rows: c)
            forEachBlock(images, plan) { block in
                for (k, n) in block.enumerated() {
                    copyPadded(x + n * g.inputImage, planes: c, height: g.height, width: g.width, top: g.window.padH,
                               left: g.window.padW, into: padded, rows: plan.paddedH, columns: plan.paddedW)
                    transformInput(padded, into: v, firstTile: k * plan.tilesPerImage, plan)
                }
                for xi in 0..<16 {
                    BLAS.sgemm(transA: false, transB: false, m: o, n: block.count * plan.tilesPerImage, k: c, alpha: 1,
                               a: weights.value + xi * o * c, lda: c, b: v + xi * c * ts, ldb: ts, beta: 0, c: m + xi * o * ts, ldc: ts)
                }
                for (k, n) in block.enumerated() {
                    transformOutput(m, firstTile: k * plan.tilesPerImage, bias: bias, into: y + n * g.outputImage, plan)
                }
            }
        }
        withExtendedLifetime(u) {}
    }

    /// For the images in `images`, from one transform of the output gradient's tiles: the input
    /// gradient dx (=|+=) when `dx` is given (with the transformed weights `u`), and the weight
    /// gradient dW [O, C, 3, 3] added into `partial` when it is given (with the input `x`).
    static func winogradBackward(
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>?, u: UnsafePointer<Float>?, images: Range<Int>,
        dx: UnsafeMutablePointer<Float>?, accumulate: Bool, partial: UnsafeMutablePointer<Float>?, _ plan: WinogradPlan
    ) {
        precondition((dx == nil || u != nil) && (partial == nil || x != nil), "[conv2d] Winograd backward without its operands")
        let g = plan.g, c = g.inChannels, o = g.outChannels, ts = plan.tileStride
        // Scratch: the output gradient padded to whole tiles and its transform Z; for dx, dV and a
        // padded input gradient; for dW, the padded input, its transform V and dU.
        let forDx = dx == nil ? 0 : plan.transformed(rows: c) + c * plan.paddedPlane
        let forDw = partial == nil ? 0 : c * plan.paddedPlane + plan.transformed(rows: c) + 16 * o * c
        let scratch = FloatBuffer(uninitializedCount: o * plan.outputPlane + plan.transformed(rows: o) + forDx + forDw)
        let paddedDy = scratch.base, z = paddedDy + o * plan.outputPlane
        let dv = z + plan.transformed(rows: o), paddedDx = dv + plan.transformed(rows: c)
        let paddedX = dv + forDx, v = paddedX + c * plan.paddedPlane, du = v + plan.transformed(rows: c)
        var first = true
        forEachBlock(images, plan) { block in
            let tiles = block.count * plan.tilesPerImage
            for (k, n) in block.enumerated() {
                copyPadded(dy + n * g.outputImage, planes: o, height: g.outHeight, width: g.outWidth, top: 0, left: 0,
                           into: paddedDy, rows: 2 * plan.tilesH, columns: plan.outputW)
                transformOutputGradient(paddedDy, into: z, firstTile: k * plan.tilesPerImage, plan)
                if partial != nil, let x {
                    copyPadded(x + n * g.inputImage, planes: c, height: g.height, width: g.width, top: g.window.padH,
                               left: g.window.padW, into: paddedX, rows: plan.paddedH, columns: plan.paddedW)
                    transformInput(paddedX, into: v, firstTile: k * plan.tilesPerImage, plan)
                }
            }
            if partial != nil {  // dU[ξ] (+)= Z[ξ] V[ξ]ᵀ, a product over the block's tiles
                for xi in 0..<16 {
                    BLAS.sgemm(transA: false, transB: true, m: o, n: c, k: tiles, alpha: 1, a: z + xi * o * ts, lda: ts,
                               b: v + xi * c * ts, ldb: ts, beta: first ? 0 : 1, c: du + xi * o * c, ldc: c)
                }
            }
            first = false
            guard let dx, let u else { return }
            for xi in 0..<16 {  // dV[ξ] = U[ξ]ᵀ Z[ξ]
                BLAS.sgemm(transA: true, transB: false, m: c, n: tiles, k: o, alpha: 1,
                           a: u + xi * o * c, lda: c, b: z + xi * o * ts, ldb: ts, beta: 0, c: dv + xi * c * ts, ldc: ts)
            }
            for (k, n) in block.enumerated() {
                paddedDx.update(repeating: 0, count: c * plan.paddedPlane)
                transformInputGradient(dv, firstTile: k * plan.tilesPerImage, into: paddedDx, plan)
                cropPadded(paddedDx, plan, into: dx + n * g.inputImage, accumulate: accumulate)
            }
        }
        if let partial, !first { addWeightGradient(du, into: partial, outChannels: o, inChannels: c) }
    }

    /// partial[o, c] += Gᵀ dU[o, c] G for every output and input channel (Gᵀ down the columns of
    /// dU, then along each of its 3 rows).
    static func addWeightGradient(_ du: UnsafePointer<Float>, into partial: UnsafeMutablePointer<Float>, outChannels o: Int, inChannels c: Int) {
        let taps = o * c
        for oc in 0..<taps {
            @inline(__always) func d(_ xi: Int) -> Float { du[xi * taps + oc] }
            let k0 = gTransposed(d(0), d(4), d(8), d(12)), k1 = gTransposed(d(1), d(5), d(9), d(13))
            let k2 = gTransposed(d(2), d(6), d(10), d(14)), k3 = gTransposed(d(3), d(7), d(11), d(15))
            @inline(__always) func emit(_ i: Int, _ r0: Float, _ r1: Float, _ r2: Float, _ r3: Float) {
                let (w0, w1, w2) = gTransposed(r0, r1, r2, r3)
                let out = partial + oc * 9 + 3 * i
                out[0] += w0; out[1] += w1; out[2] += w2
            }
            emit(0, k0.0, k1.0, k2.0, k3.0); emit(1, k0.1, k1.1, k2.1, k3.1); emit(2, k0.2, k1.2, k2.2, k3.2)
        }
    }

    // MARK: - Transforms

    /// U[ξ][o][c] = (G g_oc Gᵀ)[ξ] for every output and input channel.
    static func winogradWeights(_ weight: UnsafePointer<Float>, _ g: ConvGeometry) -> FloatBuffer {
        let taps = g.outChannels * g.inChannels
        let u = FloatBuffer(uninitializedCount: 16 * taps)
        for oc in 0..<taps {
            let w = weight + 9 * oc
            // G g (4 x 3), column by column, then each of its rows times Gᵀ.
            let c0 = gTransform(w[0], w[3], w[6]), c1 = gTransform(w[1], w[4], w[7]), c2 = gTransform(w[2], w[5], w[8])
            @inline(__always) func emit(_ i: Int, _ r0: Float, _ r1: Float, _ r2: Float) {
                let (u0, u1, u2, u3) = gTransform(r0, r1, r2)
                u.base[(4 * i) * taps + oc] = u0; u.base[(4 * i + 1) * taps + oc] = u1
                u.base[(4 * i + 2) * taps + oc] = u2; u.base[(4 * i + 3) * taps + oc] = u3
            }
            emit(0, c0.0, c1.0, c2.0); emit(1, c0.1, c1.1, c2.1); emit(2, c0.2, c1.2, c2.2); emit(3, c0.3, c1.3, c2.3)
        }
        return u
    }

    /// V[ξ][c][t] = (Bᵀ d B)[ξ] for the tiles of one padded image, tile t = firstTile + i tilesW + j.
    static func transformInput(_ padded: UnsafePointer<Float>, into v: UnsafeMutablePointer<Float>, firstTile: Int, _ p: WinogradPlan) {
        let c = p.g.inChannels, ts = p.tileStride, plane = c * ts
        let pair = p.pairsRows ? 2 * p.paddedW : nil
        for ch in 0..<c {
            for i in stride(from: 0, to: p.tilesH, by: p.rowsPerGroup) {
                let top = padded + ch * p.paddedPlane + 2 * i * p.paddedW
                for j in stride(from: 0, to: p.tilesW, by: 8) {
                    // The patch rows of 8 tiles, each row as its 4 columns side by side; Bᵀ down the rows.
                    let rows = bTransposed(patchRow(top + 2 * j, pair: pair), patchRow(top + p.paddedW + 2 * j, pair: pair),
                                           patchRow(top + 2 * p.paddedW + 2 * j, pair: pair), patchRow(top + 3 * p.paddedW + 2 * j, pair: pair))
                    let out = v + ch * ts + firstTile + i * p.tilesW + j
                    @inline(__always) func emit(_ r: Int, _ row: TileQuad) {
                        let (v0, v1, v2, v3) = bTransposed(row[quarter: 0], row[quarter: 1], row[quarter: 2], row[quarter: 3])
                        storeRow(v0, v1, v2, v3, out + 4 * r * plane, plane)
                    }
                    emit(0, rows.0); emit(1, rows.1); emit(2, rows.2); emit(3, rows.3)
                }
            }
        }
    }

    /// y = Aᵀ M A (+ bias) for the tiles of one image, written into its [O, oh, ow] output.
    static func transformOutput(_ m: UnsafePointer<Float>, firstTile: Int, bias: UnsafePointer<Float>?,
                                into y: UnsafeMutablePointer<Float>, _ p: WinogradPlan) {
        let o = p.g.outChannels, ts = p.tileStride, plane = o * ts, oh = p.g.outHeight, ow = p.g.outWidth
        for ch in 0..<o {
            let b = SIMD8<Float>(repeating: bias?[ch] ?? 0)
            for i in stride(from: 0, to: p.tilesH, by: p.rowsPerGroup) {
                for j in stride(from: 0, to: p.tilesW, by: 8) {
                    let src = m + ch * ts + firstTile + i * p.tilesW + j
                    @inline(__always) func row(_ r: Int) -> TileQuad {
                        quad(SIMDMath.load(src + 4 * r * plane), SIMDMath.load(src + (4 * r + 1) * plane),
                             SIMDMath.load(src + (4 * r + 2) * plane), SIMDMath.load(src + (4 * r + 3) * plane))
                    }
                    let sums = aTransposed(row(0), row(1), row(2), row(3))
                    @inline(__always) func emit(_ a: Int, _ s: TileQuad) {
                        let (left, right) = aTransposed(s[quarter: 0], s[quarter: 1], s[quarter: 2], s[quarter: 3])
                        let values = interleave(left + b, right + b), row = 2 * i + a
                        if !p.pairsRows {
                            if row < oh { store(values, y + (ch * oh + row) * ow + 2 * j, count: min(16, ow - 2 * j)) }
                            return
                        }
                        // Tiles 0-3 in row i, 4-7 in row i + 1: 8 outputs of each.
                        if row < oh { store(values.lowHalf, y + (ch * oh + row) * ow, count: min(8, ow)) }
                        if row + 2 < oh { store(values.highHalf, y + (ch * oh + row + 2) * ow, count: min(8, ow)) }
                    }
                    emit(0, sums.0); emit(1, sums.1)
                }
            }
        }
    }

    /// Z[ξ][o][t] = (A dY Aᵀ)[ξ] for the tiles of one image's output gradient, padded with zeros
    /// to whole tiles (`copyPadded`).
    static func transformOutputGradient(_ paddedDy: UnsafePointer<Float>, into z: UnsafeMutablePointer<Float>, firstTile: Int,
                                        _ p: WinogradPlan) {
        let o = p.g.outChannels, ts = p.tileStride, plane = o * ts
        let pair = p.pairsRows ? 2 * p.outputW : nil
        for ch in 0..<o {
            for i in stride(from: 0, to: p.tilesH, by: p.rowsPerGroup) {
                let top = paddedDy + (ch * 2 * p.tilesH + 2 * i) * p.outputW
                for j in stride(from: 0, to: p.tilesW, by: 8) {
                    let r0 = outputRow(top + 2 * j, pair: pair), r1 = outputRow(top + p.outputW + 2 * j, pair: pair)
                    let rows = a(quad(r0.even, r0.odd, SIMD8(), SIMD8()), quad(r1.even, r1.odd, SIMD8(), SIMD8()))
                    let out = z + ch * ts + firstTile + i * p.tilesW + j
                    @inline(__always) func emit(_ r: Int, _ row: TileQuad) {
                        let (z0, z1, z2, z3) = a(row[quarter: 0], row[quarter: 1])
                        storeRow(z0, z1, z2, z3, out + 4 * r * plane, plane)
                    }
                    emit(0, rows.0); emit(1, rows.1); emit(2, rows.2); emit(3, rows.3)
                }
            }
        }
    }

    /// Adds B dV Bᵀ of every tile of one image into its zeroed, padded input gradient; the
    /// patches overlap by 2 rows and 2 columns.
    static func transformInputGradient(_ dv: UnsafePointer<Float>, firstTile: Int, into padded: UnsafeMutablePointer<Float>,
                                       _ p: WinogradPlan) {
        let c = p.g.inChannels, ts = p.tileStride, plane = c * ts
        for ch in 0..<c {
            for i in stride(from: 0, to: p.tilesH, by: p.rowsPerGroup) {
                let top = padded + ch * p.paddedPlane + 2 * i * p.paddedW
                for j in stride(from: 0, to: p.tilesW, by: 8) {
                    let live = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7) .< Int32(p.liveTiles(j))
                    let src = dv + ch * ts + firstTile + i * p.tilesW + j
                    @inline(__always) func row(_ r: Int) -> TileQuad {
                        @inline(__always) func lane(_ s: Int) -> SIMD8<Float> { SIMD8<Float>().replacing(with: SIMDMath.load(src + (4 * r + s) * plane), where: live) }
                        return quad(lane(0), lane(1), lane(2), lane(3))
                    }
                    let rows = b(row(0), row(1), row(2), row(3))
                    @inline(__always) func emit(_ r: Int, _ values: TileQuad) {
                        let (d0, d1, d2, d3) = b(values[quarter: 0], values[quarter: 1], values[quarter: 2], values[quarter: 3])
                        let at = top + r * p.paddedW + 2 * j
                        if p.pairsRows {  // tiles 0-3 in this patch row, 4-7 in the one 2 rows down
                            let left = interleave(d0, d1), right = interleave(d2, d3), below = at + 2 * p.paddedW
                            SIMDMath.store(SIMDMath.load(at) + left.lowHalf, at)
                            SIMDMath.store(SIMDMath.load(at + 2) + right.lowHalf, at + 2)
                            SIMDMath.store(SIMDMath.load(below) + left.highHalf, below)
                            SIMDMath.store(SIMDMath.load(below + 2) + right.highHalf, below + 2)
                        } else {
                            SIMDMath.store(SIMDMath.load16(at) + interleave(d0, d1), at)
                            SIMDMath.store(SIMDMath.load16(at + 2) + interleave(d2, d3), at + 2)
                        }
                    }
                    emit(0, rows.0); emit(1, rows.1); emit(2, rows.2); emit(3, rows.3)
                }
            }
        }
    }

    // The 1-d transforms, on 8-tile vectors or on quads of them: applied down the rows of a patch
    // to whole rows (a `TileQuad`: 4 columns x 8 tiles), then along each row to its columns.

    /// Bᵀ d, Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1].
    @inline(__always)
    static func bTransposed<V: TileVector>(_ d0: V, _ d1: V, _ d2: V, _ d3: V) -> (V, V, V, V) {
        (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
    }

    /// B v, the adjoint of `bTransposed`.
    @inline(__always)
    static func b<V: TileVector>(_ v0: V, _ v1: V, _ v2: V, _ v3: V) -> (V, V, V, V) {
        (v0, v1 - v2 + v3, v1 + v2 - v0, V.zero - v3)
    }

    /// Aᵀ m, Aᵀ = [1 1 1 0; 0 1 -1 -1].
    @inline(__always)
    static func aTransposed<V: TileVector>(_ m0: V, _ m1: V, _ m2: V, _ m3: V) -> (V, V) {
        (m0 + m1 + m2, m1 - m2 - m3)
    }

    /// A e, the adjoint of `aTransposed`.
    @inline(__always)
    static func a<V: TileVector>(_ e0: V, _ e1: V) -> (V, V, V, V) {
        (e0, e0 + e1, e0 - e1, V.zero - e1)
    }

    /// G g, G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1].
    @inline(__always)
    static func gTransform(_ g0: Float, _ g1: Float, _ g2: Float) -> (Float, Float, Float, Float) {
        (g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2)
    }

    /// Gᵀ u, the adjoint of `gTransform`.
    @inline(__always)
    static func gTransposed(_ u0: Float, _ u1: Float, _ u2: Float, _ u3: Float) -> (Float, Float, Float) {
        (u0 + (u1 + u2) / 2, (u1 - u2) / 2, (u1 + u2) / 2 + u3)
    }

    // MARK: - Helpers

    /// Stores the four 8-tile vectors of one transformed row at `out`, `plane` floats apart.
    @inline(__always)
    static func storeRow(_ v0: SIMD8<Float>, _ v1: SIMD8<Float>, _ v2: SIMD8<Float>, _ v3: SIMD8<Float>,
                         _ out: UnsafeMutablePointer<Float>, _ plane: Int) {
        SIMDMath.store(v0, out); SIMDMath.store(v1, out + plane)
        SIMDMath.store(v2, out + 2 * plane); SIMDMath.store(v3, out + 3 * plane)
    }

    /// The 4 columns of one patch row for 8 tiles whose patches start 2 floats apart at `p`; for a
    /// group of two tile rows, tiles 4-7 are the first 4 of the row `pair` floats further on.
    @inline(__always)
    static func patchRow(_ p: UnsafePointer<Float>, pair: Int?) -> TileQuad {
        let left = SIMDMath.load16(p), right = SIMDMath.load16(p + 2)
        guard let pair else { return quad(left.evenHalf, left.oddHalf, right.evenHalf, right.oddHalf) }
        let left2 = SIMDMath.load16(p + pair), right2 = SIMDMath.load16(p + pair + 2)
        return quad(halves(left.evenHalf, left2.evenHalf), halves(left.oddHalf, left2.oddHalf),
                    halves(right.evenHalf, right2.evenHalf), halves(right.oddHalf, right2.oddHalf))
    }

    /// The even and odd columns of one output-gradient row for 8 tiles, paired as `patchRow`.
    @inline(__always)
    static func outputRow(_ p: UnsafePointer<Float>, pair: Int?) -> (even: SIMD8<Float>, odd: SIMD8<Float>) {
        let row = SIMDMath.load16(p)
        guard let pair else { return (row.evenHalf, row.oddHalf) }
        let below = SIMDMath.load16(p + pair)
        return (halves(row.evenHalf, below.evenHalf), halves(row.oddHalf, below.oddHalf))
    }

    /// Lanes 0-3 of a, then lanes 0-3 of b.
    @inline(__always)
    static func halves(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8(lowHalf: a.lowHalf, highHalf: b.lowHalf)
    }

    @inline(__always)
    static func quad(_ a: SIMD8<Float>, _ b: SIMD8<Float>, _ c: SIMD8<Float>, _ d: SIMD8<Float>) -> TileQuad {
        TileQuad(a, b, c, d)
    }

    /// [a0, b0, a1, b1, ...]: two 8-tile columns as 16 consecutive outputs.
    @inline(__always)
    static func interleave(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD16<Float> {
        SIMD16(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3], a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7])
    }

    @inline(__always)
    static func store<V: SIMD>(_ v: V, _ p: UnsafeMutablePointer<Float>, count: Int) where V.Scalar == Float {
        if count == V.scalarCount {
            SIMDMath.store(v, p)
        } else {
            for l in 0..<count { p[l] = v[l] }
        }
    }

    /// Runs `body` over consecutive blocks of at most `imagesPerBlock` of `images`.
    static func forEachBlock(_ images: Range<Int>, _ p: WinogradPlan, _ body: (Range<Int>) -> Void) {
        for first in stride(from: images.lowerBound, to: images.upperBound, by: p.imagesPerBlock) {
            body(first..<min(first + p.imagesPerBlock, images.upperBound))
        }
    }

    /// Copies `planes` planes of height x width into planes of rows x columns, at row `top` and
    /// column `left`, with zeros everywhere else.
    static func copyPadded(_ src: UnsafePointer<Float>, planes: Int, height: Int, width: Int, top: Int, left: Int,
                           into dst: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        for c in 0..<planes {
            let plane = dst + c * rows * columns
            plane.update(repeating: 0, count: top * columns)
            for r in 0..<height {
                let row = plane + (top + r) * columns
                row.update(repeating: 0, count: left)
                (row + left).update(from: src + (c * height + r) * width, count: width)
                (row + left + width).update(repeating: 0, count: columns - left - width)
            }
            (plane + (top + height) * columns).update(repeating: 0, count: (rows - top - height) * columns)
        }
    }

    /// dx (=|+=) the input region of a padded input gradient.
    static func cropPadded(_ padded: UnsafePointer<Float>, _ p: WinogradPlan, into dx: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let g = p.g
        for c in 0..<g.inChannels {
            for r in 0..<g.height {
                let src = padded + c * p.paddedPlane + (r + g.window.padH) * p.paddedW + g.window.padW
                Elementwise.copy(src, into: dx + (c * g.height + r) * g.width, count: g.width, accumulate: accumulate)
            }
        }
    }
}

/// What the 1-d transforms compute on: sums and differences of 8-tile vectors.
protocol TileVector {
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static var zero: Self { get }
}

extension SIMD8: TileVector where Scalar == Float {
    static var zero: Self { Self() }
}

/// Four 8-tile vectors: the 4 columns of one patch row for 8 tiles. (Not a SIMD32: Swift lowers
/// SIMD32 arithmetic one lane at a time through memory, 40 times slower here.)
struct TileQuad: TileVector {
    var v0, v1, v2, v3: SIMD8<Float>

    @inline(__always)
    init(_ v0: SIMD8<Float>, _ v1: SIMD8<Float>, _ v2: SIMD8<Float>, _ v3: SIMD8<Float>) {
        (self.v0, self.v1, self.v2, self.v3) = (v0, v1, v2, v3)
    }

    @inline(__always)
    static func + (a: Self, b: Self) -> Self { Self(a.v0 + b.v0, a.v1 + b.v1, a.v2 + b.v2, a.v3 + b.v3) }
    @inline(__always)
    static func - (a: Self, b: Self) -> Self { Self(a.v0 - b.v0, a.v1 - b.v1, a.v2 - b.v2, a.v3 - b.v3) }
    static var zero: Self { Self(SIMD8(), SIMD8(), SIMD8(), SIMD8()) }

    /// Column q.
    @inline(__always)
    subscript(quarter q: Int) -> SIMD8<Float> {
        switch q {
        case 0: v0
        case 1: v1
        case 2: v2
        default: v3
        }
    }
}
