/// Antialiased bilinear resampling, computed exactly as PyTorch's CPU kernel for
/// `F.interpolate(x, size, mode="bilinear", antialias=True, align_corners=False)` on Float32
/// (what the reference's `to_tensor_resize` runs): the same triangle filter stretched by the scale
/// when shrinking, the same window bounds and weight normalisation with the same mixed
/// float/double rounding, the same pass order (width first, then height) and summation order.
///
/// torch's x86 build sums `output += t * w` with fused multiply-adds; the loops here do the same
/// through Double (a product of two Floats is exact in Double, so rounding the sum once to Float
/// is the fused result) because a call to `fmaf` per tap would cost more than the whole resize.
/// Windows of up to four taps (Omniglot's 105 -> 64, any upscale) then agree with torch bit for
/// bit; wider windows (shrinking by more than 2.5x) differ by an ulp or so: torch's compiler
/// evidently orders those sums differently.
public enum Resize {
    /// Resizes `channels` planes of `height x width` Floats (channel-major) into `output`, which
    /// holds `channels * outHeight * outWidth` Floats. An axis whose size does not change is
    /// copied, as torch skips it.
    public static func bilinearAntialiased(_ input: UnsafePointer<Float>, channels: Int, height: Int, width: Int,
                                           into output: UnsafeMutablePointer<Float>, outHeight: Int, outWidth: Int) {
        precondition(channels > 0 && height > 0 && width > 0 && outHeight > 0 && outWidth > 0,
                     "[resize] sizes must be positive: \(channels)x\(height)x\(width) -> \(outHeight)x\(outWidth)")
        let (inPlane, outPlane) = (height * width, outHeight * outWidth)
        switch (height == outHeight, width == outWidth) {
        case (true, true):
            output.update(from: input, count: channels * inPlane)
        case (true, false):
            let columns = ResampleWeights(inputSize: width, outputSize: outWidth)
            for c in 0..<channels { columns.horizontal(input + c * inPlane, rows: height, width: width, into: output + c * outPlane) }
        case (false, true):
            let rows = ResampleWeights(inputSize: height, outputSize: outHeight)
            for c in 0..<channels { rows.vertical(input + c * inPlane, width: width, into: output + c * outPlane) }
        case (false, false):
            let columns = ResampleWeights(inputSize: width, outputSize: outWidth)
            let rows = ResampleWeights(inputSize: height, outputSize: outHeight)
            let temporary = UnsafeMutablePointer<Float>.allocate(capacity: height * outWidth)
            defer { temporary.deallocate() }
            for c in 0..<channels {
                columns.horizontal(input + c * inPlane, rows: height, width: width, into: temporary)
                rows.vertical(temporary, width: outWidth, into: output + c * outPlane)
            }
        }
    }

    /// `values` (`channels x height x width`) resized to `outHeight x outWidth`.
    public static func bilinearAntialiased(_ values: [Float], channels: Int, height: Int, width: Int,
                                           outHeight: Int, outWidth: Int) -> [Float] {
        precondition(values.count == channels * height * width, "[resize] \(values.count) values for \(channels)x\(height)x\(width)")
        return [Float](unsafeUninitializedCapacity: channels * outHeight * outWidth) { out, initialized in
            values.withUnsafeBufferPointer {
                bilinearAntialiased($0.baseAddress!, channels: channels, height: height, width: width,
                                    into: out.baseAddress!, outHeight: outHeight, outWidth: outWidth)
            }
            initialized = channels * outHeight * outWidth
        }
    }
}

/// For each output position along one axis: the first input position, how many inputs it reads,
/// and their normalised weights (torch's `_compute_weights_aa` for the bilinear filter).
struct ResampleWeights {
    let outputSize: Int
    let taps: Int           // the widest window: weights are stored `taps` apart
    var start: [Int]
    var count: [Int]
    var weights: [Float]

    init(inputSize: Int, outputSize: Int) {
        self.outputSize = outputSize
        // torch computes these in the input's dtype (float), with some steps promoted to double
        // by C++'s rules; each conversion below mirrors one of those steps.
        let scale = Float(inputSize) / Float(outputSize)
        let support: Float = scale >= 1 ? scale : 1           // interp_size (2) * 0.5, stretched when shrinking
        let invscale: Float = scale >= 1 ? Float(1 / Double(scale)) : 1
        taps = Int(support.rounded(.up)) * 2 + 1
        start = [Int](repeating: 0, count: outputSize)
        count = [Int](repeating: 0, count: outputSize)
        weights = [Float](repeating: 0, count: outputSize * taps)
        for i in 0..<outputSize {
            let center = Float(Double(scale) * (Double(i) + 0.5))
            let lo = max(Int(Double(center - support) + 0.5), 0)
            let n = min(Int(Double(center + support) + 0.5), inputSize) - lo
            var total: Float = 0
            for j in 0..<n {
                let x = Float((Double(Float(j + lo) - center) + 0.5) * Double(invscale))
                let w = max(1 - abs(x), 0)                      // the triangle (bilinear) filter
                weights[i * taps + j] = w
                total += w
            }
            if total != 0 {
                for j in 0..<n { weights[i * taps + j] /= total }
            }
            start[i] = lo
            count[i] = n
        }
    }

    /// Resamples along rows: `rows x width` into `rows x outputSize`.
    func horizontal(_ input: UnsafePointer<Float>, rows: Int, width: Int, into output: UnsafeMutablePointer<Float>) {
        weights.withUnsafeBufferPointer { w in
            for y in 0..<rows {
                let source = input + y * width, target = output + y * outputSize
                for i in 0..<outputSize {
                    let s = source + start[i], wi = w.baseAddress! + i * taps
                    var sum = s[0] * wi[0]
                    for j in 1..<max(count[i], 1) { sum = fusedMultiplyAdd(s[j], wi[j], sum) }
                    target[i] = sum
                }
            }
        }
    }

    /// Resamples along columns: `inputSize x width` into `outputSize x width`, a whole row at a
    /// time (the summation order per element is the same as torch's).
    func vertical(_ input: UnsafePointer<Float>, width: Int, into output: UnsafeMutablePointer<Float>) {
        weights.withUnsafeBufferPointer { w in
            for i in 0..<outputSize {
                let target = output + i * width, wi = w.baseAddress! + i * taps
                let first = input + start[i] * width
                let w0 = wi[0]
                for x in 0..<width { target[x] = first[x] * w0 }
                for j in 1..<max(count[i], 1) {
                    let row = input + (start[i] + j) * width, wj = wi[j]
                    for x in 0..<width { target[x] = fusedMultiplyAdd(row[x], wj, target[x]) }
                }
            }
        }
    }
}

/// a * b + c rounded once (see `Resize` for why through Double).
@inline(__always)
private func fusedMultiplyAdd(_ a: Float, _ b: Float, _ c: Float) -> Float {
    Float(Double(a) * Double(b) + Double(c))
}
