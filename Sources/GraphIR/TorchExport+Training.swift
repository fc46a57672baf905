import SpecLanguage

/// The spec's training step in PyTorch: the weighted losses, the optimizer with every argument
/// as specrun resolves it, gradient clipping, and synthetic data of the declared shapes.
extension TorchExport {
    /// Each output's loss call as its definition writes it, and the constant tables (class
    /// weights, positive weights) the calls read, made once at import rather than at every step.
    static func losses(_ graph: Graph) -> (calls: [String], constants: [String]) {
        var calls: [String] = []
        var tables: [(name: String, comment: String, lines: [String])] = []
        for output in graph.outputs {
            let key = PythonNames.string(output.name)
            var call = TorchLossCall(prediction: "predictions[\(key)]", target: "targets[\(key)]", key: key)
            calls.append(graph.definitions.loss(output.loss.name).torchLoss(output.loss.options, &call))
            for constant in call.constants {
                if let i = tables.firstIndex(where: { $0.name == constant.table }) {
                    tables[i].lines.append(constant.line)
                } else {
                    tables.append((constant.table, constant.comment, [constant.line]))
                }
            }
        }
        let constants = tables.flatMap { ["# \($0.comment)", "\($0.name) = {"] + $0.lines + ["}"] }
        return (calls, constants)
    }

    static func objective(_ graph: Graph) -> [String] {
        var lines = [
            "def total_loss(predictions, targets):",
            "    \"\"\"The spec's objective: each output's loss times its weight, summed.\"\"\"",
        ]
        for (i, (output, loss)) in zip(graph.outputs, losses(graph).calls).enumerated() {
            let term = "\(Python.float(output.weight)) * " + loss
            lines.append(i == 0 ? "    loss = " + term : "    loss = loss + " + term)
        }
        lines.append("    return loss")
        return lines
    }

    static func optimizer(_ spec: Spec, _ definitions: Definitions) -> [String] {
        let (name, arguments) = definitions.optimizer(spec.optimizer.name).torchOptimizer(spec.optimizer.options)
        var lines = [
            "def make_optimizer(model):",
            "    \"\"\"The spec's optimizer, every argument as specrun resolves it.\"\"\"",
        ]
        if let schedule = spec.schedule {
            lines.append("    # The spec's schedule, \(SummaryReport.describe(schedule, spec: spec, definitions)), changes the learning rate once per epoch;")
            lines.append("    # a benchmark step runs at the initial rate.")
        }
        lines.append("    return torch.optim.\(name)(")
        lines.append("        model.parameters(),")
        lines += arguments.map { "        \($0.0)=\($0.1)," }
        lines.append("    )")
        return lines
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
            if output.targetKind == .classIndex {
                target = call("torch.randint", ["0", Python.size(output.shape.dims[0]), "(batch_size,)", "generator=generator"])
            } else if output.targetKind.isBinary {
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
