// The padded-rows algorithm, for stride-1 convolutions where Winograd does not apply (LeNet's 5x5,
// pointwise and depthwise ones; `Convolution.gradientAlgorithm` has the measurements). With
// the source zero-padded into planes `paddedWidth` floats a row, output (i, j) read as the "wide"
// position q = i · paddedWidth + j takes tap (c, ki, kj) from plane c at q + ki·dh·paddedWidth +
// kj·dw: for every tap, 16 consecutive wide positions are one contiguous vector load, times one
// broadcast weight. The columns j >= ow of the wide rows are computed and dropped, which costs
// (paddedWidth - ow) / paddedWidth of the work; in exchange there is no unfolded matrix and no GEMM
// call per image, whose products (16 x 100 x 150 for LeNet's second convolution) are too small for
// OpenBLAS to run near its peak. The input gradient is the same correlation of the padded output
// gradient with the flipped, transposed weights; the weight gradient is a dot product per weight
// over the wide positions. Grouped convolutions (depthwise ones included) run on the same kernels:
// each output reads only its group's planes of the padded source, and outputs of different groups
// go one at a time when a group has too few of them for blocks of four.

/// Where a stride-1 correlation reads its source: `channels` planes of `height` x `width`, placed
/// with their (0, 0) at (top, left) in zero-padded planes of paddedHeight x paddedWidth (rows or
/// columns that fall outside are dropped), correlated with a kernel to outHeight x outWidth; each
/// output reads `groupSources` consecutive planes (all of them unless the convolution is grouped).
struct RowsPlan {
    let channels, groupSources, height, width: Int
    let top, left: Int
    let paddedHeight, paddedWidth: Int
    let outHeight, outWidth: Int
    let window: Window2D

    init(channels: Int, groupSources: Int, height: Int, width: Int, top: Int, left: Int, paddedHeight: Int, paddedWidth: Int,
         window w: Window2D) {
        self.channels = channels
        self.groupSources = groupSources
        self.height = height
        self.width = width
        self.top = top
        self.left = left
        self.paddedHeight = paddedHeight
        self.paddedWidth = paddedWidth
        outHeight = paddedHeight - (w.kernelH - 1) * w.dilationH
        outWidth = paddedWidth - (w.kernelW - 1) * w.dilationW
        window = w
    }

    /// The forward convolution's: the input, padded as the window says.
    static func forward(_ g: ConvGeometry, groups: Int) -> RowsPlan {
        let w = g.window
        return RowsPlan(channels: g.inChannels, groupSources: g.inChannels / groups, height: g.height, width: g.width,
                        top: w.padH, left: w.padW, paddedHeight: g.height + 2 * w.padH, paddedWidth: g.width + 2 * w.padW, window: w)
    }

    /// The input gradient's: the output gradient, placed so that the full correlation with the
    /// flipped kernel lands on the input's H x W.
    static func inputGradient(_ g: ConvGeometry, groups: Int) -> RowsPlan {
        let w = g.window, spanH = (w.kernelH - 1) * w.dilationH, spanW = (w.kernelW - 1) * w.dilationW
        return RowsPlan(channels: g.outChannels, groupSources: g.outChannels / groups, height: g.outHeight, width: g.outWidth,
                        top: spanH - w.padH, left: spanW - w.padW, paddedHeight: g.height + spanH, paddedWidth: g.width + spanW, window: w)
    }

    /// Taps per output: its group's planes times the kernel.
    var taps: Int { groupSources * window.kernelH * window.kernelW }
    /// Floats from the first plane of one group to the next.
    var groupStride: Int { groupSources * plane }

    /// Calls `body` with, for each tap (c, ki, kj), its offset from the wide position in the
    /// padded planes (on the stack: no allocation per call).
    func withOffsets<R>(_ body: (UnsafePointer<Int>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: taps) { table in
            let w = window
            var t = 0
            for c in 0..<groupSources {
                for ki in 0..<w.kernelH {
                    for kj in 0..<w.kernelW {
                        table[t] = c * plane + ki * w.dilationH * paddedWidth + kj * w.dilationW
                        t += 1
                    }
                }
            }
            return body(UnsafePointer(table.baseAddress!))
        }
    }
    var plane: Int { paddedHeight * paddedWidth }
    /// Wide positions up to the last output, rounded up to whole pairs of 16-float vectors.
    var length: Int { ((outHeight - 1) * paddedWidth + outWidth + 31) / 32 * 32 }
    /// Floats of the padded source: the last pair of vectors of the last tap reads at most 31
    /// floats past the planes, into zeros.
    var paddedSize: Int { channels * plane + 32 }

    /// Writes one source image [channels, height, width] into `dst` (paddedSize floats), padded.
    func pad(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>) {
        dst.update(repeating: 0, count: paddedSize)
        let rows = max(0, -top)..<min(height, paddedHeight - top), columns = max(0, -left)..<min(width, paddedWidth - left)
        guard !rows.isEmpty, !columns.isEmpty else { return }
        for c in 0..<channels {
            for r in rows {
                (dst + c * plane + (r + top) * paddedWidth + left + columns.lowerBound)
                    .update(from: src + (c * height + r) * width + columns.lowerBound, count: columns.count)
            }
        }
    }

    /// Copies the valid columns of `outputs` wide rows (`length` floats each) into [outputs,
    /// outHeight, outWidth] planes, or adds them.
    func compact(_ wide: UnsafePointer<Float>, outputs: Int, into out: UnsafeMutablePointer<Float>, accumulate: Bool) {
        for o in 0..<outputs {
            for i in 0..<outHeight {
                let src = wide + o * length + i * paddedWidth, dst = out + (o * outHeight + i) * outWidth
                if accumulate {
                    for j in 0..<outWidth { dst[j] += src[j] }
                } else {
                    dst.update(from: src, count: outWidth)
                }
            }
        }
    }
}

extension Convolution {
    /// Whether the padded-rows kernels take `g`: stride 1.
    public static func rowsApply(_ g: ConvGeometry) -> Bool {
        g.window.strideH == 1 && g.window.strideW == 1
    }

    /// y = the grouped convolution of x with `weight` [O, C / groups, kh, kw] (+ bias), as
    /// PyTorch's conv2d with `groups`: output block k reads input block k alone. Needs `rowsApply(g)`.
    public static func groupedForward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        y: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, groups: Int
    ) {
        precondition(rowsApply(g) && g.inChannels % groups == 0 && g.outChannels % groups == 0,
                     "[conv2d] no grouped kernel for \(g) in \(groups) groups")
        rowsForward(x: x, weight: weight, bias: bias, y: y, geometry: g, groups: groups)
    }

    /// The gradients of `groupedForward`: dx (=|+=, when given), and dWeight and dBias overwritten
    /// (each when given) with the sums over the batch.
    public static func groupedGradients(
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?,
        accumulate: Bool, dWeight: UnsafeMutablePointer<Float>?, dBias: UnsafeMutablePointer<Float>?, geometry g: ConvGeometry,
        groups: Int
    ) {
        precondition(rowsApply(g) && g.inChannels % groups == 0 && g.outChannels % groups == 0,
                     "[conv2d] no grouped kernel for \(g) in \(groups) groups")
        if let dx { rowsInputGradient(dy: dy, weight: weight, dx: dx, geometry: g, accumulate: accumulate, groups: groups) }
        guard let dWeight else {
            if let dBias { biasGradient(dy: dy, dBias: dBias, geometry: g) }
            return
        }
        let o = g.outChannels, taps = g.taps / groups, columns = taps + (dBias == nil ? 0 : 1)
        let partials = sumOverImages(g.batch, count: o * columns) { images, partial in
            rowsParameterGradients(dy: dy, x: x, images: images, partial: partial, columns: columns, geometry: g, groups: groups)
        }
        for r in 0..<o {
            dWeight.advanced(by: r * taps).update(from: partials.base + r * columns, count: taps)
            if let dBias { dBias[r] = partials.base[r * columns + taps] }
        }
    }

    /// The forward pass by padded rows, with `weight` [O, C / groups, kh, kw]: overwrites y.
    static func rowsForward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        y: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, groups: Int = 1
    ) {
        let plan = RowsPlan.forward(g, groups: groups), taps = plan.taps
        let split = RowsSplit(outputs: g.outChannels, groups: groups)
        let packed = packRowWeights(split, taps: taps) { o, t in weight[o * taps + t] }
        correlateImages(plan, split, source: x, sourceImage: g.inputImage, packed: packed, bias: bias,
                        batch: g.batch, into: y, outputImage: g.outputImage, accumulate: false)
    }

    /// dx (=|+=) the input gradient by padded rows, with `weight` [O, C / groups, kh, kw].
    static func rowsInputGradient(
        dy: UnsafePointer<Float>, weight: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
        geometry g: ConvGeometry, accumulate: Bool, groups: Int = 1
    ) {
        let plan = RowsPlan.inputGradient(g, groups: groups), kh = g.window.kernelH, kw = g.window.kernelW
        let inPerGroup = g.inChannels / groups, outPerGroup = g.outChannels / groups, weightRow = inPerGroup * kh * kw
        let split = RowsSplit(outputs: g.inChannels, groups: groups)
        // Input channel c (of group c / inPerGroup) reads the output gradient's tap (o, ki, kj) of its
        // group with weight[o, c, kh-1-ki, kw-1-kj].
        let packed = packRowWeights(split, taps: plan.taps) { c, t in
            let o = c / inPerGroup * outPerGroup + t / (kh * kw), ki = t / kw % kh, kj = t % kw
            return weight[o * weightRow + (c % inPerGroup * kh + kh - 1 - ki) * kw + kw - 1 - kj]
        }
        correlateImages(plan, split, source: dy, sourceImage: g.outputImage, packed: packed, bias: nil,
                        batch: g.batch, into: dx, outputImage: g.inputImage, accumulate: accumulate)
    }

    /// Adds, for the images in `images`, the weight gradient [O, C / groups · kh · kw] into
    /// `partial` [O, columns] (and the bias gradient into its column after the taps when there is one).
    static func rowsParameterGradients(
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>, images: Range<Int>,
        partial: UnsafeMutablePointer<Float>, columns: Int, geometry g: ConvGeometry, groups: Int = 1
    ) {
        let plan = RowsPlan.forward(g, groups: groups), length = plan.length, o = g.outChannels, taps = plan.taps
        let split = RowsSplit(outputs: o, groups: groups)
        // Images go in blocks whose padded inputs and wide gradients fill about 64 KB, so that
        // each weight's dot product runs over a whole block; its products are summed in 16 lanes
        // over all the images, and the lanes added once at the end.
        let perImage = plan.paddedSize + o * length
        let block = max(1, min(images.count, 16_384 / perImage)), rowStride = block * length
        let scratch = FloatBuffer(uninitializedCount: block * perImage + o * taps * 16)
        let input = scratch.base, wide = scratch.base + block * plan.paddedSize, sums = wide + o * rowStride
        // The wide output gradient is zero at the dropped columns, so the inputs they meet (real
        // values of the next row or plane, or padding) add nothing.
        wide.update(repeating: 0, count: o * rowStride + o * taps * 16)
        plan.withOffsets { offsets in
            for start in stride(from: images.lowerBound, to: images.upperBound, by: block) {
                let count = min(block, images.upperBound - start)
                for m in 0..<count {
                    let n = start + m
                    plan.pad(x + n * g.inputImage, into: input + m * plan.paddedSize)
                    for c in 0..<o {
                        let row = wide + c * rowStride + m * length
                        for i in 0..<g.outHeight {
                            (row + i * plan.paddedWidth).update(from: dy + ((n * o + c) * g.outHeight + i) * g.outWidth, count: g.outWidth)
                        }
                        if columns > taps { partial[c * columns + taps] += SIMDMath.sum(row, count: length) }
                    }
                }
                let images = RowsImages(count: count, inputStride: plan.paddedSize, length: length, rowStride: rowStride)
                if split.blocked {
                    for group in 0..<groups {
                        let first = group * split.perGroup
                        dotRows(input + group * plan.groupStride, offsets, taps: taps, wide + first * rowStride, outputs: split.perGroup,
                                images, sums + first * taps * 16)
                    }
                } else {
                    for c in 0..<o {
                        dotRow(input + c / split.perGroup * plan.groupStride, offsets, taps: taps, wide + c * rowStride, images,
                               sums + c * taps * 16)
                    }
                }
            }
        }
        for c in 0..<o {
            for t in 0..<taps { partial[c * columns + t] += SIMDMath.load16(sums + (c * taps + t) * 16).sum() }
        }
        withExtendedLifetime(scratch) {}
    }

    /// Weights for `correlateRows` ([block of 4 outputs][tap][4], the last output of a short block
    /// repeated) when `split` is blocked, else for `correlateRow` ([output][tap]).
    static func packRowWeights(_ split: RowsSplit, taps: Int, _ value: (Int, Int) -> Float) -> FloatBuffer {
        let outputs = split.outputs
        guard split.blocked else {
            let packed = FloatBuffer(uninitializedCount: outputs * taps)
            for o in 0..<outputs {
                for t in 0..<taps { packed.base[o * taps + t] = value(o, t) }
            }
            return packed
        }
        let blocks = (outputs + 3) / 4
        let packed = FloatBuffer(uninitializedCount: blocks * taps * 4)
        for block in 0..<blocks {
            for t in 0..<taps {
                for q in 0..<4 { packed.base[(block * taps + t) * 4 + q] = value(min(block * 4 + q, outputs - 1), t) }
            }
        }
        return packed
    }

    /// Pads each image of the batch and correlates it, images split across the cores.
    static func correlateImages(
        _ plan: RowsPlan, _ split: RowsSplit, source: UnsafePointer<Float>, sourceImage: Int, packed: FloatBuffer,
        bias: UnsafePointer<Float>?, batch: Int, into out: UnsafeMutablePointer<Float>, outputImage: Int, accumulate: Bool
    ) {
        let weights = UncheckedSendable(UnsafePointer(packed.base)), outputs = split.outputs, length = plan.length, taps = plan.taps
        plan.withOffsets { offsets in
            forEachImageChunk(batch, scratch: plan.paddedSize + outputs * length) { images, scratch in
                let wide = scratch + plan.paddedSize
                for n in images {
                    plan.pad(source + n * sourceImage, into: scratch)
                    if split.blocked {
                        for group in 0..<split.groups {
                            let first = group * split.perGroup
                            correlateRows(scratch + group * plan.groupStride, offsets, taps: taps, weights.value + first * taps,
                                          bias.map { $0 + first }, outputs: split.perGroup, wide + first * length, length: length)
                        }
                    } else {
                        for o in 0..<outputs {
                            correlateRow(scratch + o / split.perGroup * plan.groupStride, offsets, taps: taps, weights.value + o * taps,
                                         bias?[o] ?? 0, wide + o * length, length: length)
                        }
                    }
                    plan.compact(wide, outputs: outputs, into: out + n * outputImage, accumulate: accumulate)
                }
            }
        }
        withExtendedLifetime(packed) {}
    }

    /// wide[o, q] = bias[o] + Σ_t packed weight (o, t) · input[q + offsets[t]] for q < length (a
    /// multiple of 32): 4 outputs x 32 positions a block, so each tap is 2 vector loads and 4
    /// broadcasts for 8 multiply-adds.
    static func correlateRows(
        _ input: UnsafePointer<Float>, _ offsets: UnsafePointer<Int>, taps: Int, _ packed: UnsafePointer<Float>,
        _ bias: UnsafePointer<Float>?, outputs: Int, _ wide: UnsafeMutablePointer<Float>, length: Int
    ) {
        for o0 in stride(from: 0, to: outputs, by: 4) {
            let live = min(4, outputs - o0), w = packed + o0 * taps
            var b = SIMD4<Float>()
            if let bias { for q in 0..<4 { b[q] = bias[o0 + min(q, live - 1)] } }
            for v in stride(from: 0, to: length, by: 32) {
                let row = wide + o0 * length + v
                // Sums of at most `tapChunk` products, added up in `wide`: one chain over the 400
                // taps of LeNet's input gradient missed the kernel tests' error bound.
                for first in stride(from: 0, to: taps, by: tapChunk) {
                    var a0 = SIMD16<Float>(), a1 = a0, a2 = a0, a3 = a0, c0 = a0, c1 = a0, c2 = a0, c3 = a0
                    if first == 0 {
                        a0 = SIMD16(repeating: b[0]); a1 = SIMD16(repeating: b[1])
                        a2 = SIMD16(repeating: b[2]); a3 = SIMD16(repeating: b[3])
                        c0 = a0; c1 = a1; c2 = a2; c3 = a3
                    }
                    let base = input + v
                    for t in first..<min(taps, first + tapChunk) {
                        let p = base + offsets[t], wt = w + 4 * t
                        let x0 = SIMDMath.load16(p), x1 = SIMDMath.load16(p + 16)
                        let w0 = SIMD16<Float>(repeating: wt[0]), w1 = SIMD16<Float>(repeating: wt[1])
                        let w2 = SIMD16<Float>(repeating: wt[2]), w3 = SIMD16<Float>(repeating: wt[3])
                        a0 = a0.addingProduct(w0, x0); c0 = c0.addingProduct(w0, x1)
                        a1 = a1.addingProduct(w1, x0); c1 = c1.addingProduct(w1, x1)
                        a2 = a2.addingProduct(w2, x0); c2 = c2.addingProduct(w2, x1)
                        a3 = a3.addingProduct(w3, x0); c3 = c3.addingProduct(w3, x1)
                    }
                    let more = first > 0
                    put(a0, row, more); put(c0, row + 16, more)
                    if live > 1 { put(a1, row + length, more); put(c1, row + length + 16, more) }
                    if live > 2 { put(a2, row + 2 * length, more); put(c2, row + 2 * length + 16, more) }
                    if live > 3 { put(a3, row + 3 * length, more); put(c3, row + 3 * length + 16, more) }
                }
            }
        }
    }

    /// The most products summed in registers before the sum goes to memory.
    static let tapChunk = 64

    /// Stores v at p, or adds it to what is there.
    @inline(__always)
    static func put(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>, _ add: Bool) {
        SIMDMath.store(add ? SIMDMath.load16(p) + v : v, p)
    }

    /// sums[o, t] += Σ_m Σ_q wide[o, m, q] · input[m, q + offsets[t]] in 16 lanes (q ≡ lane mod
    /// 16) over the block's images m and q < length: 4 outputs x 2 taps a block, 6 vector loads
    /// for 8 multiply-adds.
    static func dotRows(
        _ input: UnsafePointer<Float>, _ offsets: UnsafePointer<Int>, taps: Int, _ wide: UnsafePointer<Float>, outputs: Int,
        _ images: RowsImages, _ sums: UnsafeMutablePointer<Float>
    ) {
        let length = images.length, rowStride = images.rowStride
        for o0 in stride(from: 0, to: outputs, by: 4) {
            let live = min(4, outputs - o0)
            let d0 = wide + o0 * rowStride, d1 = wide + (o0 + min(1, live - 1)) * rowStride
            let d2 = wide + (o0 + min(2, live - 1)) * rowStride, d3 = wide + (o0 + min(3, live - 1)) * rowStride
            for t in stride(from: 0, to: taps, by: 2) {
                let t1 = min(t + 1, taps - 1)
                var s00 = SIMD16<Float>(), s10 = s00, s20 = s00, s30 = s00, s01 = s00, s11 = s00, s21 = s00, s31 = s00
                for m in 0..<images.count {
                    let x = input + m * images.inputStride, d = m * length, p0 = x + offsets[t], p1 = x + offsets[t1]
                    for v in stride(from: 0, to: length, by: 16) {
                        let x0 = SIMDMath.load16(p0 + v), x1 = SIMDMath.load16(p1 + v)
                        let g0 = SIMDMath.load16(d0 + d + v), g1 = SIMDMath.load16(d1 + d + v)
                        let g2 = SIMDMath.load16(d2 + d + v), g3 = SIMDMath.load16(d3 + d + v)
                        s00 = s00.addingProduct(g0, x0); s01 = s01.addingProduct(g0, x1)
                        s10 = s10.addingProduct(g1, x0); s11 = s11.addingProduct(g1, x1)
                        s20 = s20.addingProduct(g2, x0); s21 = s21.addingProduct(g2, x1)
                        s30 = s30.addingProduct(g3, x0); s31 = s31.addingProduct(g3, x1)
                    }
                }
                @inline(__always) func add(_ q: Int, _ first: SIMD16<Float>, _ second: SIMD16<Float>) {
                    guard q < live else { return }
                    let row = sums + (o0 + q) * taps * 16
                    SIMDMath.store(SIMDMath.load16(row + t * 16) + first, row + t * 16)
                    if t1 != t { SIMDMath.store(SIMDMath.load16(row + t1 * 16) + second, row + t1 * 16) }
                }
                add(0, s00, s01); add(1, s10, s11); add(2, s20, s21); add(3, s30, s31)
            }
        }
    }

    /// wide[q] = bias + Σ_t weight[t] · input[q + offsets[t]] for one output: 32 positions a step,
    /// even and odd taps in separate sums so that four multiply-adds are in flight.
    static func correlateRow(
        _ input: UnsafePointer<Float>, _ offsets: UnsafePointer<Int>, taps: Int, _ weight: UnsafePointer<Float>,
        _ bias: Float, _ wide: UnsafeMutablePointer<Float>, length: Int
    ) {
        for v in stride(from: 0, to: length, by: 32) {
            let base = input + v
            for first in stride(from: 0, to: taps, by: tapChunk) {
                var a0 = SIMD16<Float>(repeating: first == 0 ? bias : 0), a1 = a0, b0 = SIMD16<Float>(), b1 = b0
                let end = min(taps, first + tapChunk)
                var t = first
                while t + 1 < end {
                    let p = base + offsets[t], q = base + offsets[t + 1]
                    let w0 = SIMD16<Float>(repeating: weight[t]), w1 = SIMD16<Float>(repeating: weight[t + 1])
                    a0 = a0.addingProduct(w0, SIMDMath.load16(p)); a1 = a1.addingProduct(w0, SIMDMath.load16(p + 16))
                    b0 = b0.addingProduct(w1, SIMDMath.load16(q)); b1 = b1.addingProduct(w1, SIMDMath.load16(q + 16))
                    t += 2
                }
                if t < end {
                    let p = base + offsets[t], w0 = SIMD16<Float>(repeating: weight[t])
                    a0 = a0.addingProduct(w0, SIMDMath.load16(p)); a1 = a1.addingProduct(w0, SIMDMath.load16(p + 16))
                }
                put(a0 + b0, wide + v, first > 0); put(a1 + b1, wide + v + 16, first > 0)
            }
        }
    }

    /// sums[t] += Σ_m Σ_q wide[m, q] · input[m, q + offsets[t]] in 16 lanes over the block's
    /// images and q < length, for one output: 4 taps at a time, 5 vector loads for 4 multiply-adds.
    static func dotRow(
        _ input: UnsafePointer<Float>, _ offsets: UnsafePointer<Int>, taps: Int, _ wide: UnsafePointer<Float>, _ images: RowsImages,
        _ sums: UnsafeMutablePointer<Float>
    ) {
        for t in stride(from: 0, to: taps, by: 4) {
            let t1 = min(t + 1, taps - 1), t2 = min(t + 2, taps - 1), t3 = min(t + 3, taps - 1)
            var s0 = SIMD16<Float>(), s1 = s0, s2 = s0, s3 = s0
            for m in 0..<images.count {
                let x = input + m * images.inputStride, d = wide + m * images.length
                let p0 = x + offsets[t], p1 = x + offsets[t1], p2 = x + offsets[t2], p3 = x + offsets[t3]
                for v in stride(from: 0, to: images.length, by: 16) {
                    let g = SIMDMath.load16(d + v)
                    s0 = s0.addingProduct(g, SIMDMath.load16(p0 + v)); s1 = s1.addingProduct(g, SIMDMath.load16(p1 + v))
                    s2 = s2.addingProduct(g, SIMDMath.load16(p2 + v)); s3 = s3.addingProduct(g, SIMDMath.load16(p3 + v))
                }
            }
            @inline(__always) func add(_ tap: Int, _ s: SIMD16<Float>) {
                SIMDMath.store(SIMDMath.load16(sums + tap * 16) + s, sums + tap * 16)
            }
            add(t, s0)
            if t1 != t { add(t1, s1) }
            if t2 != t1 { add(t2, s2) }
            if t3 != t2 { add(t3, s3) }
        }
    }
}

/// How the outputs of a padded-rows correlation are walked: per group in blocks of 4 when every
/// group has a multiple of 4 outputs (or there is one group), else one output at a time.
struct RowsSplit {
    let outputs, groups: Int

    var perGroup: Int { outputs / groups }
    var blocked: Bool { groups == 1 || perGroup % 4 == 0 }
}

/// A block of images for the weight gradient: `count` padded inputs `inputStride` floats apart,
/// and for each output a row of `count` wide gradients of `length` floats, rows `rowStride` apart.
struct RowsImages {
    let count, inputStride, length, rowStride: Int
}
