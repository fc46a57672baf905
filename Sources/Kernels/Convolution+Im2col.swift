// The im2col algorithm: unfold each image into a (C kh kw) x (oh ow) matrix whose column p holds
// the inputs under the window of output p (zeros where it hangs over the padding), so that the
// convolution of that image is one GEMM with the [O, C kh kw] weight matrix.

extension Convolution {
    static func im2colForward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        y: UnsafeMutablePointer<Float>, geometry g: ConvGeometry
    ) {
        let o = g.outChannels, k = g.taps, p = g.outputPlane
        if g.isPointwise {
            // A 1x1 window over unpadded rows unfolds each image into itself: the GEMM reads the
            // image in place, onto an output that starts as the bias.
            Parallel.forEachChunk(g.batch, grain: 1) { images in
                for n in images {
                    let yn = y + n * g.outputImage
                    if let bias { for r in 0..<o { (yn + r * p).update(repeating: bias[r], count: p) } }
                    BLAS.sgemm(transA: false, transB: false, m: o, n: p, k: k, alpha: 1, a: weight, lda: k,
                               b: x + n * g.inputImage, ldb: p, beta: bias == nil ? 0 : 1, c: yn, ldc: p)
                }
            }
            return
        }
        // The bias rides along as one more weight column against a row of ones, so the GEMM adds
        // it instead of a separate pass over the output.
        let rows = k + (bias == nil ? 0 : 1)
        let packed = FloatBuffer(uninitializedCount: o * rows)
        for r in 0..<o {
            (packed.base + r * rows).update(from: weight + r * k, count: k)
            if let bias { packed.base[r * rows + k] = bias[r] }
        }
        let a = UncheckedSendable(UnsafePointer(packed.base))
        forEachImageChunk(g.batch, scratch: rows * p) { images, col in
            if rows > k { (col + k * p).update(repeating: 1, count: p) }
            for n in images {
                im2col(x + n * g.inputImage, col, g)
                BLAS.sgemm(transA: false, transB: false, m: o, n: p, k: rows, alpha: 1, a: a.value, lda: rows,
                           b: col, ldb: p, beta: 0, c: y + n * g.outputImage, ldc: p)
            }
        }
        withExtendedLifetime(packed) {}
    }

    static func im2colInputGradient(
        dy: UnsafePointer<Float>, weight: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
        geometry g: ConvGeometry, accumulate: Bool
    ) {
        let o = g.outChannels, k = g.taps, p = g.outputPlane
        forEachImageChunk(g.batch, scratch: k * p) { images, col in
            for n in images {
                // col = Wᵀ dy: the gradient of every unfolded input, then folded back (overlapping
                // windows add up, so the image is zeroed first unless it accumulates anyway).
                BLAS.sgemm(transA: true, transB: false, m: k, n: p, k: o, alpha: 1, a: weight, lda: k,
                           b: dy + n * g.outputImage, ldb: p, beta: 0, c: col, ldc: p)
                let image = dx + n * g.inputImage
                if !accumulate { image.update(repeating: 0, count: g.inputImage) }
                col2imAdd(col, image, g)
            }
        }
    }

    /// Adds, for the images in `images`, dy x colᵀ into `partial` [O, columns]; a column past the
    /// taps meets a row of ones in col and so collects the bias gradient.
    static func im2colParameterGradients(
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>, images: Range<Int>,
        partial: UnsafeMutablePointer<Float>, columns: Int, geometry g: ConvGeometry
    ) {
        let k = g.taps, p = g.outputPlane
        let col = FloatBuffer(uninitializedCount: columns * p)
        if columns > k { (col.base + k * p).update(repeating: 1, count: p) }
        for n in images {
            im2col(x + n * g.inputImage, col.base, g)
            BLAS.sgemm(transA: false, transB: true, m: g.outChannels, n: columns, k: p, alpha: 1,
                       a: dy + n * g.outputImage, lda: p, b: col.base, ldb: p, beta: 1, c: partial, ldc: columns)
        }
    }

    /// Unfolds one image [C, H, W] into col [C kh kw, oh ow].
    static func im2col(_ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, _ g: ConvGeometry) {
        forEachUnfoldedRow(g) { row, inputRow, offset, valid in
            let dst = col + row
            guard let inputRow else {
                dst.update(repeating: 0, count: g.outWidth)
                return
            }
            let src = x + inputRow
            let stride = g.window.strideW
            dst.update(repeating: 0, count: valid.lowerBound)
            if stride == 1 {
                (dst + valid.lowerBound).update(from: src + (valid.lowerBound + offset), count: valid.count)
            } else {
                for j in valid { dst[j] = src[j * stride + offset] }
            }
            (dst + valid.upperBound).update(repeating: 0, count: g.outWidth - valid.upperBound)
        }
    }

    /// Adds col [C kh kw, oh ow] back into one image [C, H, W]: the transpose of `im2col`.
    static func col2imAdd(_ col: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ g: ConvGeometry) {
        forEachUnfoldedRow(g) { row, inputRow, offset, valid in
            guard let inputRow else { return }
            let src = col + row, dst = dx + inputRow
            let stride = g.window.strideW
            if stride == 1 {
                for j in valid { dst[j + offset] += src[j] }
            } else {
                for j in valid { dst[j * stride + offset] += src[j] }
            }
        }
    }

    /// Calls `body` for every row of output positions (oh of them per tap): the start of that row
    /// in col, the start of the input row its windows read (nil when it lies in the padding), the
    /// input column of output column 0 (j * stride + offset is the input column of output j), and
    /// the output columns whose input column lies inside the image.
    @inline(__always)
    static func forEachUnfoldedRow(_ g: ConvGeometry, _ body: (_ row: Int, _ inputRow: Int?, _ offset: Int, _ valid: Range<Int>) -> Void) {
        let w = g.window, ow = g.outWidth
        var row = 0
        for c in 0..<g.inChannels {
            for ki in 0..<w.kernelH {
                for kj in 0..<w.kernelW {
                    let offset = kj * w.dilationW - w.padW
                    // 0 <= j * stride + offset < width
                    let lo = offset >= 0 ? 0 : (-offset + w.strideW - 1) / w.strideW
                    let hi = g.width - 1 - offset < 0 ? 0 : min(ow, (g.width - 1 - offset) / w.strideW + 1)
                    let valid = min(lo, hi)..<hi
                    for i in 0..<g.outHeight {
                        let ih = i * w.strideH - w.padH + ki * w.dilationH
                        body(row, ih >= 0 && ih < g.height ? (c * g.height + ih) * g.width : nil, offset, valid)
                        row += ow
                    }
                }
            }
        }
    }

    /// Runs `body(images, scratch)` over chunks of the batch in parallel, with `scratch` floats of
    /// uninitialised scratch per chunk (pooled, so steady-state training does not allocate).
    static func forEachImageChunk(_ batch: Int, scratch: Int, _ body: (Range<Int>, UnsafeMutablePointer<Float>) -> Void) {
        Parallel.forEachChunk(batch, grain: 1) { images in
            let buffer = FloatBuffer(uninitializedCount: scratch)
            body(images, buffer.base)
            withExtendedLifetime(buffer) {}
        }
    }
}
