import Diagnostics
import SpecLanguage

extension Inference {
    /// Checks every output against its node and target: the target's kind and shape against what
    /// the loss takes (`LossDefinition.target`), then the loss's and the metrics' own checks.
    /// Returns the outputs that could be checked.
    mutating func checkHeads(_ nodes: [GraphNode]) -> [GraphOutput] {
        var outputs: [GraphOutput] = []
        var firstByTarget: [String: OutputSpec] = [:]
        for output in spec.model.outputs {
            guard !incomplete.fields.contains(output.target.name), let field = spec.data.field(named: output.target.name) else { continue }
            // An output with weight 0 only measures (its metrics on another head's target), so it
            // trains against nothing and shares its target with no one.
            if output.weight != 0 {
                if let first = firstByTarget[field.name] {
                    error(.sharedTarget, "the outputs '\(first.name)' and '\(output.name)' both train against the target '\(field.name)'",
                          at: output.target.range, notes: [Note("'\(first.name)' targets it here", at: first.target.range),
                                                           Note("an output that only measures takes `weight: 0`")])
                } else {
                    firstByTarget[field.name] = output
                }
            }
            guard let node = nodes.first(where: { $0.name == output.from.name }) else { continue }
            let loss = definitions.loss(output.loss.name)
            var head = HeadCheck(output: output, node: node, target: field, targetKind: loss.target,
                                 nodeSpec: spec.model.nodes.first { $0.name == node.name }, sink: sink)
            checkTargetField(loss, &head)
            switch loss.target {
            case .classIndex: checkClassifier(loss, &head)
            case .probability, .logit: checkBinary(loss, &head)
            case .value: if !isLabel(field), let made = shape(of: field) { checkTargetShape(made, &head) }
            }
            for metric in output.metrics { checkMetric(metric, loss, &head) }
            sink = head.sink
            outputs.append(GraphOutput(name: output.name, from: node.name, target: field, loss: output.loss, targetKind: loss.target,
                                       weight: output.weight, metrics: output.metrics, shape: node.outputShape, range: output.nameRange))
        }
        return outputs
    }

    /// Class-index losses need a label target; float losses need a float target.
    private func checkTargetField(_ loss: any LossDefinition, _ head: inout HeadCheck) {
        let output = head.output, field = head.target
        let fieldNote = Note("'\(field.name)' is declared here", at: field.range)
        let wantsClassIndex = loss.target == .classIndex
        if wantsClassIndex && !isLabel(field) {
            head.error(.targetKind, "output '\(output.name)' uses \(loss.kind.name), which needs class indices, but its "
                + "target '\(field.name)' is a \(field.kind.name) field (floats)",
                  at: output.target.range, notes: [fieldNote, Note("declare the target as a label: {label: <column or level>}")])
        } else if !wantsClassIndex && isLabel(field) {
            var notes = [fieldNote]
            let fromColumn = definitions.source(spec.data.source.name)?.labelSources(spec.data.source.options) == nil
            if loss.target.isBinary, fromColumn, let column = definition(of: field).reads(field.kind.options).first {
                notes.append(Note("for a 0/1 column as a float target, declare {column: \(column)}"))
            } else {
                notes.append(Note("for class indices, use cross_entropy with classes(\(field.name)) outputs"))
            }
            head.error(.targetKind, "output '\(output.name)' uses \(loss.kind.name), which needs float targets, but its "
                + "target '\(field.name)' is a label (a class index): a label used as a float target",
                  at: output.target.range, notes: notes)
        }
    }

    /// One score per class of the target, then the loss's own checks.
    private func checkClassifier(_ loss: any LossDefinition, _ head: inout HeadCheck) {
        let output = head.output, node = head.node
        guard isLabel(head.target) else { return }
        guard node.outputShape.rank == 1 else {
            head.error(.classCountMismatch, "output '\(output.name)' (\(loss.kind.name)) needs one score per class, but "
                + "'\(node.name)' outputs \(node.outputShape)",
                  at: output.from.range, notes: [head.widthNote])
            return
        }
        head.require(node.outputShape.dims[0], equals: head.classes, .classCountMismatch,
                     "output '\(output.name)' has {lhs} scores per sample, but its target '\(head.target.name)' has {rhs} classes",
                     at: output.from.range, notes: [head.widthNote])
        loss.check(&head)
    }

    /// One unit per sample, then the loss's own checks and the target's shape.
    private func checkBinary(_ loss: any LossDefinition, _ head: inout HeadCheck) {
        let output = head.output, node = head.node, name = loss.kind.name
        guard node.outputShape.rank == 1,
              head.require(node.outputShape.dims[0], equals: 1, .bceHead,
                           "output '\(output.name)' (\(name)) must be one unit per sample, but '\(node.name)' makes {lhs} units",
                           at: output.from.range, notes: [head.widthNote])
        else {
            if node.outputShape.rank != 1 {
                head.error(.bceHead, "output '\(output.name)' (\(name)) must be one unit per sample, but '\(node.name)' outputs \(node.outputShape)",
                           at: output.from.range, notes: [head.widthNote])
            }
            return
        }
        loss.check(&head)
        if !isLabel(head.target), let made = shape(of: head.target) { checkTargetShape(made, &head) }
    }

    /// Float losses compare the prediction with a target of the same shape.
    private func checkTargetShape(_ made: TensorShape, _ head: inout HeadCheck) {
        let output = head.output
        let predicted = head.node.outputShape
        let message = "output '\(output.name)' predicts \(predicted), but its target '\(output.target.name)' is \(made)"
        guard predicted.rank == made.rank else {
            head.error(.targetShape, message, at: output.target.range, notes: [head.widthNote])
            return
        }
        for (p, m) in zip(predicted.dims, made.dims) {
            let template = "output '\(output.name)' predicts {lhs} values per sample, but its target '\(output.target.name)' has {rhs}"
            if !head.require(p, equals: m, .targetShape, predicted.rank == 1 ? template : message, at: output.target.range,
                             notes: [head.widthNote]) {
                return
            }
        }
    }

    /// A metric measures the kinds of target it is defined for; then its own checks.
    private func checkMetric(_ metric: SpecComponent, _ loss: any LossDefinition, _ head: inout HeadCheck) {
        let definition = definitions.metric(metric.name)
        guard definition.targets.contains(loss.target) else {
            let what = loss.target == .value ? "a regression" : loss.target == .classIndex ? "multi-class" : "a binary classification"
            let wanted = definition.targets.contains(.value) ? "a regression output"
                : definition.targets.allSatisfy(\.isBinary) ? "a one-unit binary classification output"
                : definition.targets == [.classIndex] ? "a multi-class output" : "a classification output"
            head.error(.metricMismatch, "output '\(head.output.name)' is \(what) (\(loss.kind.name)); \(metric.name) needs \(wanted)",
                       at: metric.nameRange)
            return
        }
        definition.check(metric, &head)
    }
}
