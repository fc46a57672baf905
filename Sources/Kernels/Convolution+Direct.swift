// The direct forward algorithm: copy each image into a zero-padded scratch so that no window needs
// bounds checks, then sum the taps into SIMD accumulators for 8 outputs of a row in 4 output
// channels at once, so each input load serves four channels. It avoids im2col's unfolded matrix and
// the per-image GEMM call, which pays only on small planes (see `Convolution.forwardAlgorithm`).

extension Convolution {
    static func directForward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        y: UnsafeMutablePointer<Float>, geometry g: ConvGeometry
    ) {
        let w = g.window
        let hp = g.height + 2 * w.padH, wp = g.width + 2 * w.padW, padded = g.inChannels * hp * wp
        // Slack after the image for the loads of a row's last, partial block of 8 outputs.
        let scratch = padded + 8 * w.strideW
        let packed = packWeights(weight, geometry: g)
        let weights = UncheckedSendable(UnsafePointer(packed.base))
        forEachImageChunk(g.batch, scratch: scratch) { images, input in
            (input + padded).update(repeating: 0, count: scratch - padded)
            for n in images {
                pad(x + n * g.inputImage, geometry: g, into: input)
                correlate(input, weights.value, bias, y + n * g.outputImage, g)
            }
        }
        withExtendedLifetime(packed) {}
    }

    /// The weights of four output channels side by side for every tap, each broadcast to 8 lanes:
    /// packed[(block · taps + t) · 4 + q] = weight[4 · block + q, t], zero past the last channel.
    static func packWeights(_ weight: UnsafePointer<Float>, geometry g: ConvGeometry) -> FloatBuffer {
        let taps = g.taps, blocks = (g.outChannels + 3) / 4
        let packed = FloatBuffer(uninitializedCount: blocks * taps * 4 * 8)
        for block in 0..<blocks {
            for t in 0..<taps {
                for q in 0..<4 {
                    let o = block * 4 + q
                    let value = o < g.outChannels ? weight[o * taps + t] : 0
                    (packed.base + ((block * taps + t) * 4 + q) * 8).update(repeating: value, count: 8)
                }
            }
        }
        return packed
    }

    /// out[o, i, j] = bias[o] + Σ_{c,ki,kj} weight[o, c, ki, kj] · input[c, i·sh + ki·dh, j·sw + kj·dw]
    /// for one padded image, with the weights packed by `packWeights`.
    static func correlate(
        _ input: UnsafePointer<Float>, _ packed: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
        _ out: UnsafeMutablePointer<Float>, _ g: ConvGeometry
    ) {
        let w = g.window, oh = g.outHeight, ow = g.outWidth, outPlane = g.outputPlane
        let wp = g.width + 2 * w.padW, plane = (g.height + 2 * w.padH) * wp
        let sw = w.strideW, dw = w.dilationW, rowStep = w.dilationH * wp
        for o0 in stride(from: 0, to: g.outChannels, by: 4) {
            let live = min(4, g.outChannels - o0)
            var b = SIMD4<Float>()
            if let bias { for q in 0..<live { b[q] = bias[o0 + q] } }
            let wb = packed + o0 * g.taps * 8
            for i in 0..<oh {
                let rows = out + o0 * outPlane + i * ow
                let in0 = input + i * w.strideH * wp
                // The last block of a row may be partial: its loads run into the next row or the
                // scratch's slack, and only its live lanes are stored.
                var j = 0
                while j < ow {
                    var a0 = SIMD8<Float>(repeating: b[0]), a1 = SIMD8<Float>(repeating: b[1])
                    var a2 = SIMD8<Float>(repeating: b[2]), a3 = SIMD8<Float>(repeating: b[3])
                    var wt = wb
                    for c in 0..<g.inChannels {
                        var r = in0 + c * plane + j * sw
                        for _ in 0..<w.kernelH {
                            for kj in 0..<w.kernelW {
                                let v = SIMDMath.load(r + kj * dw, stride: sw)
                                a0 += SIMDMath.load(wt) * v
                                a1 += SIMDMath.load(wt + 8) * v
                                a2 += SIMDMath.load(wt + 16) * v
                                a3 += SIMDMath.load(wt + 24) * v
                                wt += 32
                            }
                            r += rowStep
                        }
                    }
                    let lanes = min(8, ow - j)
                    store(a0, rows + j, lanes)
                    if live > 1 { store(a1, rows + outPlane + j, lanes) }
                    if live > 2 { store(a2, rows + 2 * outPlane + j, lanes) }
                    if live > 3 { store(a3, rows + 3 * outPlane + j, lanes) }
                    j += 8
                }
            }
        }
    }

    @inline(__always)
    private static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ lanes: Int) {
        if lanes == 8 {
            SIMDMath.store(v, p)
        } else {
            for l in 0..<lanes { p[l] = v[l] }
        }
    }

    /// Copies one image [C, H, W] into planes padded with zeros on every side.
    static func pad(_ src: UnsafePointer<Float>, geometry g: ConvGeometry, into dst: UnsafeMutablePointer<Float>) {
        let padH = g.window.padH, padW = g.window.padW, width = g.width, wp = width + 2 * padW
        var out = dst
        for c in 0..<g.inChannels {
            out.update(repeating: 0, count: padH * wp)
            out += padH * wp
            for h in 0..<g.height {
                out.update(repeating: 0, count: padW)
                (out + padW).update(from: src + (c * g.height + h) * width, count: width)
                (out + padW + width).update(repeating: 0, count: padW)
                out += wp
            }
            out.update(repeating: 0, count: padH * wp)
            out += padH * wp
        }
    }
}
