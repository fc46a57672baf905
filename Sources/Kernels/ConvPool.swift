/// The sizes of a fused convolution (stride 1) and 2x2 max pooling with stride 2, and of the
/// scratch image the kernels read.
///
/// The scratch holds each zero-padded input row split into its even and its odd columns
/// (E[m] = row[2m], O[m] = row[2m + 1], stored one after the other, `rowLength` floats each). The
/// convolution output at column 2j then reads, for a tap at column offset t, E[j + t/2] (t even)
/// or O[j + t/2] (t odd), and the output at 2j + 1 reads O[j + t/2] or E[j + t/2 + 1]: both are
/// contiguous in j, so sixteen pooled columns are four plain vector loads per tap (two columns
/// of two rows), and the pooling is a lane-wise maximum of the four sums with no shuffles.
public struct ConvPoolGeometry: Sendable, Hashable, CustomStringConvertible {
    public let conv: ConvGeometry
    /// floor(oh / 2) x floor(ow / 2), as max_pool2d(2) with ceil_mode false.
    public let pooledHeight, pooledWidth: Int

    public init(conv: ConvGeometry) {
        precondition(conv.window.strideH == 1 && conv.window.strideW == 1, "[conv2d_maxpool] the fused kernel needs stride 1, got \(conv.window)")
        self.conv = conv
        pooledHeight = conv.outHeight / 2
        pooledWidth = conv.outWidth / 2
    }

    var pooledPlane: Int { pooledHeight * pooledWidth }
    /// Elements of one pooled output image (O ph pw).
    public var outputImage: Int { conv.outChannels * pooledPlane }

    /// Floats in each even or odd half-row of the scratch: the padded row, and room for the loads
    /// of a last, partial block of sixteen pooled columns.
    var rowLength: Int {
        let w = conv.window, padded = conv.width + 2 * w.padW
        let blocks = (pooledWidth + 15) / 16 * 16
        return max((padded + 1) / 2, blocks + (w.extentW - 1) / 2 + 1)
    }

    /// The padded input rows the pooled rows read: the windows of convolution rows 0 ..< 2 ph.
    var paddedRows: Int { 2 * pooledHeight + conv.window.extentH - 1 }
    /// Floats between one scratch row and the next (its even and odd halves).
    var rowStride: Int { 2 * rowLength }
    var scratchPlane: Int { paddedRows * rowStride }
    var scratchImage: Int { conv.inChannels * scratchPlane }

    /// For each kernel column kj, the offsets from a scratch row's E[j] of the inputs that the
    /// convolution outputs at columns 2j (`even`) and 2j + 1 (`odd`) read.
    @inline(__always)
    func columnOffsets(_ kj: Int) -> (even: Int, odd: Int) {
        let t = kj * conv.window.dilationW, h = t >> 1
        return t & 1 == 0 ? (h, rowLength + h) : (rowLength + h, h + 1)
    }

    public var description: String { "\(conv), max_pool2d(2)" }
}

/// What a fused convolution-pooling keeps for its backward pass (besides its input and result):
/// the window position (0 to 3, row-major) of each pooled maximum.
public struct ConvPoolRecord: Sendable {
    let indices: MaxPoolIndices
}

/// conv2d (stride 1) -> max_pool2d(2) -> a monotone activation in one pass, for convolutions with
/// few taps (C kh kw) such as an image model's first layer.
///
/// Separately, the convolution writes an output four times the pooled size that only the pooling
/// reads, the pooling's backward scatters a gradient of that size (three quarters zeros), and the
/// weight gradient then reduces over every one of its positions. Fused, the forward keeps the
/// convolution outputs of 16 pooled columns x 4 output channels in registers, takes the window
/// maximum there and writes only the pooled result and a byte per output for where its maximum
/// came from; the backward reads each pooled gradient once and multiplies it with the input patch
/// at that position, C kh kw multiply-adds per pooled output instead of four times as many.
///
/// The maximum is PyTorch's: the first in row-major window order, NaN winning (as `Pooling`). The
/// activation is applied after the maximum, which equals applying it before (`MonotoneActivation`).
/// Images are split across the cores; parameter gradients are summed per thread and then in thread
/// order, so they depend on the thread count only.
public enum ConvPool {
    /// The most taps (C kh kw) the fused kernels take (see `isFusable`).
    static let maxTaps = 72

    /// Whether `conv2d (window conv) -> max pool (window pool) -> activation` of an input with
    /// `inChannels` planes of height x width runs on the fused kernels, and is faster there.
    ///
    /// The kernels need convolution stride 1, a 2x2 pooling with stride 2 and no padding, and a
    /// monotone activation. Where they pay was measured against the separate ops (kernels alone,
    /// release build, batch 32, 2 threads, 3x3 kernels, ELU; forward + backward in ms, median of
    /// 3; "+ dx": with the input's gradient too):
    ///
    ///     input    taps  out   fused  separate   fused + dx  separate + dx
    ///     64x64      9   16    0.87     2.05       1.81        2.76       the seed's first block
    ///     64x64     27   16    2.00     4.18       4.73        7.10
    ///     64x64     72   16    4.54     8.02      10.07       13.75
    ///     32x32     27   32    1.34     1.53       2.83        2.19
    ///     32x32     72   32    2.29     3.49       5.30        5.31
    ///     32x32    144   32    4.28     5.54       9.99        8.86
    ///     16x16      9   16    0.29     0.33       0.48        0.43
    ///     16x16     27   16    0.69     0.45       1.13        0.65
    ///     12x12      9   16    0.21     0.42       0.37        0.50
    ///
    /// So: at most `maxTaps` taps (the separate GEMMs close the gap as taps grow: at 144 the
    /// fused path still won without the input gradient but lost with it); pooled rows of 16 or
    /// more, since the kernels work on 16 pooled columns at a time and shorter rows leave lanes
    /// idle, unless the taps are as few as a 3x3 kernel on one plane; and when the input needs a
    /// gradient, whose scatter costs more than the separate im2col GEMM, pooled rows of 32 or more.
    public static func isFusable(
        conv: Window2D, inChannels: Int, height: Int, width: Int, pool: Window2D, activation: MonotoneActivation,
        inputNeedsGradient: Bool
    ) -> Bool {
        let taps = inChannels * conv.kernelH * conv.kernelW, pooledWidth = conv.outputWidth(width) / 2
        let halving = pool.kernelH == 2 && pool.kernelW == 2 && pool.strideH == 2 && pool.strideW == 2
            && pool.padH == 0 && pool.padW == 0 && pool.dilationH == 1 && pool.dilationW == 1
        return conv.strideH == 1 && conv.strideW == 1 && halving && activation.isMonotone
            && conv.outputHeight(height) >= 2 && pooledWidth >= 1
            && taps <= maxTaps && (pooledWidth >= 16 || taps <= 9) && (!inputNeedsGradient || pooledWidth >= 32)
    }

    /// y [N, O, ph, pw] = activation(max_pool2d(conv(x, weight) + bias, 2)).
    public static func forward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        y: UnsafeMutablePointer<Float>, geometry g: ConvPoolGeometry, activation: MonotoneActivation
    ) -> ConvPoolRecord {
        let count = g.conv.batch * g.outputImage
        let record = ConvPoolRecord(indices: MaxPoolIndices(count: count, compact: true))
        let positions = UncheckedSendable(record.indices.positions!)
        Convolution.forEachImageChunk(g.conv.batch, scratch: g.scratchImage + 4 * g.pooledPlane) { images, scratch in
            for n in images {
                split(x + n * g.conv.inputImage, into: scratch, g)
                for o0 in stride(from: 0, to: g.conv.outChannels, by: 4) {
                    let live = min(4, g.conv.outChannels - o0), offset = n * g.outputImage + o0 * g.pooledPlane
                    // The maxima of four channels go to scratch, and from there through the
                    // activation while they are in cache. (Not in place: the compiler vectorises
                    // the activation's loop only for distinct arrays.)
                    let maxima = activation == .none ? y + offset : scratch + g.scratchImage
                    convolveAndPool(scratch, weight, bias, channels: o0..<(o0 + live), maxima, positions.value + offset, g)
                    if activation != .none { activation.apply(maxima, y + offset, count: live * g.pooledPlane) }
                }
            }
        }
        return record
    }

    /// For 1 to 4 output channels: the pooled maxima into their planes `out` and their window
    /// positions into `at`, from one image in the scratch layout.
    static func convolveAndPool(
        _ image: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?, channels: Range<Int>,
        _ out: UnsafeMutablePointer<Float>, _ at: UnsafeMutablePointer<UInt8>, _ g: ConvPoolGeometry
    ) {
        let pw = g.pooledWidth, plane = g.pooledPlane, live = channels.count, taps = g.conv.taps
        // A block of fewer than four channels repeats its last one in the unused accumulators.
        let first = channels.lowerBound, last = channels.upperBound - 1
        let o = SIMD4(first, min(first + 1, last), min(first + 2, last), last)
        let w0 = weight + o[0] * taps, w1 = weight + o[1] * taps, w2 = weight + o[2] * taps, w3 = weight + o[3] * taps
        let b = bias.map { SIMD4($0[o[0]], $0[o[1]], $0[o[2]], $0[o[3]]) } ?? SIMD4()
        withTapOffsets(g) { offsets in
            for i in 0..<g.pooledHeight {
                var j = 0
                while j < pw {
                    // The four convolution outputs of each pooled output, for four channels.
                    var s0 = Window(b[0]), s1 = Window(b[1]), s2 = Window(b[2]), s3 = Window(b[3])
                    let top = image + (2 &* i &* g.rowStride &+ j), bottom = top + g.rowStride
                    for t in 0..<taps {
                        let even = offsets[2 &* t], odd = offsets[2 &* t &+ 1]
                        let te = load(top + even), to = load(top + odd), be = load(bottom + even), bo = load(bottom + odd)
                        s0.add(w0[t], te, to, be, bo)
                        s1.add(w1[t], te, to, be, bo)
                        s2.add(w2[t], te, to, be, bo)
                        s3.add(w3[t], te, to, be, bo)
                    }
                    let lanes = min(16, pw - j), offset = i * pw + j
                    s0.storeMaximum(out + offset, at + offset, lanes)
                    if live > 1 { s1.storeMaximum(out + plane + offset, at + plane + offset, lanes) }
                    if live > 2 { s2.storeMaximum(out + 2 * plane + offset, at + 2 * plane + offset, lanes) }
                    if live > 3 { s3.storeMaximum(out + 3 * plane + offset, at + 3 * plane + offset, lanes) }
                    j += 16
                }
            }
        }
    }

    /// Calls `body` with, for each tap t (c, ki, kj in weight order), at 2t and 2t + 1 the offsets
    /// of the inputs it reads for the convolution outputs at columns 2j and 2j + 1 of a row, from
    /// E[j] of that row's first input row in channel 0. A table, so the kernels' innermost loop is
    /// one loop over the taps with no index arithmetic (which was a third of its instructions).
    @inline(__always)
    static func withTapOffsets<R>(_ g: ConvPoolGeometry, _ body: (UnsafePointer<Int>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * g.conv.taps) { table in
            let w = g.conv.window
            var t = 0
            for c in 0..<g.conv.inChannels {
                for ki in 0..<w.kernelH {
                    let row = c * g.scratchPlane + ki * w.dilationH * g.rowStride
                    for kj in 0..<w.kernelW {
                        let (even, odd) = g.columnOffsets(kj)
                        table[2 * t] = row + even
                        table[2 * t + 1] = row + odd
                        t += 1
                    }
                }
            }
            return body(UnsafePointer(table.baseAddress!))
        }
    }

    /// Copies one image [C, H, W] into the scratch layout of `ConvPoolGeometry`: zero-padded rows
    /// split into even and odd columns, zeros past the padded row.
    static func split(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, _ g: ConvPoolGeometry) {
        let width = g.conv.width, padW = g.conv.window.padW, half = g.rowLength
        // Columns m whose inputs 2m - padW and 2m + 1 - padW both lie in the row: the vector part.
        let first = (padW + 1) / 2, end = max(first, (width + padW) / 2)
        for c in 0..<g.conv.inChannels {
            for r in 0..<g.paddedRows {
                let even = dst + c * g.scratchPlane + r * g.rowStride, odd = even + half
                let h = r - g.conv.window.padH
                guard h >= 0 && h < g.conv.height else {
                    even.update(repeating: 0, count: 2 * half)
                    continue
                }
                let row = src + (c * g.conv.height + h) * width
                @inline(__always) func input(_ q: Int) -> Float { q >= 0 && q < width ? row[q] : 0 }
                var m = 0
                while m < first { even[m] = input(2 * m - padW); odd[m] = input(2 * m + 1 - padW); m += 1 }
                while m + 8 <= end {
                    let v = UnsafeRawPointer(row + 2 * m - padW).loadUnaligned(as: SIMD16<Float>.self)
                    SIMDMath.store(v.evenHalf, even + m)
                    SIMDMath.store(v.oddHalf, odd + m)
                    m += 8
                }
                while m < half { even[m] = input(2 * m - padW); odd[m] = input(2 * m + 1 - padW); m += 1 }
            }
        }
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    /// The four convolution outputs under the 2x2 windows of sixteen pooled outputs of one channel:
    /// top-left, top-right, bottom-left, bottom-right (window positions 0 to 3).
    struct Window {
        var a, b, c, d: SIMD16<Float>

        @inline(__always)
        init(_ bias: Float) {
            a = SIMD16(repeating: bias); b = a; c = a; d = a
        }

        @inline(__always)
        mutating func add(_ weight: Float, _ te: SIMD16<Float>, _ to: SIMD16<Float>, _ be: SIMD16<Float>, _ bo: SIMD16<Float>) {
            let w = SIMD16<Float>(repeating: weight)
            a = a.addingProduct(w, te)
            b = b.addingProduct(w, to)
            c = c.addingProduct(w, be)
            d = d.addingProduct(w, bo)
        }

        /// Stores each window's maximum and its position, as `Pooling.maxHalvingForward`'s
        /// tournament: strict comparisons keep the first maximum in row-major order, and NaN wins.
        /// The positions ride along as floats whose low byte is the position: Swift's selects on
        /// integer vectors compile to four 128-bit pieces each, on float vectors to one instruction.
        @inline(__always)
        func storeMaximum(_ out: UnsafeMutablePointer<Float>, _ at: UnsafeMutablePointer<UInt8>, _ lanes: Int) {
            @inline(__always) func tagged(_ p: UInt32) -> SIMD16<Float> { SIMD16(repeating: Float(bitPattern: 0x4B00_0000 | p)) }
            let takeB = (b .> a) .| (b .!= b), takeD = (d .> c) .| (d .!= d)
            let ab = a.replacing(with: b, where: takeB), cd = c.replacing(with: d, where: takeD)
            let takeCD = (cd .> ab) .| (cd .!= cd)
            let best = ab.replacing(with: cd, where: takeCD)
            let pab = tagged(0).replacing(with: tagged(1), where: takeB), pcd = tagged(2).replacing(with: tagged(3), where: takeD)
            let position = SIMD16<UInt8>(truncatingIfNeeded: unsafeBitCast(pab.replacing(with: pcd, where: takeCD), to: SIMD16<UInt32>.self))
            if lanes == 16 {
                SIMDMath.store(best, out)
                UnsafeMutableRawPointer(at).storeBytes(of: position, as: SIMD16<UInt8>.self)
            } else {
                for l in 0..<lanes { out[l] = best[l]; at[l] = position[l] }
            }
        }
    }
}
