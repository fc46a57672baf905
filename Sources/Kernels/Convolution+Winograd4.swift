// Winograd's F(4x4, 3x3) for stride-1 3x3 convolutions (Lavin and Gray, 2016, with the points
// 0, ±1, ±2): each 4x4 block of outputs is Aᵀ [ Σ_c (G g Gᵀ) ⊙ (Bᵀ d B) ] A over 6x6 input
// patches, 36 products per 16 outputs where F(2x2, 3x3) does 64 and the direct form 144.
//
// Unlike `Convolution+Winograd.swift`, the transforms run with 8 channels in the lanes of a vector,
// not 8 tiles: 6x6 patches start 4 columns apart, which no pair of loads splits into tile lanes as
// F(2x2)'s even and odd halves do, while a channels-last copy of each image makes every patch
// element one contiguous 8-channel load, whatever the image size, the padding or the number of
// tiles in a row. The transformed matrices are then [36][tiles][channels], and the 36 products
// per block are M[ξ] (tiles x O) = V[ξ] (tiles x C) · U[ξ] (C x O).
//
// The input gradient is itself a stride-1 3x3 convolution (of dy with the weights turned by 180
// degrees and their channels swapped, padding 2 - p), so it runs through the same forward pass.
// The weight gradient is the adjoint: dU[ξ] = Σ_tiles Z[ξ]ᵀ V[ξ] with Z = A dY Aᵀ, dg = Gᵀ dU G.
//
// 1.6 to 2 times faster than F(2x2, 3x3) on the CIFAR CNN's layers, but about 10 times less
// accurate, so `Convolution.gradientAlgorithm` does not choose it (the numbers are there).

/// The tiling of a Winograd F(4x4, 3x3) convolution and its scratch sizes.
struct Winograd4Plan {
    let g: ConvGeometry
    /// ceil(oh / 4) x ceil(ow / 4) tiles per image.
    let tilesH, tilesW: Int
    /// Whole images per block, about `blockTileTarget` tiles.
    let imagesPerBlock: Int
    /// The channels-last input, zero-padded to whole tiles: [paddedH][paddedW][inLanes].
    let paddedH, paddedW: Int
    /// Channels rounded up to whole vectors of 8.
    let inLanes, outLanes: Int

    /// 64, 128 and 256 tiles per block measured the same within the noise on the CIFAR CNN's
    /// shapes and 128 -> 128 at 8x8 (`kernelbench conv`, one thread); 16 and 32 were slower.
    static let blockTileTarget = 64

    init(_ g: ConvGeometry) {
        precondition(Convolution.winograd4Applies(g), "[conv2d] Winograd F(4x4, 3x3) needs a 3x3 kernel, stride 1, no dilation and padding at most 2: \(g)")
        self.g = g
        tilesH = (g.outHeight + 3) / 4
        tilesW = (g.outWidth + 3) / 4
        imagesPerBlock = max(1, min(g.batch, Self.blockTileTarget / (tilesH * tilesW)))
        paddedH = 4 * tilesH + 2
        paddedW = 4 * tilesW + 2
        inLanes = (g.inChannels + 7) / 8 * 8
        outLanes = (g.outChannels + 7) / 8 * 8
    }

    var tilesPerImage: Int { tilesH * tilesW }
    var blockTiles: Int { imagesPerBlock * tilesPerImage }
    /// Floats in one image's channels-last padded input.
    var stagedInput: Int { paddedH * paddedW * inLanes }
    /// Floats in one image's channels-last output gradient, padded to whole tiles.
    var stagedOutput: Int { 4 * tilesH * 4 * tilesW * outLanes }
    /// Floats from one of a block's 36 transformed matrices [blockTiles][lanes] to the next: one
    /// cache line more than they hold, so that the 36 stores of a tile's transform do not all
    /// land in one set of the L1 cache (1 image of 16 tiles and 64 channels is 4 KB exactly).
    func plane(lanes: Int) -> Int { blockTiles * lanes + 16 }
    /// Floats in a block's transformed matrices.
    func transformed(lanes: Int) -> Int { 36 * plane(lanes: lanes) }
}

extension Convolution {
    /// Whether F(4x4, 3x3) computes this convolution: as F(2x2, 3x3), and padding at most 2 so
    /// that the input gradient is a convolution with padding 2 - p.
    public static func winograd4Applies(_ g: ConvGeometry) -> Bool {
        winogradApplies(g) && g.window.padH <= 2 && g.window.padW <= 2
    }

    /// y (=|+=) conv(x, weight) + bias by F(4x4, 3x3).
    static func winograd4Forward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        y: UnsafeMutablePointer<Float>, accumulate: Bool, geometry g: ConvGeometry
    ) {
        let plan = Winograd4Plan(g), c = g.inChannels, o = g.outChannels
        let u = winograd4Weights(weight, plan), lanedBias = FloatBuffer.zeros(plan.outLanes)
        if let bias { lanedBias.base.update(from: bias, count: o) }
        let operands = UncheckedSendable((UnsafePointer(u.base), UnsafePointer(lanedBias.base)))
        let inPlane = plan.plane(lanes: plan.inLanes), outPlane = plan.plane(lanes: plan.outLanes)
        let scratch = plan.stagedInput + plan.stagedOutput + plan.transformed(lanes: plan.inLanes) + plan.transformed(lanes: plan.outLanes)
        forEachImageChunk(g.batch, scratch: scratch) { images, buffer in
            let staged = buffer, stagedY = staged + plan.stagedInput, v = stagedY + plan.stagedOutput
            let m = v + plan.transformed(lanes: plan.inLanes)
            forEachBlock(images, size: plan.imagesPerBlock) { block in
                for (k, n) in block.enumerated() {
                    stageChannelsLast(x + n * g.inputImage, planes: c, height: g.height, width: g.width, top: g.window.padH,
                                      left: g.window.padW, into: staged, rows: plan.paddedH, columns: plan.paddedW, lanes: plan.inLanes)
                    transformInput4(staged, into: v, firstTile: k * plan.tilesPerImage, plan)
                }
                for xi in 0..<36 {
                    BLAS.sgemm(transA: false, transB: false, m: block.count * plan.tilesPerImage, n: o, k: c, alpha: 1,
                               a: v + xi * inPlane, lda: plan.inLanes, b: operands.value.0 + xi * c * plan.outLanes, ldb: plan.outLanes,
                               beta: 0, c: m + xi * outPlane, ldc: plan.outLanes)
                }
                for (k, n) in block.enumerated() {
                    transformOutput4(m, firstTile: k * plan.tilesPerImage, bias: operands.value.1, into: stagedY, plan)
                    unstageChannelsLast(stagedY, columns: 4 * plan.tilesW, lanes: plan.outLanes, into: y + n * g.outputImage,
                                        channels: o, height: g.outHeight, width: g.outWidth, accumulate: accumulate)
                }
            }
        }
        withExtendedLifetime((u, lanedBias)) {}
    }

    /// dx (=|+=) the input gradient: conv(dy, weight turned by 180 degrees with its channels
    /// swapped, padding 2 - p) by F(4x4, 3x3).
    static func winograd4InputGradient(
        dy: UnsafePointer<Float>, weight: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, accumulate: Bool
    ) {
        let w = g.window, c = g.inChannels, o = g.outChannels
        let adjoint = ConvGeometry(batch: g.batch, inChannels: o, height: g.outHeight, width: g.outWidth, outChannels: c,
                                   window: Window2D(kernel: (3, 3), stride: (1, 1), padding: (2 - w.padH, 2 - w.padW)))
        let turned = FloatBuffer(uninitializedCount: 9 * o * c)
        for oc in 0..<o {
            for ic in 0..<c {
                for tap in 0..<9 { turned.base[(ic * o + oc) * 9 + 8 - tap] = weight[(oc * c + ic) * 9 + tap] }
            }
        }
        winograd4Forward(x: dy, weight: turned.base, bias: nil, y: dx, accumulate: accumulate, geometry: adjoint)
    }

    /// dW [O, C, 3, 3] added into `partial` for the images in `images`, by F(4x4, 3x3).
    static func winograd4WeightGradient(
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>, images: Range<Int>, partial: UnsafeMutablePointer<Float>, _ plan: Winograd4Plan
    ) {
        let g = plan.g, c = g.inChannels, o = g.outChannels
        let inPlane = plan.plane(lanes: plan.inLanes), outPlane = plan.plane(lanes: plan.outLanes)
        let scratch = FloatBuffer(uninitializedCount: plan.stagedInput + plan.stagedOutput + plan.transformed(lanes: plan.inLanes)
            + plan.transformed(lanes: plan.outLanes) + 36 * o * c)
        let stagedX = scratch.base, stagedDy = stagedX + plan.stagedInput, v = stagedDy + plan.stagedOutput
        let z = v + plan.transformed(lanes: plan.inLanes), du = z + plan.transformed(lanes: plan.outLanes)
        var first = true
        forEachBlock(images, size: plan.imagesPerBlock) { block in
            for (k, n) in block.enumerated() {
                stageChannelsLast(x + n * g.inputImage, planes: c, height: g.height, width: g.width, top: g.window.padH,
                                  left: g.window.padW, into: stagedX, rows: plan.paddedH, columns: plan.paddedW, lanes: plan.inLanes)
                transformInput4(stagedX, into: v, firstTile: k * plan.tilesPerImage, plan)
                stageChannelsLast(dy + n * g.outputImage, planes: o, height: g.outHeight, width: g.outWidth, top: 0, left: 0,
                                  into: stagedDy, rows: 4 * plan.tilesH, columns: 4 * plan.tilesW, lanes: plan.outLanes)
                transformOutputGradient4(stagedDy, into: z, firstTile: k * plan.tilesPerImage, plan)
            }
            for xi in 0..<36 {  // dU[ξ] (+)= Z[ξ]ᵀ V[ξ], a product over the block's tiles
                BLAS.sgemm(transA: true, transB: false, m: o, n: c, k: block.count * plan.tilesPerImage, alpha: 1,
                           a: z + xi * outPlane, lda: plan.outLanes, b: v + xi * inPlane, ldb: plan.inLanes,
                           beta: first ? 0 : 1, c: du + xi * o * c, ldc: c)
            }
            first = false
        }
        guard !first else { return }
        let taps = o * c
        for oc in 0..<taps {  // Gᵀ dU G: Gᵀ down the 6 columns, then along the 3 rows
            @inline(__always) func d(_ xi: Int) -> Float { du[xi * taps + oc] }
            let c0 = g4Transposed(d(0), d(6), d(12), d(18), d(24), d(30)), c1 = g4Transposed(d(1), d(7), d(13), d(19), d(25), d(31))
            let c2 = g4Transposed(d(2), d(8), d(14), d(20), d(26), d(32)), c3 = g4Transposed(d(3), d(9), d(15), d(21), d(27), d(33))
            let c4 = g4Transposed(d(4), d(10), d(16), d(22), d(28), d(34)), c5 = g4Transposed(d(5), d(11), d(17), d(23), d(29), d(35))
            @inline(__always) func emit(_ i: Int, _ r0: Float, _ r1: Float, _ r2: Float, _ r3: Float, _ r4: Float, _ r5: Float) {
                let (w0, w1, w2) = g4Transposed(r0, r1, r2, r3, r4, r5)
                let out = partial + oc * 9 + 3 * i
                out[0] += w0; out[1] += w1; out[2] += w2
            }
            emit(0, c0.0, c1.0, c2.0, c3.0, c4.0, c5.0); emit(1, c0.1, c1.1, c2.1, c3.1, c4.1, c5.1)
            emit(2, c0.2, c1.2, c2.2, c3.2, c4.2, c5.2)
        }
    }

    // MARK: - Transforms

    /// U[ξ][c][o] = (G g_oc Gᵀ)[ξ]: [36][C][outLanes], zero past O. Eight output channels at a
    /// time, so that every store is one contiguous vector (one float at a time into 36 planes
    /// far apart took 40% of the 64 -> 128 layer's forward pass).
    static func winograd4Weights(_ weight: UnsafePointer<Float>, _ p: Winograd4Plan) -> FloatBuffer {
        let c = p.g.inChannels, o = p.g.outChannels, lanes = p.outLanes, plane = c * lanes
        let u = FloatBuffer(uninitializedCount: 36 * plane)
        for ic in 0..<c {
            for ob in stride(from: 0, to: lanes, by: 8) {
                let live = min(8, o - ob), w = weight + (ob * c + ic) * 9
                @inline(__always) func tap(_ t: Int) -> SIMD8<Float> {
                    if live == 8 { return SIMDMath.load(w + t, stride: 9 * c) }
                    var v = SIMD8<Float>()
                    for l in 0..<live { v[l] = w[t + l * 9 * c] }
                    return v
                }
                let c0 = g4Transform(tap(0), tap(3), tap(6)), c1 = g4Transform(tap(1), tap(4), tap(7)), c2 = g4Transform(tap(2), tap(5), tap(8))
                @inline(__always) func emit(_ k: Int, _ r0: SIMD8<Float>, _ r1: SIMD8<Float>, _ r2: SIMD8<Float>) {
                    let t = g4Transform(r0, r1, r2), at = u.base + 6 * k * plane + ic * lanes + ob
                    SIMDMath.store(t.0, at); SIMDMath.store(t.1, at + plane); SIMDMath.store(t.2, at + 2 * plane)
                    SIMDMath.store(t.3, at + 3 * plane); SIMDMath.store(t.4, at + 4 * plane); SIMDMath.store(t.5, at + 5 * plane)
                }
                emit(0, c0.0, c1.0, c2.0); emit(1, c0.1, c1.1, c2.1); emit(2, c0.2, c1.2, c2.2)
                emit(3, c0.3, c1.3, c2.3); emit(4, c0.4, c1.4, c2.4); emit(5, c0.5, c1.5, c2.5)
            }
        }
        return u
    }

    /// V[ξ][t][c] = (Bᵀ d B)[ξ] for the tiles of one channels-last padded image.
    static func transformInput4(_ staged: UnsafePointer<Float>, into v: UnsafeMutablePointer<Float>, firstTile: Int, _ p: Winograd4Plan) {
        let lanes = p.inLanes, plane = p.plane(lanes: lanes), row = p.paddedW * lanes
        withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 36) { scratch in
            let s = scratch.baseAddress!
            for i in 0..<p.tilesH {
                for j in 0..<p.tilesW {
                    let corner = staged + (4 * i * p.paddedW + 4 * j) * lanes
                    let out = v + (firstTile + i * p.tilesW + j) * lanes
                    for cb in stride(from: 0, to: lanes, by: 8) {
                        for q in 0..<6 {  // Bᵀ down column q
                            @inline(__always) func d(_ r: Int) -> SIMD8<Float> { SIMDMath.load(corner + r * row + q * lanes + cb) }
                            let k = b4Transposed(d(0), d(1), d(2), d(3), d(4), d(5))
                            s[q] = k.0; s[6 + q] = k.1; s[12 + q] = k.2; s[18 + q] = k.3; s[24 + q] = k.4; s[30 + q] = k.5
                        }
                        for k in 0..<6 {  // then along row k
                            let r = b4Transposed(s[6 * k], s[6 * k + 1], s[6 * k + 2], s[6 * k + 3], s[6 * k + 4], s[6 * k + 5])
                            let at = out + 6 * k * plane + cb
                            SIMDMath.store(r.0, at); SIMDMath.store(r.1, at + plane); SIMDMath.store(r.2, at + 2 * plane)
                            SIMDMath.store(r.3, at + 3 * plane); SIMDMath.store(r.4, at + 4 * plane); SIMDMath.store(r.5, at + 5 * plane)
                        }
                    }
                }
            }
        }
    }

    /// Aᵀ M A + bias for the tiles of one image, into its channels-last output padded to whole
    /// tiles ([4 tilesH][4 tilesW][outLanes], `unstageChannelsLast` makes it NCHW).
    static func transformOutput4(_ m: UnsafePointer<Float>, firstTile: Int, bias: UnsafePointer<Float>,
                                 into staged: UnsafeMutablePointer<Float>, _ p: Winograd4Plan) {
        let lanes = p.outLanes, plane = p.plane(lanes: lanes), row = 4 * p.tilesW * lanes
        withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 24) { scratch in
            let s = scratch.baseAddress!
            for i in 0..<p.tilesH {
                for j in 0..<p.tilesW {
                    let src = m + (firstTile + i * p.tilesW + j) * lanes, corner = staged + (4 * i * 4 * p.tilesW + 4 * j) * lanes
                    for ob in stride(from: 0, to: lanes, by: 8) {
                        for l in 0..<6 {  // Aᵀ down column l
                            @inline(__always) func e(_ k: Int) -> SIMD8<Float> { SIMDMath.load(src + (6 * k + l) * plane + ob) }
                            let a = a4Transposed(e(0), e(1), e(2), e(3), e(4), e(5))
                            s[l] = a.0; s[6 + l] = a.1; s[12 + l] = a.2; s[18 + l] = a.3
                        }
                        let b = SIMDMath.load(bias + ob)
                        for a in 0..<4 {  // then along row a
                            let r = a4Transposed(s[6 * a], s[6 * a + 1], s[6 * a + 2], s[6 * a + 3], s[6 * a + 4], s[6 * a + 5])
                            let at = corner + a * row + ob
                            SIMDMath.store(r.0 + b, at); SIMDMath.store(r.1 + b, at + lanes)
                            SIMDMath.store(r.2 + b, at + 2 * lanes); SIMDMath.store(r.3 + b, at + 3 * lanes)
                        }
                    }
                }
            }
        }
    }

    /// Z[ξ][t][o] = (A e Aᵀ)[ξ] for the 4x4 tiles e of one image's channels-last output gradient.
    static func transformOutputGradient4(_ staged: UnsafePointer<Float>, into z: UnsafeMutablePointer<Float>, firstTile: Int,
                                         _ p: Winograd4Plan) {
        let lanes = p.outLanes, plane = p.plane(lanes: lanes), row = 4 * p.tilesW * lanes
        withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 24) { scratch in
            let s = scratch.baseAddress!
            for i in 0..<p.tilesH {
                for j in 0..<p.tilesW {
                    let corner = staged + (4 * i * 4 * p.tilesW + 4 * j) * lanes
                    let out = z + (firstTile + i * p.tilesW + j) * lanes
                    for ob in stride(from: 0, to: lanes, by: 8) {
                        for q in 0..<4 {  // A down column q
                            @inline(__always) func e(_ r: Int) -> SIMD8<Float> { SIMDMath.load(corner + r * row + q * lanes + ob) }
                            let k = a4(e(0), e(1), e(2), e(3))
                            s[q] = k.0; s[4 + q] = k.1; s[8 + q] = k.2; s[12 + q] = k.3; s[16 + q] = k.4; s[20 + q] = k.5
                        }
                        for k in 0..<6 {  // then along row k
                            let r = a4(s[4 * k], s[4 * k + 1], s[4 * k + 2], s[4 * k + 3])
                            let at = out + 6 * k * plane + ob
                            SIMDMath.store(r.0, at); SIMDMath.store(r.1, at + plane); SIMDMath.store(r.2, at + 2 * plane)
                            SIMDMath.store(r.3, at + 3 * plane); SIMDMath.store(r.4, at + 4 * plane); SIMDMath.store(r.5, at + 5 * plane)
                        }
                    }
                }
            }
        }
    }

    // The 1-d transforms of F(4x4, 3x3), on 8-channel vectors (B, A) or scalars (G).

    /// Bᵀ d, Bᵀ = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1].
    @inline(__always)
    static func b4Transposed(_ d0: SIMD8<Float>, _ d1: SIMD8<Float>, _ d2: SIMD8<Float>, _ d3: SIMD8<Float>, _ d4: SIMD8<Float>,
                             _ d5: SIMD8<Float>) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        let sum12 = d4 - 4 * d2, diff12 = d3 - 4 * d1, sum34 = d4 - d2, diff34 = 2 * (d3 - d1)
        return (4 * d0 - 5 * d2 + d4, sum12 + diff12, sum12 - diff12, sum34 + diff34, sum34 - diff34, 4 * d1 - 5 * d3 + d5)
    }

    /// Aᵀ m, Aᵀ = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1].
    @inline(__always)
    static func a4Transposed(_ m0: SIMD8<Float>, _ m1: SIMD8<Float>, _ m2: SIMD8<Float>, _ m3: SIMD8<Float>, _ m4: SIMD8<Float>,
                             _ m5: SIMD8<Float>) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        let s12 = m1 + m2, d12 = m1 - m2, s34 = m3 + m4, d34 = m3 - m4
        return (m0 + s12 + s34, d12 + 2 * d34, s12 + 4 * s34, d12 + 8 * d34 + m5)
    }

    /// A e, the adjoint of `a4Transposed`.
    @inline(__always)
    static func a4(_ e0: SIMD8<Float>, _ e1: SIMD8<Float>, _ e2: SIMD8<Float>, _ e3: SIMD8<Float>)
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        let even = e0 + e2, odd = e1 + e3, even4 = e0 + 4 * e2, odd4 = 2 * e1 + 8 * e3
        return (e0, even + odd, even - odd, even4 + odd4, even4 - odd4, e3)
    }

    /// G g, G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1].
    @inline(__always)
    static func g4Transform(_ g0: SIMD8<Float>, _ g1: SIMD8<Float>, _ g2: SIMD8<Float>)
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        let outer = g0 + g2, far = g0 / 24 + g2 / 6
        return (g0 / 4, -(outer + g1) / 6, -(outer - g1) / 6, far + g1 / 12, far - g1 / 12, g2)
    }

    /// Gᵀ u, the adjoint of `g4Transform`.
    @inline(__always)
    static func g4Transposed(_ u0: Float, _ u1: Float, _ u2: Float, _ u3: Float, _ u4: Float, _ u5: Float) -> (Float, Float, Float) {
        let s12 = -(u1 + u2) / 6, s34 = u3 + u4
        return (u0 / 4 + s12 + s34 / 24, (u2 - u1) / 6 + (u3 - u4) / 12, s12 + s34 / 6 + u5)
    }

    /// Copies `planes` planes of height x width, NCHW, into a zeroed channels-last
    /// [rows][columns][lanes] buffer at row `top` and column `left`: 8 columns of 8 planes at a
    /// time as one 8x8 transpose, the last columns and planes one float at a time.
    static func stageChannelsLast(_ src: UnsafePointer<Float>, planes: Int, height: Int, width: Int, top: Int, left: Int,
                                  into dst: UnsafeMutablePointer<Float>, rows: Int, columns: Int, lanes: Int) {
        dst.update(repeating: 0, count: rows * columns * lanes)
        let plane = height * width, wholePlanes = planes / 8 * 8, wholeColumns = width / 8 * 8
        for r in 0..<height {
            let to = dst + ((top + r) * columns + left) * lanes
            for q in stride(from: 0, to: wholeColumns, by: 8) {
                for c in stride(from: 0, to: wholePlanes, by: 8) {
                    transpose8(src + c * plane + r * width + q, stride: plane, into: to + q * lanes + c, stride: lanes, accumulate: false)
                }
            }
            for c in 0..<planes {
                let from = src + c * plane + r * width
                for q in (c < wholePlanes ? wholeColumns : 0)..<width { to[q * lanes + c] = from[q] }
            }
        }
    }

    /// y (=|+=) a channels-last [rows][columns][lanes] buffer's first `channels` lanes, height x
    /// width of them, as NCHW planes: the way back of `stageChannelsLast`.
    static func unstageChannelsLast(_ src: UnsafePointer<Float>, columns: Int, lanes: Int, into y: UnsafeMutablePointer<Float>,
                                    channels: Int, height: Int, width: Int, accumulate: Bool) {
        let plane = height * width, wholeChannels = channels / 8 * 8, wholeColumns = width / 8 * 8
        for r in 0..<height {
            let from = src + r * columns * lanes
            for q in stride(from: 0, to: wholeColumns, by: 8) {
                for c in stride(from: 0, to: wholeChannels, by: 8) {
                    transpose8(from + q * lanes + c, stride: lanes, into: y + c * plane + r * width + q, stride: plane, accumulate: accumulate)
                }
            }
            for c in 0..<channels {
                let to = y + c * plane + r * width
                for q in (c < wholeChannels ? wholeColumns : 0)..<width {
                    to[q] = accumulate ? to[q] + from[q * lanes + c] : from[q * lanes + c]
                }
            }
        }
    }

    /// dst row k (=|+=) column k of the 8x8 block whose rows start `stride` floats apart at src.
    @inline(__always)
    static func transpose8(_ src: UnsafePointer<Float>, stride s: Int, into dst: UnsafeMutablePointer<Float>, stride d: Int, accumulate: Bool) {
        let r0 = SIMDMath.load(src), r1 = SIMDMath.load(src + s), r2 = SIMDMath.load(src + 2 * s), r3 = SIMDMath.load(src + 3 * s)
        let r4 = SIMDMath.load(src + 4 * s), r5 = SIMDMath.load(src + 5 * s), r6 = SIMDMath.load(src + 6 * s), r7 = SIMDMath.load(src + 7 * s)
        // Pairs of rows interleaved, then pairs of pairs, then the 128-bit halves: unpack, shuffle, permute.
        @inline(__always) func low(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { SIMD8(a[0], b[0], a[1], b[1], a[4], b[4], a[5], b[5]) }
        @inline(__always) func high(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { SIMD8(a[2], b[2], a[3], b[3], a[6], b[6], a[7], b[7]) }
        @inline(__always) func low2(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { SIMD8(a[0], a[1], b[0], b[1], a[4], a[5], b[4], b[5]) }
        @inline(__always) func high2(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { SIMD8(a[2], a[3], b[2], b[3], a[6], a[7], b[6], b[7]) }
        let t0 = low(r0, r1), t1 = high(r0, r1), t2 = low(r2, r3), t3 = high(r2, r3)
        let t4 = low(r4, r5), t5 = high(r4, r5), t6 = low(r6, r7), t7 = high(r6, r7)
        let u0 = low2(t0, t2), u1 = high2(t0, t2), u2 = low2(t1, t3), u3 = high2(t1, t3)
        let u4 = low2(t4, t6), u5 = high2(t4, t6), u6 = low2(t5, t7), u7 = high2(t5, t7)
        @inline(__always) func emit(_ k: Int, _ v: SIMD8<Float>) {
            let at = dst + k * d
            SIMDMath.store(accumulate ? SIMDMath.load(at) + v : v, at)
        }
        emit(0, SIMD8(lowHalf: u0.lowHalf, highHalf: u4.lowHalf)); emit(1, SIMD8(lowHalf: u1.lowHalf, highHalf: u5.lowHalf))
        emit(2, SIMD8(lowHalf: u2.lowHalf, highHalf: u6.lowHalf)); emit(3, SIMD8(lowHalf: u3.lowHalf, highHalf: u7.lowHalf))
        emit(4, SIMD8(lowHalf: u0.highHalf, highHalf: u4.highHalf)); emit(5, SIMD8(lowHalf: u1.highHalf, highHalf: u5.highHalf))
        emit(6, SIMD8(lowHalf: u2.highHalf, highHalf: u6.highHalf)); emit(7, SIMD8(lowHalf: u3.highHalf, highHalf: u7.highHalf))
    }

    /// Runs `body` over consecutive blocks of at most `size` of `images` (both Winograd forms).
    static func forEachBlock(_ images: Range<Int>, size: Int, _ body: (Range<Int>) -> Void) {
        for first in stride(from: images.lowerBound, to: images.upperBound, by: size) {
            body(first..<min(first + size, images.upperBound))
        }
    }
}
