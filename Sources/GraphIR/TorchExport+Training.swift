import SpecLanguage

/// The spec's training step in PyTorch: the weighted losses, the optimizer with every argument
/// as specrun resolves it, gradient clipping, and synthetic data of the declared shapes.
extension TorchExport {
    /// Loss tensors (class weights, positive weights) made once at import, not at every step.
    static func lossConstants(_ graph: Graph) -> [String] {
        var classWeights: [String] = [], posWeights: [String] = []
        for output in graph.outputs {
            if let weights = output.loss.classWeights {
                classWeights.append("    \(PythonNames.string(output.name)): torch.tensor([" + weights.map(Python.float).joined(separator: ", ") + "]),")
            }
            if case .bceWithLogits(let posWeight?) = output.loss {
                posWeights.append("    \(PythonNames.string(output.name)): torch.tensor([\(Python.float(posWeight))]),")
            }
        }
        var lines: [String] = []
        if !classWeights.isEmpty {
            lines += ["# Class weights of the outputs' losses (PyTorch's `weight`), in class order.", "CLASS_WEIGHTS = {"] + classWeights + ["}"]
        }
        if !posWeights.isEmpty {
            lines += ["# Weights of the positive examples of the outputs' bce_with_logits losses.", "POS_WEIGHTS = {"] + posWeights + ["}"]
        }
        return lines
    }

    static func objective(_ graph: Graph) -> [String] {
        var lines = [
            "def total_loss(predictions, targets):",
            "    \"\"\"The spec's objective: each output's loss times its weight, summed.\"\"\"",
        ]
        for (i, output) in graph.outputs.enumerated() {
            let term = "\(Python.float(output.weight)) * " + loss(output)
            lines.append(i == 0 ? "    loss = " + term : "    loss = loss + " + term)
        }
        lines.append("    return loss")
        return lines
    }

    private static func loss(_ output: GraphOutput) -> String {
        let key = PythonNames.string(output.name)
        let operands = ["predictions[\(key)]", "targets[\(key)]"]
        let weight = output.loss.classWeights == nil ? [] : ["weight=CLASS_WEIGHTS[\(key)]"]
        switch output.loss {
        case .crossEntropy(let smoothing, _):
            return call("F.cross_entropy", operands + weight + (smoothing == 0 ? [] : ["label_smoothing=" + Python.float(smoothing)]))
        case .nll: return call("F.nll_loss", operands + weight)
        case .bce: return call("F.binary_cross_entropy", operands)
        case .bceWithLogits(let posWeight):
            return call("F.binary_cross_entropy_with_logits", operands + (posWeight == nil ? [] : ["pos_weight=POS_WEIGHTS[\(key)]"]))
        case .mse: return call("F.mse_loss", operands)
        case .l1: return call("F.l1_loss", operands)
        }
    }

    static func optimizer(_ spec: Spec) -> [String] {
        let (name, arguments): (String, [(String, String)]) = switch spec.optimizer {
        case .sgd(let o):
            ("SGD", [("lr", Python.float(o.lr)), ("momentum", Python.float(o.momentum)), ("dampening", Python.float(o.dampening)),
                     ("weight_decay", Python.float(o.weightDecay)), ("nesterov", Python.bool(o.nesterov)), ("maximize", Python.bool(o.maximize))])
        case .adam(let o):
            ("Adam", adam(o) + [("decoupled_weight_decay", Python.bool(o.decoupledWeightDecay))])
        case .adamw(let o):
            ("AdamW", adam(o))
        case .rmsprop(let o):
            ("RMSprop", [("lr", Python.float(o.lr)), ("alpha", Python.float(o.alpha)), ("eps", Python.float(o.eps)),
                         ("weight_decay", Python.float(o.weightDecay)), ("momentum", Python.float(o.momentum)),
                         ("centered", Python.bool(o.centered)), ("maximize", Python.bool(o.maximize))])
        case .adagrad(let o):
            ("Adagrad", [("lr", Python.float(o.lr)), ("lr_decay", Python.float(o.lrDecay)), ("weight_decay", Python.float(o.weightDecay)),
                         ("initial_accumulator_value", Python.float(o.initialAccumulatorValue)), ("eps", Python.float(o.eps)),
                         ("maximize", Python.bool(o.maximize))])
        }
        var lines = [
            "def make_optimizer(model):",
            "    \"\"\"The spec's optimizer, every argument as specrun resolves it.\"\"\"",
        ]
        if let schedule = spec.schedule {
            lines.append("    # The spec's schedule, \(SummaryReport.describe(schedule)), changes the learning rate once per epoch;")
            lines.append("    # a benchmark step runs at the initial rate.")
        }
        lines.append("    return torch.optim.\(name)(")
        lines.append("        model.parameters(),")
        lines += arguments.map { "        \($0.0)=\($0.1)," }
        lines.append("    )")
        return lines
    }

    private static func adam(_ o: OptimizerSpec.Adam) -> [(String, String)] {
        [("lr", Python.float(o.lr)), ("betas", "(\(Python.float(o.beta1)), \(Python.float(o.beta2)))"), ("eps", Python.float(o.eps)),
         ("weight_decay", Python.float(o.weightDecay)), ("amsgrad", Python.bool(o.amsgrad)), ("maximize", Python.bool(o.maximize))]
    }

    static func syntheticBatch(_ graph: Graph) -> [String] {
        var lines = [
            needsClasses(graph) ? "def synthetic_batch(batch_size, classes, generator):" : "def synthetic_batch(batch_size, generator):",
            "    \"\"\"Random inputs and targets of the spec's shapes: inputs uniform in [0, 1), class targets",
            "    uniform over the classes, 0/1 floats for the binary losses, uniform floats for the others.\"\"\"",
            "    inputs = {",
        ]
        for input in graph.inputs {
            lines.append("        \(PythonNames.string(input.name)): " + call("torch.rand", ["batch_size"] + input.shape.dims.map(Python.size) + ["generator=generator"]) + ",")
        }
        lines.append("    }")
        lines.append("    targets = {")
        for output in graph.outputs {
            let shape = "(" + (["batch_size"] + output.shape.dims.map(Python.size)).joined(separator: ", ") + ")"
            let target: String
            if output.loss.wantsClassIndex {
                target = call("torch.randint", ["0", Python.size(output.shape.dims[0]), "(batch_size,)", "generator=generator"])
            } else if output.loss.isBinary {
                target = call("torch.randint", ["0", "2", shape, "generator=generator"]) + ".float()"
            } else {
                target = call("torch.rand", ["batch_size"] + output.shape.dims.map(Python.size) + ["generator=generator"])
            }
            lines.append("        \(PythonNames.string(output.name)): \(target),")
        }
        lines.append("    }")
        lines.append("    return inputs, targets")
        return lines
    }

    static func trainStep(_ graph: Graph, spec: Spec) -> [String] {
        let arguments = graph.inputs.map { "inputs[\(PythonNames.string($0.name))]" }.joined(separator: ", ")
        var lines = [
            "def train_step(model, optimizer, inputs, targets):",
            "    \"\"\"One training step; returns the loss and the seconds spent in forward (model and loss),",
            "    backward, and the optimizer (clipping, step, zero_grad).\"\"\"",
            "    start = time.perf_counter()",
            "    predictions = model(\(arguments))",
            "    loss = total_loss(predictions, targets)",
            "    forward_done = time.perf_counter()",
            "    loss.backward()",
            "    backward_done = time.perf_counter()",
        ]
        if let maxNorm = spec.train.clipGradNorm {
            lines.append("    nn.utils.clip_grad_norm_(model.parameters(), max_norm=\(Python.float(maxNorm)))")
        }
        lines += [
            "    optimizer.step()",
            "    optimizer.zero_grad()",
            "    optimizer_done = time.perf_counter()",
            "    return loss, forward_done - start, backward_done - forward_done, optimizer_done - backward_done",
        ]
        return lines
    }
}
