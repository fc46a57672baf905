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

    @Test(arguments: geometries)
    func directAndIm2colForwardsAgree(_ g: ConvGeometry) {
        var rng = RandomGenerator(seed: 1)
        let (x, w, b) = (random(g.batch * g.inputImage, &rng), random(g.outChannels * g.taps, &rng), random(g.outChannels, &rng))
        for bias in [true, false] {
            var outputs: [[Float]] = []
            for algorithm in ConvolutionAlgorithm.allCases {
                let y = FloatBuffer(uninitializedCount: g.batch * g.outputImage)
                Convolution.forward(x: x.base, weight: w.base, bias: bias ? b.base : nil, y: y.base, geometry: g, algorithm: algorithm)
                outputs.append(y.array)
            }
            expectClose(outputs[0], outputs[1], "\(g)")
            expectClose(outputs[1], naiveForward(x.array, w.array, bias ? b.array : nil, g), "\(g)")
        }
    }

    @Test(arguments: geometries)
    func gradientsMatchNaiveLoops(_ g: ConvGeometry) {
        var rng = RandomGenerator(seed: 2)
        let (x, w, dy) = (random(g.batch * g.inputImage, &rng), random(g.outChannels * g.taps, &rng), random(g.batch * g.outputImage, &rng))
        let (dxExpected, dwExpected, dbExpected) = naiveGradients(x.array, w.array, dy.array, g)

        let dx = random(g.batch * g.inputImage, &rng)  // garbage that accumulate false must overwrite
        Convolution.inputGradient(dy: dy.base, weight: w.base, dx: dx.base, geometry: g, accumulate: false)
        expectClose(dx.array, dxExpected, "\(g) dx")
        Convolution.inputGradient(dy: dy.base, weight: w.base, dx: dx.base, geometry: g, accumulate: true)
        expectClose(dx.array, dxExpected.map { 2 * $0 }, "\(g) dx accumulated")

        let dw = random(g.outChannels * g.taps, &rng), db = random(g.outChannels, &rng)
        Convolution.parameterGradients(dy: dy.base, x: x.base, dWeight: dw.base, dBias: db.base, geometry: g)
        expectClose(dw.array, dwExpected, "\(g) dw")
        expectClose(db.array, dbExpected, "\(g) db")
        let dbAlone = random(g.outChannels, &rng)
        Convolution.parameterGradients(dy: dy.base, x: x.base, dWeight: nil, dBias: dbAlone.base, geometry: g)
        expectClose(dbAlone.array, dbExpected, "\(g) db alone")
    }

    @Test func forwardAlgorithmFollowsTheMeasurements() {
        func geometry(_ c: Int, _ size: Int) -> ConvGeometry {
            ConvGeometry(batch: 32, inChannels: c, height: size, width: size, outChannels: 16,
                         window: Window2D(kernel: (3, 3), stride: (1, 1), padding: (1, 1)))
        }
        #expect(Convolution.forwardAlgorithm(geometry(1, 64)) == .im2col)  // the seed
        #expect(Convolution.forwardAlgorithm(geometry(4, 8)) == .direct)
        #expect(Convolution.forwardAlgorithm(geometry(16, 8)) == .im2col)
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
