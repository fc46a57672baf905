import Autograd
import Testing

/// Every dense op, forward and backward, against PyTorch (Goldens/dense.json, written by
/// tools/goldens/dense.py). Tolerances are per case in the file: rtol 1e-5, atol 1e-6 throughout.
@Suite struct DenseGoldenTests {
    @Test(arguments: Golden.cases("dense"))
    func matchesPyTorch(_ c: GoldenCase) {
        switch c.op {
        case "add", "sub", "mul", "div":
            let a = c.input("a"), b = c.input("b")
            let y = switch c.op {
            case "add": a + b
            case "sub": a - b
            case "mul": a * b
            default: a / b
            }
            c.checkForwardAndBackward(y)
            c.checkGradients(["a": a, "b": b])
        case "mul_self":
            let a = c.input("a")
            c.checkForwardAndBackward(a * a)
            c.checkGradients(["a": a])
        case "scalar":
            let x = c.input("x"), s = c.param("s")!.float!
            let y = switch c.param("form")!.string! {
            case "x + s": x + s
            case "s + x": s + x
            case "x - s": x - s
            case "s - x": s - x
            case "x * s": x * s
            case "s * x": s * x
            case "x / s": x / s
            case "s / x": s / x
            default: -x
            }
            c.checkForwardAndBackward(y)
            c.checkGradients(["x": x])
        case "matmul":
            let a = c.input("a"), b = c.input("b")
            c.checkForwardAndBackward(a.matmul(b, transposeSelf: c.param("transA")!.bool!, transposeOther: c.param("transB")!.bool!))
            c.checkGradients(["a": a, "b": b])
        case "linear":
            let x = c.input("x"), w = c.input("w"), b = c.optionalInput("b")
            c.checkForwardAndBackward(x.linear(w, b))
            c.checkGradients(["x": x, "w": w, "b": b].compactMapValues { $0 })
        case "sum", "mean":
            let x = c.input("x")
            let keep = c.param("keepdim")!.bool!
            let y: Tensor
            if let axes = c.param("axes")?.ints {
                y = c.op == "sum" ? x.sum(axes: axes, keepDims: keep) : x.mean(axes: axes, keepDims: keep)
            } else {
                y = c.op == "sum" ? x.sum() : x.mean()
            }
            c.checkForwardAndBackward(y)
            c.checkGradients(["x": x])
        case "reshape":
            let x = c.input("x")
            let dims = c.param("dims")!.ints!
            c.checkForwardAndBackward(x.reshaped(dims[0], dims[1]))
            c.checkGradients(["x": x])
        case "flatten":
            let x = c.input("x")
            c.checkForwardAndBackward(x.flattened(fromAxis: c.param("start")!.int!, throughAxis: c.param("end")!.int!))
            c.checkGradients(["x": x])
        case "concat":
            let keys = c.inputs.keys.sorted()
            let ts = keys.map { c.input($0) }
            c.checkForwardAndBackward(Tensor.concat(ts, axis: c.param("axis")!.int!))
            c.checkGradients(Dictionary(uniqueKeysWithValues: zip(keys, ts)))
        case "concat_self":
            let t = c.input("t0")
            c.checkForwardAndBackward(Tensor.concat([t, t], axis: c.param("axis")!.int!))
            c.checkGradients(["t0": t])
        case "slice":
            let x = c.input("x")
            c.checkForwardAndBackward(x.slice(axis: c.param("axis")!.int!, c.param("start")!.int!..<c.param("end")!.int!))
            c.checkGradients(["x": x])
        case "split":
            let x = c.input("x")
            let parts = x.split(sizes: c.param("sizes")!.ints!, axis: c.param("axis")!.int!)
            for (i, part) in parts.enumerated() { c.checkForwardAndBackward(part, key: "y\(i)") }
            c.checkGradients(["x": x])
        case "relu", "leaky_relu", "elu", "gelu", "sigmoid", "tanh", "softmax", "log_softmax":
            let x = c.input("x")
            let y = switch c.op {
            case "relu": x.relu()
            case "leaky_relu": x.leakyRelu(negativeSlope: c.param("slope")!.float!)
            case "elu": x.elu(alpha: c.param("alpha")!.float!)
            case "gelu": x.gelu(approximate: c.param("approximate")?.string == "tanh")
            case "sigmoid": x.sigmoid()
            case "tanh": x.tanh()
            case "softmax": x.softmax(axis: c.param("axis")!.int!)
            default: x.logSoftmax(axis: c.param("axis")!.int!)
            }
            c.checkForwardAndBackward(y)
            c.checkGradients(["x": x])
        case "cross_entropy", "nll_loss":
            let x = c.input("x"), t = c.classIndices("t"), w = c.optionalInput("w")
            let y = c.op == "nll_loss" ? x.nllLoss(targets: t, weights: w)
                : x.crossEntropy(targets: t, weights: w, labelSmoothing: c.param("smoothing")?.float ?? 0)
            c.checkForwardAndBackward(y)
            c.checkGradients(["x": x])
        case "bce":
            let p = c.input("p"), y = c.input("y")
            c.checkForwardAndBackward(p.binaryCrossEntropy(targets: y, weights: c.optionalInput("w")))
            c.checkGradients(["p": p])
        case "bce_with_logits":
            let x = c.input("x"), y = c.input("y")
            c.checkForwardAndBackward(x.binaryCrossEntropyWithLogits(targets: y, weights: c.optionalInput("w"), posWeight: c.optionalInput("pw")))
            c.checkGradients(["x": x])
        case "mse_loss", "l1_loss":
            let x = c.input("x"), y = c.input("y")
            c.checkForwardAndBackward(c.op == "mse_loss" ? x.mseLoss(targets: y) : x.l1Loss(targets: y))
            c.checkGradients(["x": x, "y": y])
        case "weighted_losses":
            let x = c.input("x"), t = c.classIndices("t"), p = c.input("p"), y = c.input("y")
            let loss = c.param("wa")!.float! * x.crossEntropy(targets: t) + c.param("wb")!.float! * p.binaryCrossEntropy(targets: y)
            c.checkForwardAndBackward(loss)
            c.checkGradients(["x": x, "p": p])
        case "argmax":
            let x = c.input("x")
            let indices = x.argmax(axis: c.param("axis")!.int!)
            #expect(indices.map(Float.init) == c.outputs["y"]!.data, "\(c.name)")
        default:
            Issue.record("\(c.name): no test for op \(c.op)")
        }
    }
}
