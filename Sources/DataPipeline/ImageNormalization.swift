/// `(x - mean) / std` per channel, as torchvision's `Normalize` computes it (subtract, then
/// divide, in Float32), with the field's own `mean` and `std` or with statistics fitted on the
/// training split.
struct ImageNormalizer: Sendable {
    let mean: [Float]
    let std: [Float]

    /// Normalises one sample of `mean.count` planes of `plane` values in place.
    func apply(_ values: UnsafeMutablePointer<Float>, plane: Int) {
        for c in mean.indices {
            let m = mean[c], s = std[c], p = values + c * plane
            for i in 0..<plane { p[i] = (p[i] - m) / s }
        }
    }
}

extension ImageCache {
    /// Per-channel statistics of the samples `indices` (decoded, values in [0, 1]) as
    /// `normalization` fits them: the mean and the population standard deviation (`zscore`), or
    /// the minimum and the range (`minmax`); a constant channel gets scale 1, as a features column
    /// does. Computed in Double, in two passes (the mean first), so that millions of pixels do not
    /// lose the deviation to rounding.
    func channelStatistics(_ indices: [Int], normalization: Normalization) -> FeatureStatistics {
        let plane = height * width
        let names = (0..<channels).map { "channel \($0)" }
        guard normalization != .none, !indices.isEmpty else {
            return FeatureStatistics(columns: names, normalization: normalization, imputed: nil,
                                     shift: [Double](repeating: 0, count: channels), scale: [Double](repeating: 1, count: channels))
        }
        let sample = UnsafeMutablePointer<Float>.allocate(capacity: valuesPerImage)
        defer { sample.deallocate() }
        var sum = [Double](repeating: 0, count: channels)
        var low = [Double](repeating: .infinity, count: channels), high = [Double](repeating: -.infinity, count: channels)
        for i in indices {
            copy(i, to: sample)
            for c in 0..<channels {
                let p = sample + c * plane
                var s = 0.0, lo = Float.infinity, hi = -Float.infinity
                for k in 0..<plane { s += Double(p[k]); lo = min(lo, p[k]); hi = max(hi, p[k]) }
                sum[c] += s
                low[c] = min(low[c], Double(lo))
                high[c] = max(high[c], Double(hi))
            }
        }
        let count = Double(indices.count * plane)
        let mean = sum.map { $0 / count }
        var shift = mean, scale = [Double](repeating: 1, count: channels)
        switch normalization {
        case .none:
            break
        case .minmax:
            shift = low
            scale = zip(low, high).map { $1 > $0 ? $1 - $0 : 1 }
        case .zscore:
            var squares = [Double](repeating: 0, count: channels)
            for i in indices {
                copy(i, to: sample)
                for c in 0..<channels {
                    let p = sample + c * plane
                    var s = 0.0
                    for k in 0..<plane { let d = Double(p[k]) - mean[c]; s += d * d }
                    squares[c] += s
                }
            }
            scale = squares.map { s in let std = (s / count).squareRoot(); return std > 0 ? std : 1 }
        }
        return FeatureStatistics(columns: names, normalization: normalization, imputed: nil, shift: shift, scale: scale)
    }
}
