// The fused convolution-pooling's backward pass. The pooled gradient times the activation's
// derivative goes, in the separate ops, to one of the four convolution outputs of its window
// (recorded by the forward) and from there into the weight gradient; here it meets the input patch
// at that position directly, chosen lane by lane from the same four vector loads as the forward's.

extension ConvPool {
    /// Overwrites dWeight [O, C, kh, kw] and dBias [O] (either may be nil when not wanted) with the
    /// gradients summed over the batch, given the input x, the result y and its gradient dy.
    public static func parameterGradients(
        dy: UnsafePointer<Float>, y: UnsafePointer<Float>, record: ConvPoolRecord, x: UnsafePointer<Float>,
        dWeight: UnsafeMutablePointer<Float>?, dBias: UnsafeMutablePointer<Float>?,
        geometry g: ConvPoolGeometry, activation: MonotoneActivation
    ) {
        guard dWeight != nil || dBias != nil else { return }
        let channels = g.conv.outChannels, taps = g.conv.taps
        // Sixteen running sums (one per lane) for each tap and then the bias, per channel.
        let columns = taps + 1, sumCount = channels * columns * 16
        let positions = UncheckedSendable(UnsafePointer(record.indices.positions!))
        let aux = UncheckedSendable(auxiliary(y, activation))
        let partials = Convolution.sumOverImages(g.conv.batch, count: channels * columns) { images, partial in
            let scratch = FloatBuffer(uninitializedCount: sumCount + g.scratchImage)
            let sums = scratch.base, image = sums + sumCount
            sums.update(repeating: 0, count: sumCount)
            withTapOffsets(g) { offsets in
                for n in images {
                    split(x + n * g.conv.inputImage, into: image, g)
                    // Channels in pairs, which share the input loads; an odd last one is paired
                    // with itself and its twin's sums dropped.
                    let at = n * g.outputImage
                    for o in stride(from: 0, to: channels, by: 2) {
                        accumulate(image, dy + at, aux.value.map { $0 + at }, positions.value + at, channels: (o, min(o + 1, channels - 1)),
                                   into: sums, weights: dWeight != nil, offsets, g, activation)
                    }
                }
            }
            for k in 0..<(channels * columns) { partial[k] += UnsafeRawPointer(sums + 16 * k).loadUnaligned(as: SIMD16<Float>.self).sum() }
            withExtendedLifetime(scratch) {}
        }
        withExtendedLifetime(record) {}
        for o in 0..<channels {
            dWeight?.advanced(by: o * taps).update(from: partials.base + o * columns, count: taps)
            dBias?[o] = partials.base[o * columns + taps]
        }
    }

    /// Adds, for two output channels of one image (whose outputs start at dy, aux and positions),
    /// g x the input patch at each pooled output's maximum into each channel's `sums` (sixteen
    /// lanes per tap, then the bias's). The taps go in passes of up to six whose sums stay in
    /// registers over the whole plane.
    static func accumulate(
        _ image: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ aux: UnsafePointer<Float>?, _ positions: UnsafePointer<UInt8>,
        channels: (Int, Int), into sums: UnsafeMutablePointer<Float>, weights: Bool, _ offsets: UnsafePointer<Int>,
        _ g: ConvPoolGeometry, _ activation: MonotoneActivation
    ) {
        let taps = g.conv.taps, pw = g.pooledWidth, passes = weights ? (taps + 5) / 6 : 1, plane = g.pooledPlane
        let (p0, p1) = (channels.0 * plane, channels.1 * plane)
        var bias0 = SIMD16<Float>(), bias1 = bias0
        for pass in 0..<passes {
            let t0 = taps * pass / passes, n = weights ? taps * (pass + 1) / passes - t0 : 0
            var x0 = SIMD16<Float>(), x1 = x0, x2 = x0, x3 = x0, x4 = x0, x5 = x0
            var y0 = x0, y1 = x0, y2 = x0, y3 = x0, y4 = x0, y5 = x0
            for i in 0..<g.pooledHeight {
                var j = 0
                while j < pw {
                    let k = i &* pw &+ j
                    let c0 = Routed(dy + (p0 &+ k), aux.map { $0 + (p0 &+ k) }, positions + (p0 &+ k), pw &- j, activation)
                    let c1 = Routed(dy + (p1 &+ k), aux.map { $0 + (p1 &+ k) }, positions + (p1 &+ k), pw &- j, activation)
                    if pass == 0 { bias0 += c0.grad; bias1 += c1.grad }
                    let top = image + (2 &* i &* g.rowStride &+ j), bottom = top + g.rowStride
                    @_transparent func tap(_ t: Int, _ x: inout SIMD16<Float>, _ y: inout SIMD16<Float>) {
                        let even = offsets[2 &* t], odd = offsets[2 &* t &+ 1]
                        let te = load(top + even), to = load(top + odd), be = load(bottom + even), bo = load(bottom + odd)
                        x = x.addingProduct(c0.grad, c0.patch(te, to, be, bo))
                        y = y.addingProduct(c1.grad, c1.patch(te, to, be, bo))
                    }
                    if n > 0 { tap(t0, &x0, &y0) }
                    if n > 1 { tap(t0 &+ 1, &x1, &y1) }
                    if n > 2 { tap(t0 &+ 2, &x2, &y2) }
                    if n > 3 { tap(t0 &+ 3, &x3, &y3) }
                    if n > 4 { tap(t0 &+ 4, &x4, &y4) }
                    if n > 5 { tap(t0 &+ 5, &x5, &y5) }
                    j &+= 16
                }
            }
            let columns = (taps + 1) * 16, first = sums + channels.0 * columns + t0 * 16, second = sums + channels.1 * columns + t0 * 16
            // The twin of an odd last channel repeats it: its sums are dropped.
            let twin = channels.1 != channels.0
            @_transparent func store(_ q: Int, _ x: SIMD16<Float>, _ y: SIMD16<Float>) {
                guard q < n else { return }
                add(x, first + 16 * q)
                if twin { add(y, second + 16 * q) }
            }
            store(0, x0, y0); store(1, x1, y1); store(2, x2, y2); store(3, x3, y3); store(4, x4, y4); store(5, x5, y5)
        }
        add(bias0, sums + (channels.0 * (taps + 1) + taps) * 16)
        if channels.1 != channels.0 { add(bias1, sums + (channels.1 * (taps + 1) + taps) * 16) }
    }

    /// One channel's sixteen pooled outputs in the backward pass: their gradient times the
    /// activation's derivative, and which had their maximum in the window's right column and in
    /// its bottom row.
    ///
    /// Its members, and the local functions of `accumulate`, are `@_transparent`: the optimizer
    /// declined to inline them as `@inline(__always)` in a body that large, and the calls (with
    /// every vector register spilled around them) made the backward three times slower.
    struct Routed {
        var grad: SIMD16<Float>
        var right, lower: SIMDMask<SIMD16<Int32>>

        /// From the `available` outputs left in the row at dy, aux and positions (zeros past them).
        @_transparent
        init(_ dy: UnsafePointer<Float>, _ aux: UnsafePointer<Float>?, _ positions: UnsafePointer<UInt8>, _ available: Int,
             _ activation: MonotoneActivation) {
            var d: SIMD16<Float>, a = SIMD16<Float>(), p: SIMD16<Int32>
            if available >= 16 {
                d = load(dy)
                if let aux { a = load(aux) }
                p = SIMD16<Int32>(truncatingIfNeeded: UnsafeRawPointer(positions).loadUnaligned(as: SIMD16<UInt8>.self))
            } else {
                (d, a, p) = tail(dy, aux, positions, available)
            }
            // Equality of whole vectors: Swift compiles SIMD integer order comparisons, and
            // comparisons with a scalar, lane by lane.
            let one = SIMD16<Int32>(repeating: 1), two = SIMD16<Int32>(repeating: 2)
            grad = activation.gradient(d, a)
            right = (p & one) .== one
            lower = (p & two) .== two
        }

        /// The input under each output's maximum, from the window's four corners.
        @_transparent
        func patch(_ te: SIMD16<Float>, _ to: SIMD16<Float>, _ be: SIMD16<Float>, _ bo: SIMD16<Float>) -> SIMD16<Float> {
            te.replacing(with: to, where: right).replacing(with: be.replacing(with: bo, where: right), where: lower)
        }
    }

    /// dx (=|+=) the gradient with respect to the input: each pooled gradient, times the weights,
    /// added to the input patch at its maximum.
    public static func inputGradient(
        dy: UnsafePointer<Float>, y: UnsafePointer<Float>, record: ConvPoolRecord, weight: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>, geometry g: ConvPoolGeometry, activation: MonotoneActivation, accumulate: Bool
    ) {
        let ph = g.pooledHeight, pw = g.pooledWidth, wide = (pw + 15) / 16 * 16, block = ph * wide
        let positions = UncheckedSendable(UnsafePointer(record.indices.positions!))
        let aux = UncheckedSendable(auxiliary(y, activation))
        Convolution.forEachImageChunk(g.conv.batch, scratch: g.scratchImage + 4 * block) { images, scratch in
            let image = scratch, split = image + g.scratchImage
            for n in images {
                image.update(repeating: 0, count: g.scratchImage)
                for o in 0..<g.conv.outChannels {
                    // The gradient of each window position [4, ph, wide]: g where the maximum was,
                    // zero elsewhere and past the row, so whole blocks of sixteen can be added.
                    let offset = n * g.outputImage + o * g.pooledPlane
                    for i in 0..<ph {
                        for j in stride(from: 0, to: wide, by: 16) {
                            let k = offset + i * pw + j
                            let c = Routed(dy + k, aux.value.map { $0 + k }, positions.value + k, pw - j, activation)
                            let zero = SIMD16<Float>(), upper = c.grad.replacing(with: zero, where: c.lower)
                            let under = zero.replacing(with: c.grad, where: c.lower), at = split + i * wide + j
                            SIMDMath.store(upper.replacing(with: zero, where: c.right), at)
                            SIMDMath.store(zero.replacing(with: upper, where: c.right), at + block)
                            SIMDMath.store(under.replacing(with: zero, where: c.right), at + 2 * block)
                            SIMDMath.store(zero.replacing(with: under, where: c.right), at + 3 * block)
                        }
                    }
                    scatter(split, weight + o * g.conv.taps, into: image, wide: wide, g)
                }
                fold(image, into: dx + n * g.conv.inputImage, accumulate: accumulate, g)
            }
        }
        withExtendedLifetime(record) {}
    }

    /// Adds, for every tap, the four window positions' gradients `split` [4, ph, wide] times the
    /// tap's weight into the scratch-layout image gradient. Taps go outermost so that consecutive
    /// additions never overlap (an overlapping store and load would stall the pipeline).
    static func scatter(
        _ split: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, into image: UnsafeMutablePointer<Float>,
        wide: Int, _ g: ConvPoolGeometry
    ) {
        let ph = g.pooledHeight, block = ph * wide
        withTapOffsets(g) { offsets in
            for t in 0..<g.conv.taps {
                let even = offsets[2 * t], odd = offsets[2 * t + 1], wt = SIMD16<Float>(repeating: weight[t])
                for i in 0..<ph {
                    let top = image + (2 &* i &* g.rowStride), bottom = top + g.rowStride, s = split + i * wide
                    for j in stride(from: 0, to: wide, by: 16) {
                        add(load(s + j), times: wt, top + even + j)
                        add(load(s + block + j), times: wt, top + odd + j)
                        add(load(s + 2 * block + j), times: wt, bottom + even + j)
                        add(load(s + 3 * block + j), times: wt, bottom + odd + j)
                    }
                }
            }
        }
    }

    /// dx (=|+=) the image part of a scratch-layout gradient; inputs that no pooled window reads
    /// (an odd last row or column of the convolution) get zero.
    static func fold(_ image: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>, accumulate: Bool, _ g: ConvPoolGeometry) {
        let width = g.conv.width, padW = g.conv.window.padW
        for c in 0..<g.conv.inChannels {
            for h in 0..<g.conv.height {
                let dst = dx + (c * g.conv.height + h) * width, r = h + g.conv.window.padH
                guard r < g.paddedRows else {
                    if !accumulate { dst.update(repeating: 0, count: width) }
                    continue
                }
                let even = image + c * g.scratchPlane + r * g.rowStride, odd = even + g.rowLength
                for w in 0..<width {
                    let q = w + padW, v = q & 1 == 0 ? even[q >> 1] : odd[q >> 1]
                    dst[w] = accumulate ? dst[w] + v : v
                }
            }
        }
    }

    /// What the activation's backward reads besides dy: the result, or nothing.
    static func auxiliary(_ y: UnsafePointer<Float>, _ activation: MonotoneActivation) -> UnsafePointer<Float>? {
        activation == .none ? nil : y
    }

    /// Sixteen pooled gradients, their activation's `auxiliary` values and their window positions,
    /// from the `available` left in the row, zeros past it.
    @inline(never)
    static func tail(
        _ dy: UnsafePointer<Float>, _ aux: UnsafePointer<Float>?, _ positions: UnsafePointer<UInt8>, _ available: Int
    ) -> (SIMD16<Float>, SIMD16<Float>, SIMD16<Int32>) {
        var d = SIMD16<Float>(), a = SIMD16<Float>(), p = SIMD16<Int32>()
        for l in 0..<min(16, available) {
            d[l] = dy[l]
            p[l] = Int32(positions[l])
            if let aux { a[l] = aux[l] }
        }
        return (d, a, p)
    }

    @inline(__always)
    static func add(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) { SIMDMath.store(load(p) + v, p) }

    @inline(__always)
    static func add(_ v: SIMD16<Float>, times w: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
        SIMDMath.store(load(p).addingProduct(v, w), p)
    }
}
