import Kernels
import Testing

/// The convolution kernels against each other and against naive loops, on random geometries.
@Suite struct ConvolutionKernelTests {
    /// Random geometries: small enough for naive loops, covering stride, padding, dilation,
    /// rectangular kernels, remainders of the 4-channel and 8-wide blocks, and planes on both
    /// sides of the direct/im2col choice.
    static let geometries: [ConvGeometry] = {
        var rng = RandomGenerator(seed: 2024)
        var result: [ConvGeometry] = []
        while result.count < 24 {
            let kh = 1 + rng.nextInt(below: 4), kw = 1 + rng.nextInt(below: 4)
            let window = Window2D(kernel: (kh, kw), stride: (1 + rng.nextInt(below: 3), 1 + rng.nextInt(below: 3)),
                                  padding: (rng.nextInt(below: 3), rng.nextInt(below: 3)),
                                  dilation: (1 + rng.nextInt(below: 2), 1 + rng.nextInt(below: 2)))
            let h = 1 + rng.nextInt(below: 14), w = 1 + rng.nextInt(below: 21)
            guard window.problem(height: h, width: w) == nil else { continue }
            result.append(ConvGeometry(batch: 1 + rng.nextInt(below: 3), inChannels: 1 + rng.nextInt(below: 5), height: h, width: w,
                                       outChannels: 1 + rng.nextInt(below: 7), window: window))
        }
        return result
    }()

    /// 3x3 stride-1 geometries for Winograd: paddings 0 to 2, odd and even output sizes (partial
    /// 2x2 tiles), rows of 1 to 3 eight-tile groups with a partial last group, groups of two rows
    /// of 4 tiles (outputs 7 or 8 wide, an even number of tile rows; the last two with partial
    /// tiles), and more images than fit one block of tiles (several blocks per thread).
    static let winogradGeometries: [ConvGeometry] = {
        var rng = RandomGenerator(seed: 2025)
        let sizes = [(3, 3), (5, 8), (7, 6), (9, 17), (4, 33), (12, 12), (2, 40), (16, 16), (8, 8), (7, 7), (6, 10)]
        return sizes.enumerated().map { i, size in
            let pad = i % 3
            let batch = size.0 * size.1 <= 64 ? 40 : 1 + rng.nextInt(below: 3)
            return ConvGeometry(batch: batch, inChannels: 4 + rng.nextInt(below: 5), height: size.0 + 2 - 2 * pad, width: size.1 + 2 - 2 * pad,
                                outChannels: 1 + rng.nextInt(below: 9),
                                window: Window2D(kernel: (3, 3), stride: (1, 1), padding: (pad, pad)))
        }
    }()

    /// Stride-1 geometries for the padded-rows kernels: LeNet's 5x5 layers at small batches, rows
    /// whose wide length is and is not a multiple of 32, output channels off the 4-block, dilation,
    /// rectangular kernels, and padding wider than the kernel (windows wholly in the padding, whose
    /// output gradient reaches no input).
    static let rowsGeometries: [ConvGeometry] = [
        ConvGeometry(batch: 3, inChannels: 1, height: 28, width: 28, outChannels: 6, window: Window2D(kernel: (5, 5), stride: (1, 1), padding: (2, 2))),
        ConvGeometry(batch: 2, inChannels: 6, height: 14, width: 14, outChannels: 16, window: Window2D(kernel: (5, 5), stride: (1, 1), padding: (0, 0))),
        ConvGeometry(batch: 2, inChannels: 3, height: 9, width: 13, outChannels: 5, window: Window2D(kernel: (3, 2), stride: (1, 1), padding: (1, 0), dilation: (2, 1))),
        ConvGeometry(batch: 1, inChannels: 2, height: 5, width: 4, outChannels: 7, window: Window2D(kernel: (1, 1), stride: (1, 1), padding: (2, 1))),
        ConvGeometry(batch: 4, inChannels: 5, height: 7, width: 33, outChannels: 9, window: Window2D(kernel: (3, 5), stride: (1, 1), padding: (2, 3))),
        ConvGeometry(batch: 1, inChannels: 1, height: 1, width: 1, outChannels: 1, window: Window2D(kernel: (1, 1), stride: (1, 1), padding: (0, 0))),
        // Pointwise (im2col reads the image in place): planes of 63 and 130 positions, off the GEMM's tiles.
        ConvGeometry(batch: 3, inChannels: 5, height: 7, width: 9, outChannels: 13, window: Window2D(kernel: (1, 1), stride: (1, 1), padding: (0, 0))),
        ConvGeometry(batch: 2, inChannels: 17, height: 10, width: 13, outChannels: 4, window: Window2D(kernel: (1, 1), stride: (1, 1), padding: (0, 0))),
    ]

    @Test(arguments: geometries + winogradGeometries + rowsGeometries)
    func forwardAlgorithmsAgree(_ g: ConvGeometry) {
        var rng = RandomGenerator(seed: 1)
        let (x, w, b) = (random(g.batch * g.inputImage, &rng), random(g.outChannels * g.taps, &rng), random(g.outChannels, &rng))
        for bias in [true, false] {
            var outputs: [[Float]] = []
            for algorithm in ConvolutionAlgorithm.allCases where applies(algorithm, g) {
                let y = FloatBuffer(uninitializedCount: g.batch * g.outputImage)
                Convolution.forward(x: x.base, weight: w.base, bias: bias ? b.base : nil, y: y.base, geometry: g, algorithm: algorithm)
                outputs.append(y.array)
            }
            let expected = naiveForward(x.array, w.array, bias ? b.array : nil, g)
            for output in outputs { expectClose(output, expected, "\(g)") }
        }
    }

    @Test(arguments: geometries + winogradGeometries + rowsGeometries)
    func gradientsMatchNaiveLoops(_ g: ConvGeometry) {
        var rng = RandomGenerator(seed: 2)
        let (x, w, dy) = (random(g.batch * g.inputImage, &rng), random(g.outChannels * g.taps, &rng), random(g.batch * g.outputImage, &rng))
        let (dxExpected, dwExpected, dbExpected) = naiveGradients(x.array, w.array, dy.array, g)
        let algorithms = [ConvolutionAlgorithm.im2col, .winograd, .rows].filter { applies($0, g) }
        for algorithm in algorithms {
            let dx = random(g.batch * g.inputImage, &rng)  // garbage that accumulate false must overwrite
            Convolution.inputGradient(dy: dy.base, weight: w.base, dx: dx.base, geometry: g, accumulate: false, algorithm: algorithm)
            expectClose(dx.array, dxExpected, "\(g) \(algorithm) dx")
            Convolution.inputGradient(dy: dy.base, weight: w.base, dx: dx.base, geometry: g, accumulate: true, algorithm: algorithm)
            expectClose(dx.array, dxExpected.map { 2 * $0 }, "\(g) \(algorithm) dx accumulated")

            let dw = random(g.outChannels * g.taps, &rng), db = random(g.outChannels, &rng)
            Convolution.parameterGradients(dy: dy.base, x: x.base, dWeight: dw.base, dBias: db.base, geometry: g, algorithm: algorithm)
            expectClose(dw.array, dwExpected, "\(g) \(algorithm) dw")
            expectClose(db.array, dbExpected, "\(g) \(algorithm) db")

            // All three in one call (one pass for Winograd), accumulating into dx.
            let dw2 = random(g.outChannels * g.taps, &rng), db2 = random(g.outChannels, &rng)
            Convolution.gradients(dy: dy.base, x: x.base, weight: w.base, dx: dx.base, accumulate: true, dWeight: dw2.base,
                                  dBias: db2.base, geometry: g, algorithm: algorithm)
            expectClose(dx.array, dxExpected.map { 3 * $0 }, "\(g) \(algorithm) dx with the others")
            expectClose(dw2.array, dwExpected, "\(g) \(algorithm) dw with the others")
            expectClose(db2.array, dbExpected, "\(g) \(algorithm) db with the others")
        }
        let dbAlone = random(g.outChannels, &rng)
        Convolution.parameterGradients(dy: dy.base, x: x.base, dWeight: nil, dBias: dbAlone.base, geometry: g)
        expectClose(dbAlone.array, dbExpected, "\(g) db alone")
    }

    /// Grouped convolutions on the padded-rows kernels against the dense naive loops with a
    /// block-diagonal weight: groups whose outputs fill blocks of four and groups that do not,
    /// depthwise with one and two outputs per channel, padding, dilation and odd widths.
    @Test(arguments: [
        (ConvGeometry(batch: 3, inChannels: 4, height: 7, width: 9, outChannels: 8, window: Window2D(kernel: (3, 3), stride: (1, 1), padding: (1, 1))), 2),
        (ConvGeometry(batch: 2, inChannels: 6, height: 5, width: 11, outChannels: 9, window: Window2D(kernel: (3, 2), stride: (1, 1), padding: (2, 0), dilation: (1, 2))), 3),
        (ConvGeometry(batch: 2, inChannels: 5, height: 8, width: 8, outChannels: 5, window: Window2D(kernel: (3, 3), stride: (1, 1), padding: (1, 1))), 5),
        (ConvGeometry(batch: 3, inChannels: 3, height: 6, width: 13, outChannels: 6, window: Window2D(kernel: (5, 5), stride: (1, 1), padding: (2, 2))), 3),
        (ConvGeometry(batch: 1, inChannels: 8, height: 4, width: 4, outChannels: 8, window: Window2D(kernel: (1, 1), stride: (1, 1))), 2),
    ])
    func groupedMatchesBlockDiagonalDense(_ g: ConvGeometry, _ groups: Int) {
        var rng = RandomGenerator(seed: 4)
        let inPerGroup = g.inChannels / groups, outPerGroup = g.outChannels / groups, k = g.window.kernelH * g.window.kernelW
        let x = random(g.batch * g.inputImage, &rng), w = random(g.outChannels * inPerGroup * k, &rng)
        let b = random(g.outChannels, &rng), dy = random(g.batch * g.outputImage, &rng)
        // dense[o, c] = w[o, c - group start] inside o's group, zero outside.
        var dense = [Float](repeating: 0, count: g.outChannels * g.taps)
        for o in 0..<g.outChannels {
            for cl in 0..<inPerGroup {
                let c = o / outPerGroup * inPerGroup + cl
                for t in 0..<k { dense[(o * g.inChannels + c) * k + t] = w.array[(o * inPerGroup + cl) * k + t] }
            }
        }
        let y = FloatBuffer(uninitializedCount: g.batch * g.outputImage)
        Convolution.groupedForward(x: x.base, weight: w.base, bias: b.base, y: y.base, geometry: g, groups: groups)
        expectClose(y.array, naiveForward(x.array, dense, b.array, g), "\(g) in \(groups) groups: y")

        let (dxExpected, dwDense, dbExpected) = naiveGradients(x.array, dense, dy.array, g)
        let dwExpected = (0..<(g.outChannels * inPerGroup * k)).map { i in
            let o = i / (inPerGroup * k), cl = i / k % inPerGroup, t = i % k
            return dwDense[(o * g.inChannels + o / outPerGroup * inPerGroup + cl) * k + t]
        }
        let dx = random(g.batch * g.inputImage, &rng), dw = random(w.count, &rng), db = random(g.outChannels, &rng)
        Convolution.groupedGradients(dy: dy.base, x: x.base, weight: w.base, dx: dx.base, accumulate: false, dWeight: dw.base,
                                     dBias: db.base, geometry: g, groups: groups)
        expectClose(dx.array, dxExpected, "\(g) in \(groups) groups: dx")
        expectClose(dw.array, dwExpected, "\(g) in \(groups) groups: dw")
        expectClose(db.array, dbExpected, "\(g) in \(groups) groups: db")
        Convolution.groupedGradients(dy: dy.base, x: x.base, weight: w.base, dx: dx.base, accumulate: true, dWeight: nil,
                                     dBias: nil, geometry: g, groups: groups)
        expectClose(dx.array, dxExpected.map { 2 * $0 }, "\(g) in \(groups) groups: dx accumulated")
    }

    /// Winograd's error on a layer of the CIFAR-style CNN (64 -> 128 channels, 8x8, 2 images;
    /// uniform inputs and weights in [-1, 1]) against float64 loops: within 1e-5 (1 + |y|) for
    /// the output and both gradients, as im2col.
    @Test func winogradErrorOnAWideLayer() {
        let g = ConvGeometry(batch: 2, inChannels: 64, height: 8, width: 8, outChannels: 128,
                             window: Window2D(kernel: (3, 3), stride: (1, 1), padding: (1, 1)))
        #expect(Convolution.forwardAlgorithm(g) == .winograd && Convolution.gradientAlgorithm(g) == .winograd)
        var rng = RandomGenerator(seed: 3)
        let (x, w, dy) = (random(g.batch * g.inputImage, &rng), random(g.outChannels * g.taps, &rng), random(g.batch * g.outputImage, &rng))
        let y = FloatBuffer(uninitializedCount: g.batch * g.outputImage)
        Convolution.forward(x: x.base, weight: w.base, bias: nil, y: y.base, geometry: g)
        expectClose(y.array, naiveForward(x.array, w.array, nil, g), "y")
        let (dxExpected, dwExpected, _) = naiveGradients(x.array, w.array, dy.array, g)
        let dx = FloatBuffer(uninitializedCount: g.batch * g.inputImage), dw = FloatBuffer(uninitializedCount: g.outChannels * g.taps)
        Convolution.inputGradient(dy: dy.base, weight: w.base, dx: dx.base, geometry: g, accumulate: false)
        Convolution.parameterGradients(dy: dy.base, x: x.base, dWeight: dw.base, dBias: nil, geometry: g)
        expectClose(dx.array, dxExpected, "dx")
        expectClose(dw.array, dwExpected, "dw")
    }

    @Test func forwardAlgorithmFollowsTheMeasurements() {
        func geometry(_ c: Int, _ size: Int) -> ConvGeometry {
            ConvGeometry(batch: 32, inChannels: c, height: size, width: size, outChannels: 16,
                         window: Window2D(kernel: (3, 3), stride: (1, 1), padding: (1, 1)))
        }
        #expect(Convolution.forwardAlgorithm(geometry(1, 64)) == .rows)  // the seed
        #expect(Convolution.forwardAlgorithm(geometry(4, 8)) == .direct)
        #expect(Convolution.forwardAlgorithm(geometry(16, 8)) == .winograd)
        // Built without AVX-512, im2col wins wherever the input has more than one channel.
        let rowsOrIm2col: ConvolutionAlgorithm = CPUFeatures.isBuiltForAVX512 ? .rows : .im2col
        #expect(Convolution.forwardAlgorithm(geometry(3, 32)) == rowsOrIm2col)
        #expect(Convolution.gradientAlgorithm(geometry(4, 8)) == .winograd)
        let lenet = ConvGeometry(batch: 64, inChannels: 6, height: 14, width: 14, outChannels: 16,
                                 window: Window2D(kernel: (5, 5), stride: (1, 1)))
        #expect(Convolution.forwardAlgorithm(lenet) == rowsOrIm2col && Convolution.gradientAlgorithm(lenet) == rowsOrIm2col)
        let strided = ConvGeometry(batch: 2, inChannels: 4, height: 8, width: 8, outChannels: 8,
                                   window: Window2D(kernel: (3, 3), stride: (2, 2), padding: (1, 1)))
        #expect(Convolution.forwardAlgorithm(strided) == .direct && Convolution.gradientAlgorithm(strided) == .im2col)
    }

    private func applies(_ algorithm: ConvolutionAlgorithm, _ g: ConvGeometry) -> Bool {
        switch algorithm {
        case .winograd: Convolution.winogradApplies(g)
        case .rows: Convolution.rowsApply(g)
        case .direct, .im2col: true
        }
    }

    private func random(_ n: Int, _ rng: inout RandomGenerator) -> FloatBuffer {
        FloatBuffer((0..<n).map { _ in rng.uniform(-1, 1) })
    }

    /// Calls `body(input index, weight index, output index, output channel)` for every product the
    /// convolution sums whose input lies inside the image.
    private func forEachProduct(_ g: ConvGeometry, _ body: (Int, Int, Int, Int) -> Void) {
        let w = g.window
        for n in 0..<g.batch {
            for o in 0..<g.outChannels {
                for i in 0..<g.outHeight {
                    for j in 0..<g.outWidth {
                        for c in 0..<g.inChannels {
                            for ki in 0..<w.kernelH {
                                for kj in 0..<w.kernelW {
                                    let h = i * w.strideH - w.padH + ki * w.dilationH, v = j * w.strideW - w.padW + kj * w.dilationW
                                    guard h >= 0, h < g.height, v >= 0, v < g.width else { continue }
                                    body(((n * g.inChannels + c) * g.height + h) * g.width + v,
                                         ((o * g.inChannels + c) * w.kernelH + ki) * w.kernelW + kj,
                                         ((n * g.outChannels + o) * g.outHeight + i) * g.outWidth + j, o)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private func naiveForward(_ x: [Float], _ w: [Float], _ b: [Float]?, _ g: ConvGeometry) -> [Float] {
        var y = [Double](repeating: 0, count: g.batch * g.outputImage)
        for idx in y.indices { y[idx] = Double(b?[idx / g.outputPlane % g.outChannels] ?? 0) }
        forEachProduct(g) { xi, wi, yi, _ in y[yi] += Double(x[xi]) * Double(w[wi]) }
        return y.map(Float.init)
    }

    private func naiveGradients(_ x: [Float], _ w: [Float], _ dy: [Float], _ g: ConvGeometry) -> ([Float], [Float], [Float]) {
        var dx = [Double](repeating: 0, count: x.count), dw = [Double](repeating: 0, count: w.count)
        var db = [Double](repeating: 0, count: g.outChannels)
        forEachProduct(g) { xi, wi, yi, _ in
            dx[xi] += Double(dy[yi]) * Double(w[wi])
            dw[wi] += Double(dy[yi]) * Double(x[xi])
        }
        for (yi, v) in dy.enumerated() { db[yi / g.outputPlane % g.outChannels] += Double(v) }
        return (dx.map(Float.init), dw.map(Float.init), db.map(Float.init))
    }

    /// |a - b| <= 1e-5 (1 + |b|) elementwise.
    private func expectClose(_ a: [Float], _ b: [Float], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.count == b.count, sourceLocation: sourceLocation)
        let worst = zip(a, b).map { abs($0 - $1) / (1 + abs($1)) }.max() ?? 0
        #expect(worst <= 1e-5, "\(what): worst relative difference \(worst)", sourceLocation: sourceLocation)
    }
}
