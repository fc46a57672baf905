/// Adaptive pooling of `planes` (N C) planes of height x width to outHeight x outWidth, with
/// PyTorch's windows: output cell i covers input rows floor(i H / oh) ..< ceil((i + 1) H / oh),
/// and likewise for columns. Windows may overlap (and may all be one row when oh > H).
public struct AdaptivePoolGeometry: Sendable, Hashable {
    public var planes, height, width, outHeight, outWidth: Int

    public init(planes: Int, height: Int, width: Int, outHeight: Int, outWidth: Int) {
        precondition(height > 0 && width > 0 && outHeight > 0 && outWidth > 0,
                     "[adaptive pool] sizes must be positive: \(height)x\(width) to \(outHeight)x\(outWidth)")
        self.planes = planes
        self.height = height
        self.width = width
        self.outHeight = outHeight
        self.outWidth = outWidth
    }

    var inputPlane: Int { height * width }
    var outputPlane: Int { outHeight * outWidth }

    /// PyTorch's start_index and end_index (aten/src/ATen/native/AdaptivePooling.h).
    @inline(__always)
    static func window(_ i: Int, _ out: Int, _ size: Int) -> Range<Int> {
        (i * size / out)..<(((i + 1) * size + out - 1) / out)
    }

    func rows(_ i: Int) -> Range<Int> { Self.window(i, outHeight, height) }
    func columns(_ j: Int) -> Range<Int> { Self.window(j, outWidth, width) }

    func forEachPlaneChunk(_ body: (Range<Int>) -> Void) {
        Parallel.forEachChunk(planes, grain: max(1, 16_384 / max(1, inputPlane)), body)
    }
}

public enum AdaptivePooling {
    /// y = the mean of each window: the sum divided by its height, then by its width, in
    /// PyTorch's order (AdaptiveAvgPoolKernel.cpp).
    public static func averageForward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, geometry g: AdaptivePoolGeometry) {
        g.forEachPlaneChunk { planes in
            for plane in planes {
                let src = x + plane * g.inputPlane, dst = y + plane * g.outputPlane
                for i in 0..<g.outHeight {
                    let rows = g.rows(i)
                    for j in 0..<g.outWidth {
                        let columns = g.columns(j)
                        var sum: Float = 0
                        for h in rows { for w in columns { sum += src[h * g.width + w] } }
                        dst[i * g.outWidth + j] = sum / Float(rows.count) / Float(columns.count)
                    }
                }
            }
        }
    }

    /// dx (=|+=) each output's gradient spread evenly over its window (overlaps add up).
    public static func averageBackward(dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, geometry g: AdaptivePoolGeometry,
                                       accumulate: Bool) {
        g.forEachPlaneChunk { planes in
            for plane in planes {
                let src = dy + plane * g.outputPlane, dst = dx + plane * g.inputPlane
                if !accumulate { dst.update(repeating: 0, count: g.inputPlane) }
                for i in 0..<g.outHeight {
                    let rows = g.rows(i)
                    for j in 0..<g.outWidth {
                        let columns = g.columns(j)
                        let share = src[i * g.outWidth + j] / Float(rows.count) / Float(columns.count)
                        for h in rows { for w in columns { dst[h * g.width + w] += share } }
                    }
                }
            }
        }
    }

    /// y = the maximum of each window, and where each came from within its plane (the
    /// first maximum in row-major order; a NaN wins and propagates, as in PyTorch's
    /// AdaptiveMaxPoolKernel.cpp).
    public static func maxForward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, geometry g: AdaptivePoolGeometry) -> MaxPoolIndices {
        let indices = MaxPoolIndices(count: g.planes * g.outputPlane, compact: false)
        let o = UncheckedSendable(indices.offsets!)
        g.forEachPlaneChunk { planes in
            for plane in planes {
                let src = x + plane * g.inputPlane, dst = y + plane * g.outputPlane, idx = o.value + plane * g.outputPlane
                for i in 0..<g.outHeight {
                    let rows = g.rows(i)
                    for j in 0..<g.outWidth {
                        let columns = g.columns(j)
                        var best = rows.lowerBound * g.width + columns.lowerBound, bestValue = -Float.infinity
                        for h in rows {
                            for w in columns {
                                let v = src[h * g.width + w]
                                if v > bestValue || v.isNaN { best = h * g.width + w; bestValue = v }
                            }
                        }
                        dst[i * g.outWidth + j] = bestValue
                        idx[i * g.outWidth + j] = Int32(best)
                    }
                }
            }
        }
        return indices
    }

    /// dx (=|+=) each output's gradient sent to where its maximum came from.
    public static func maxBackward(dy: UnsafePointer<Float>, indices: MaxPoolIndices, dx: UnsafeMutablePointer<Float>,
                                   geometry g: AdaptivePoolGeometry, accumulate: Bool) {
        let offsets = UncheckedSendable(UnsafePointer(indices.offsets!))
        g.forEachPlaneChunk { planes in
            for plane in planes {
                let src = dy + plane * g.outputPlane, idx = offsets.value + plane * g.outputPlane, dst = dx + plane * g.inputPlane
                if !accumulate { dst.update(repeating: 0, count: g.inputPlane) }
                for k in 0..<g.outputPlane { dst[Int(idx[k])] += src[k] }
            }
        }
    }
}
