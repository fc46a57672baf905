/// The sizes of a 2-d convolution of an [N, C, H, W] input with an [O, C, kh, kw] weight.
public struct ConvGeometry: Sendable, Hashable, CustomStringConvertible {
    public var batch, inChannels, height, width: Int
    public var outChannels: Int
    public var window: Window2D
    public let outHeight, outWidth: Int

    public init(batch: Int, inChannels: Int, height: Int, width: Int, outChannels: Int, window: Window2D) {
        self.batch = batch
        self.inChannels = inChannels
        self.height = height
        self.width = width
        self.outChannels = outChannels
        self.window = window
        outHeight = window.outputHeight(height)
        outWidth = window.outputWidth(width)
    }

    /// Elements of one input image (C H W) and of one output image (O oh ow).
    public var inputImage: Int { inChannels * height * width }
    public var outputImage: Int { outChannels * outHeight * outWidth }
    /// Output positions per image: the columns of the im2col matrix.
    public var outputPlane: Int { outHeight * outWidth }
    /// Weights per output channel (C kh kw): the rows of the im2col matrix.
    public var taps: Int { inChannels * window.kernelH * window.kernelW }
    /// A 1x1 window, stride 1, no padding: every output reads one input position in each channel,
    /// so an image [C, H, W] is already the unfolded matrix of im2col.
    public var isPointwise: Bool {
        window.kernelH == 1 && window.kernelW == 1 && window.strideH == 1 && window.strideW == 1 && window.padH == 0 && window.padW == 0
    }

    public var description: String {
        "input (\(batch),\(inChannels),\(height),\(width)), \(outChannels) output channels, \(window)"
    }
}

/// How the forward convolution is computed; both give the same numbers up to rounding.
public enum ConvolutionAlgorithm: Sendable, Hashable, CaseIterable {
    /// Loops over the padded image with SIMD accumulators: no unfolded matrix, no GEMM call.
    case direct
    /// Unfolds each image into a (C kh kw) x (oh ow) matrix and multiplies with `BLAS.sgemm`.
    case im2col
    /// Winograd's F(2x2, 3x3): 3x3 kernels, stride 1, no dilation only (`winogradApplies`).
    case winograd
    /// Vector loads along zero-padded rows, no unfolded matrix (`Convolution+Rows.swift`): stride 1 only (`rowsApply`).
    case rows
}

/// 2-d convolution (cross-correlation, as PyTorch's conv2d) forward and backward over contiguous
/// NCHW buffers. Images are split across the cores; each thread has its own scratch.
///
/// Both gradients and, except on small planes, the forward pass go through Winograd (3x3, 4 or
/// more input channels), the padded-rows kernels (other stride-1 shapes) or im2col and GEMM (see
/// `gradientAlgorithm`). The direct forward kernel against im2col (release build, batch 32, one
/// thread each for specrun and OpenBLAS, which runs its SKYLAKEX kernels; ms, median of 100):
///
///     shape                      direct   im2col
///     1->16 3x3 p1 64x64 (seed)  1.745    0.633
///     3->16 3x3 p1 64x64         4.789    2.101
///     16->32 3x3 p1 32x32        12.50    3.856
///     16->32 3x3 p1 6x6          0.630    0.316
///     1->8 3x3 p1 12x12          0.046    0.032
///     16->16 3x3 p1 8x8          0.433    0.374
///     8->8 3x3 p1 8x8            0.113    0.165
///     4->8 3x3 p1 8x8            0.060    0.084
///     1->8 3x3 p1 8x8            0.017    0.022
///
/// Direct gradient kernels (4-channel blocked dot products for the weights; for the input, a
/// correlation of the padded output gradient with the flipped weights) were written and measured
/// too, and lost where it matters: the seed's weight gradient 2.06 against 0.51 ms, the 16->32
/// conv's weight gradient 7.6 against 5.4 ms and input gradient 13.2 against 6.4 ms; on 8x8
/// planes they were within 10% either way. So they were dropped.
///
/// Swift compiles for baseline x86-64 (4-lane SSE, no FMA) while OpenBLAS runs 16-lane AVX-512
/// FMA kernels, so the unfolded matrix (9 shifted row copies for the seed) costs less than the
/// wider arithmetic saves; built with `-target-cpu haswell` the direct seed forward still took
/// 1.19 ms. The seed's forward is near the memory floor anyway: writing its 8 MB output alone
/// takes 0.31 ms here. The direct kernel wins only where the per-image GEMM call dominates: the
/// forward over planes of at most 8x8 outputs with few taps, and that is where it is used.
public enum Convolution {
    /// The forward algorithm for `geometry`, by the measurements above and below.
    public static func forwardAlgorithm(_ g: ConvGeometry) -> ConvolutionAlgorithm {
        if g.outputPlane <= 64 && g.taps <= 72 { return .direct }
        // 1x1: one GEMM per image on the image itself. `kernelbench conv`, one thread, forward
        // against padded rows, with specrun's AVX-512 GEMM: 32 -> 64 at 32x32 1.93 against 3.30
        // ms, 64 -> 128 at 16x16 1.45 against 1.56, 128 -> 128 at 8x8 0.86 against 0.82. The
        // gradients stay on padded rows (all gradients 6.08 against 6.88 ms on the first).
        if g.isPointwise && PackedGEMM.isChosen { return .im2col }
        return gradientAlgorithm(g)
    }

    /// The algorithm for both gradients (and the forward pass beyond the direct kernel's small
    /// planes): Winograd where it applies and the input has 4 channels or more, else padded rows
    /// for stride 1, else im2col.
    ///
    /// Measured on the AMD EPYC of docs/performance.md (one thread, OpenBLAS's Haswell kernels,
    /// batch 64, ms for forward / input gradient / weight gradient, best of 10):
    ///
    ///     shape                  im2col                 Winograd F(2x2, 3x3)
    ///     32->64 3x3 p1 16x16    6.47 / 8.89 / 7.11     3.47 / 3.97 / 5.55   (the CIFAR CNN's)
    ///     64->128 3x3 p1 8x8     6.20 / 6.02 / 6.11     3.48 / 4.99 / 4.30   (the CIFAR CNN's)
    ///     16->32 3x3 p1 32x32    7.12 / 16.5 / 12.3     3.90 / 4.97 / 4.43
    ///     4->8 3x3 p1 16x16      0.28 / 0.35 / 0.39     0.15 / 0.21 / 0.29
    ///     3->32 3x3 p1 32x32     1.37 / 2.07 / 1.86     1.48 / 2.37 / 3.67
    ///
    /// With 3 input channels or fewer the products over channels are too short for the GEMMs.
    /// The padded-rows kernels against im2col (`kernelbench conv`, one thread, best of 20, load
    /// 7-8, same units; Winograd as above where it applies):
    ///
    ///     shape                  im2col                 padded rows
    ///     1->6 5x5 p2 28x28      0.46 / 0.65 / 0.73     0.13 / 0.35 / 0.17   (LeNet-5's)
    ///     6->16 5x5 14x14        0.65 / 0.76 / 0.72     0.26 / 0.53 / 0.56   (LeNet-5's)
    ///     3->32 3x3 p1 32x32     1.36 / 1.90 / 1.84     0.74 / 0.96 / 1.09
    ///     1->16 3x3 p1 64x64     0.61 / 1.12 / 1.22     0.40 / 1.30 / 0.76   (the seed's, batch 32)
    ///     32->64 3x3 p1 16x16    7.04 / 11.8 / 11.6     3.87 / 4.16 / 5.75   (Winograd 3.73 / 4.13 / 7.93)
    ///     64->128 3x3 p1 8x8     10.9 / 6.65 / 11.3     8.84 / 9.45 / 24.0   (Winograd 3.63 / 4.93 / 4.12)
    ///
    /// Those padded-rows numbers are from a build for AVX-512. Built for AVX2 only, the same
    /// kernels run half as many lanes per instruction while OpenBLAS's GEMM keeps its AVX2 speed,
    /// and im2col wins wherever the input has more than one channel (`SPECRUN_THREADS=1
    /// kernelbench conv` built with `SPECRUN_TARGET_CPU=haswell`, best of 30, im2col against
    /// padded rows, forward / all gradients): 6->16 5x5 14x14 0.64 / 1.46 against 0.62 / 1.95,
    /// 3->32 3x3 p1 32x32 1.33 / 3.73 against 1.62 / 4.32, 1x1 32->64 at 32x32 2.87 / 8.00
    /// against 4.22 / 8.87, 1x1 128->128 at 8x8 1.15 / 2.86 against 1.86 / 4.48; with one input
    /// channel padded rows still win (1->6 5x5 p2 28x28 0.29 / 1.18 against 0.44 / 1.34).
    public static func gradientAlgorithm(_ g: ConvGeometry) -> ConvolutionAlgorithm {
        if winogradApplies(g) && g.inChannels >= 4 { return .winograd }
        if !CPUFeatures.isBuiltForAVX512 && g.inChannels > 1 { return .im2col }
        return rowsApply(g) ? .rows : .im2col
    }

    /// y = conv(x, weight) + bias, overwriting y [N, O, oh, ow].
    public static func forward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        y: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, algorithm: ConvolutionAlgorithm? = nil
    ) {
        switch algorithm ?? forwardAlgorithm(g) {
        case .direct: directForward(x: x, weight: weight, bias: bias, y: y, geometry: g)
        case .im2col: im2colForward(x: x, weight: weight, bias: bias, y: y, geometry: g)
        case .winograd: winogradForward(x: x, weight: weight, bias: bias, y: y, geometry: g)
        case .rows: rowsForward(x: x, weight: weight, bias: bias, y: y, geometry: g)
        }
    }

    /// dx (=|+=) the gradient of the convolution with respect to its input, given dy [N, O, oh, ow].
    public static func inputGradient(
        dy: UnsafePointer<Float>, weight: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
        geometry g: ConvGeometry, accumulate: Bool, algorithm: ConvolutionAlgorithm? = nil
    ) {
        switch algorithm ?? gradientAlgorithm(g) {
        case .winograd:
            let plan = WinogradPlan(g), u = winogradWeights(weight, g)
            let target = UncheckedSendable((dx, UnsafePointer(u.base)))
            Parallel.forEachChunk(g.batch, grain: 1) { images in
                winogradBackward(dy: dy, x: nil, u: target.value.1, images: images, dx: target.value.0, accumulate: accumulate,
                                 partial: nil, plan)
            }
            withExtendedLifetime(u) {}
        case .rows:
            rowsInputGradient(dy: dy, weight: weight, dx: dx, geometry: g, accumulate: accumulate)
        case .im2col, .direct:
            im2colInputGradient(dy: dy, weight: weight, dx: dx, geometry: g, accumulate: accumulate)
        }
    }

    /// Overwrites dWeight [O, C, kh, kw] and dBias [O] (either may be nil when not wanted) with the
    /// gradients summed over the batch, given the input x and dy [N, O, oh, ow].
    public static func parameterGradients(
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>,
        dWeight: UnsafeMutablePointer<Float>?, dBias: UnsafeMutablePointer<Float>?, geometry g: ConvGeometry,
        algorithm: ConvolutionAlgorithm? = nil
    ) {
        guard let dWeight else {
            if let dBias { biasGradient(dy: dy, dBias: dBias, geometry: g) }
            return
        }
        let o = g.outChannels, k = g.taps, chosen = algorithm ?? gradientAlgorithm(g)
        if chosen == .winograd {
            winogradGradients(dy: dy, x: x, weight: nil, dx: nil, accumulate: false, dWeight: dWeight, dBias: dBias, geometry: g)
            return
        }
        let columns = k + (dBias == nil ? 0 : 1)  // the bias gradient is a last column of weights
        let partials = sumOverImages(g.batch, count: o * columns) { images, partial in
            if chosen == .rows {
                rowsParameterGradients(dy: dy, x: x, images: images, partial: partial, columns: columns, geometry: g)
            } else {
                im2colParameterGradients(dy: dy, x: x, images: images, partial: partial, columns: columns, geometry: g)
            }
        }
        for r in 0..<o {
            dWeight.advanced(by: r * k).update(from: partials.base + r * columns, count: k)
            if let dBias { dBias[r] = partials.base[r * columns + k] }
        }
    }

    /// Both gradients: dx (=|+=) the input gradient as `inputGradient`, and dWeight and dBias
    /// (either may be nil) overwritten as `parameterGradients`. With Winograd the two share one
    /// pass over the output gradient's tiles.
    public static func gradients(
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
        accumulate: Bool, dWeight: UnsafeMutablePointer<Float>?, dBias: UnsafeMutablePointer<Float>?, geometry g: ConvGeometry,
        algorithm: ConvolutionAlgorithm? = nil
    ) {
        if (algorithm ?? gradientAlgorithm(g)) == .winograd, let dWeight {
            winogradGradients(dy: dy, x: x, weight: weight, dx: dx, accumulate: accumulate, dWeight: dWeight, dBias: dBias, geometry: g)
        } else {
            inputGradient(dy: dy, weight: weight, dx: dx, geometry: g, accumulate: accumulate, algorithm: algorithm)
            parameterGradients(dy: dy, x: x, dWeight: dWeight, dBias: dBias, geometry: g, algorithm: algorithm)
        }
    }

    /// The weight gradient (overwriting dWeight), the bias gradient when asked, and dx when
    /// given (with `weight`), by Winograd.
    static func winogradGradients(
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>?, dx: UnsafeMutablePointer<Float>?,
        accumulate: Bool, dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>?, geometry g: ConvGeometry
    ) {
        let plan = WinogradPlan(g), u = weight.map { winogradWeights($0, g) }
        let target = UncheckedSendable((dx, u.map { UnsafePointer($0.base) }))
        let count = g.outChannels * g.taps
        let partials = sumOverImages(g.batch, count: count) { images, partial in
            winogradBackward(dy: dy, x: x, u: target.value.1, images: images, dx: target.value.0, accumulate: accumulate,
                             partial: partial, plan)
        }
        dWeight.update(from: partials.base, count: count)
        if let dBias { biasGradient(dy: dy, dBias: dBias, geometry: g) }
        withExtendedLifetime(u) {}
    }

    /// dBias[o] = the sum of dy over the batch and the positions of channel o.
    static func biasGradient(dy: UnsafePointer<Float>, dBias: UnsafeMutablePointer<Float>, geometry g: ConvGeometry) {
        let o = g.outChannels, plane = g.outputPlane
        let partials = sumOverImages(g.batch, count: o) { images, partial in
            for n in images {
                for c in 0..<o { partial[c] += SIMDMath.sum(dy + (n * o + c) * plane, count: plane) }
            }
        }
        dBias.update(from: partials.base, count: o)
    }

    /// Runs `body(images, partial)` over chunks of the batch in parallel, each chunk adding into its
    /// own zeroed partial of `count` sums, and returns the partials added in chunk order (so the
    /// result does not depend on timing, only on the thread count).
    static func sumOverImages(_ batch: Int, count: Int, _ body: (Range<Int>, UnsafeMutablePointer<Float>) -> Void) -> FloatBuffer {
        let threads = max(1, min(Parallel.threadCount, batch))
        let partials = FloatBuffer.zeros(threads * count)
        let base = UncheckedSendable(partials.base)
        Parallel.forEachChunk(threads, grain: 1) { chunks in
            for t in chunks {
                body(batch * t / threads ..< batch * (t + 1) / threads, base.value + t * count)
            }
        }
        for t in 1..<threads {
            let p = partials.base + t * count
            for i in 0..<count { partials.base[i] += p[i] }
        }
        return partials
    }
}

/// Small SIMD helpers shared by the spatial kernels. Swift does not reassociate Float sums, so a
/// plain loop would not vectorise a reduction: these keep explicit 8-lane accumulators.
enum SIMDMath {
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, stride: Int) -> SIMD8<Float> {
        if stride == 1 { return load(p) }
        return SIMD8(p[0], p[stride], p[2 * stride], p[3 * stride], p[4 * stride], p[5 * stride], p[6 * stride], p[7 * stride])
    }

    @inline(__always)
    static func store<V: SIMD>(_ v: V, _ p: UnsafeMutablePointer<Float>) where V.Scalar == Float {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
    }

    /// p[l · stride] += v[l] for the eight lanes.
    @inline(__always)
    static func add(_ v: SIMD8<Float>, into p: UnsafeMutablePointer<Float>, stride: Int) {
        if stride == 1 {
            store(load(p) + v, p)
        } else {
            for l in 0..<8 { p[l * stride] += v[l] }
        }
    }

    /// The sum of `count` floats.
    static func sum(_ p: UnsafePointer<Float>, count: Int) -> Float {
        var acc = SIMD8<Float>(), i = 0
        while i + 8 <= count { acc += load(p + i); i += 8 }
        var s = acc.sum()
        while i < count { s += p[i]; i += 1 }
        return s
    }
}
