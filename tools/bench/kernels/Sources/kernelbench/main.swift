// kernelbench: specrun's kernels on the benchmark zoo's shapes, each algorithm against the others
// in the same run. Every number is the fastest of `--runs` timings (default 30) after two warm-up
// calls: on a machine shared with other jobs the fastest run is the one nobody disturbed.
//
//     swift run -c release --package-path tools/bench/kernels kernelbench conv      # im2col / Winograd / direct
//     swift run -c release --package-path tools/bench/kernels kernelbench batchnorm # [N, C] forward, backward, eval
//     swift run -c release --package-path tools/bench/kernels kernelbench gemm      # a linear layer's three products
//     swift run -c release --package-path tools/bench/kernels kernelbench pool      # 2x2 max pooling
//     swift run -c release --package-path tools/bench/kernels kernelbench peak      # sgemm 2048^3 (JSON, for zoo.py)
//
// SPECRUN_THREADS sets the threads (1 gives per-core numbers). `gemm --openblas-threads N` hands
// each product whole to OpenBLAS with N threads of its own, instead of specrun's split.
// `SPECRUN_GEMM=openblas` runs the products in OpenBLAS where an AVX-512 build would run its own.
import Autograd
import Foundation
import Kernels

let arguments = CommandLine.arguments
let runs = arguments.firstIndex(of: "--runs").flatMap { Int(arguments[$0 + 1]) } ?? 30

/// The fastest of `runs` timings of `body`, in ms.
func fastest(_ body: () -> Void) -> Double {
    body(); body()
    var best = Double.infinity
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    return best
}

func random(_ dims: [Int], requiresGrad: Bool = false, seed: UInt64 = 1) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return Tensor(shape: Shape(dims), values: (0..<dims.reduce(1, *)).map { _ in rng.uniform(-1, 1) }, requiresGrad: requiresGrad)
}

func ms(_ x: Double) -> String { String(format: "%.3f ms", x) }

print("kernelbench: \((try? BLAS.load().description) ?? "no BLAS"), \(Parallel.threadCount) threads, fastest of \(runs)")

if arguments.contains("conv") {
    // (batch, in, size, out, kernel, padding): the CIFAR CNN's, LeNet's and the seed's convolutions,
    // and the separable CNN's pointwise ones.
    let shapes = [(64, 3, 32, 32, 3, 1), (64, 32, 16, 64, 3, 1), (64, 64, 8, 128, 3, 1), (64, 1, 28, 6, 5, 2), (64, 6, 14, 16, 5, 0),
                  (32, 1, 64, 16, 3, 1), (64, 32, 32, 64, 1, 0), (64, 64, 16, 128, 1, 0), (64, 128, 8, 128, 1, 0)]
    for (n, c, size, o, k, pad) in shapes {
        let g = ConvGeometry(batch: n, inChannels: c, height: size, width: size, outChannels: o,
                             window: Window2D(kernel: (k, k), stride: (1, 1), padding: (pad, pad)))
        let x = random([n, c, size, size]), w = random([o, c, k, k]), b = random([o]), dy = random([n, o, g.outHeight, g.outWidth])
        let y = FloatBuffer(uninitializedCount: n * g.outputImage), dx = FloatBuffer(uninitializedCount: n * g.inputImage)
        let dw = FloatBuffer(uninitializedCount: o * g.taps), db = FloatBuffer(uninitializedCount: o)
        print("conv2d \(c) -> \(o), \(k)x\(k) padding \(pad), input (\(n),\(c),\(size),\(size)); chosen: forward \(Convolution.forwardAlgorithm(g)), gradients \(Convolution.gradientAlgorithm(g))")
        for algorithm in ConvolutionAlgorithm.allCases where (algorithm != .winograd || Convolution.winogradApplies(g)) && (algorithm != .rows || Convolution.rowsApply(g)) {
            let forward = fastest { Convolution.forward(x: x.data, weight: w.data, bias: b.data, y: y.base, geometry: g, algorithm: algorithm) }
            guard algorithm != .direct else { print("  \(algorithm): forward \(ms(forward))"); continue }
            let input = fastest { Convolution.inputGradient(dy: dy.data, weight: w.data, dx: dx.base, geometry: g, accumulate: false, algorithm: algorithm) }
            let weight = fastest { Convolution.parameterGradients(dy: dy.data, x: x.data, dWeight: dw.base, dBias: db.base, geometry: g, algorithm: algorithm) }
            let both = fastest {
                Convolution.gradients(dy: dy.data, x: x.data, weight: w.data, dx: dx.base, accumulate: false, dWeight: dw.base,
                                      dBias: db.base, geometry: g, algorithm: algorithm)
            }
            print("  \(algorithm): forward \(ms(forward)), input gradient \(ms(input)), weight gradient \(ms(weight)), all gradients \(ms(both))")
        }
    }
}

if arguments.contains("batchnorm") {
    for (n, c) in [(128, 1024), (256, 1024)] {
        let x = random([n, c], requiresGrad: true), w = random([c], requiresGrad: true), b = random([c], requiresGrad: true)
        let mean = Tensor.zeros([c]), variance = Tensor.filled([c], with: 1), upstream = random([n, c])
        func layer(_ training: Bool) -> Tensor { x.batchNorm(runningMean: mean, runningVar: variance, weight: w, bias: b, training: training) }
        let forward = fastest { _ = layer(true) }
        let step = fastest {
            for t in [x, w, b] { t.setGrad(nil) }
            layer(true).backward(consuming: upstream.detached())
        }
        let evaluation = fastest { _ = layer(false) }
        print("batchnorm (\(n),\(c)): training forward \(ms(forward)), backward \(ms(step - forward)); evaluation forward \(ms(evaluation))")
    }
}

if arguments.contains("gemm") {
    if let at = arguments.firstIndex(of: "--openblas-threads"), let count = Int32(arguments[at + 1]),
       let library = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_NOLOAD), let symbol = dlsym(library, "openblas_set_num_threads") {
        unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Void).self)(count)
        print("OpenBLAS runs each product on \(count) threads of its own")
    }
    // Products run in specrun's AVX-512 GEMM when the build has AVX-512, unless SPECRUN_GEMM=openblas.
    print(PackedGEMM.isChosen ? "products: specrun's AVX-512 GEMM" : "products: \((try? BLAS.load().description) ?? "no BLAS")")
    // (rows, in, out): the zoo's linear layers and the seed's 16384 -> 128; the forward y = x Wᵀ
    // (and yᵀ = W xᵀ, which Tensor.linear uses for fewer rows than outputs), dx = g W and dW = gᵀ x.
    for (rows, inF, outF) in [(128, 784, 1024), (128, 1024, 1024), (256, 1024, 1024), (256, 512, 512), (256, 784, 512), (64, 2048, 256),
                              (32, 16384, 128)] {
        let x = random([rows, inF]), w = random([outF, inF]), g = random([rows, outF])
        let c = FloatBuffer(uninitializedCount: max(rows * outF, rows * inF, outF * inF))
        let (xd, wd, gd) = (UnsafePointer(x.data), UnsafePointer(w.data), UnsafePointer(g.data))
        var line = "linear \(rows) x \(inF) -> \(outF), GFLOP/s:"
        for (name, ta, tb, m, n, k, a, lda, b, ldb) in [("y = x Wt", false, true, rows, outF, inF, xd, inF, wd, inF),
                                                         ("yt = W xt", false, true, outF, rows, inF, wd, inF, xd, inF),
                                                         ("dx = g W", false, false, rows, inF, outF, gd, outF, wd, inF),
                                                         ("dW = gt x", true, false, outF, inF, rows, gd, outF, xd, inF)] {
            let time = fastest { BLAS.sgemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1, a: a, lda: lda, b: b, ldb: ldb, beta: 0, c: c.base, ldc: n) }
            line += String(format: " %@ %.0f,", name, 2 * Double(m * n * k) / time / 1e6)
        }
        print(String(line.dropLast()))
    }
}

if arguments.contains("peak") {
    // The benchmark zoo's sgemm peak, as specrun runs products (its own GEMM or OpenBLAS, split
    // across SPECRUN_THREADS): 2048^3, the median of 7 after a warm-up, as zoo_torch.py times
    // torch and numpy. One JSON line for tools/bench/zoo.py.
    let n = 2048, a = random([n, n]), b = random([n, n]), c = FloatBuffer(uninitializedCount: n * n)
    let product = { BLAS.sgemm(transA: false, transB: false, m: n, n: n, k: n, alpha: 1, a: a.data, lda: n, b: b.data, ldb: n,
                               beta: 0, c: c.base, ldc: n) }
    product()
    var times: [Double] = []
    for _ in 0..<7 {
        let start = DispatchTime.now().uptimeNanoseconds
        product()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    let median = times.sorted()[3]
    print("{\"specrun_sgemm_gflops\": \(2 * Double(n * n * n) / median / 1e9)}")
}

if arguments.contains("pool") {
    for dims in [[64, 6, 28, 28], [64, 16, 10, 10], [64, 32, 32, 32], [64, 64, 16, 16], [64, 128, 8, 8]] {
        let x = random(dims)
        print("maxpool2d 2x2 on \(dims): forward \(ms(fastest { _ = x.maxPool2d(kernelSize: 2) }))")
    }
}
