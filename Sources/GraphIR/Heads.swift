import Diagnostics
import SpecLanguage

extension Inference {
    /// Checks every output against its node and target; returns the outputs that could be checked.
    mutating func checkHeads(_ nodes: [GraphNode]) -> [GraphOutput] {
        var outputs: [GraphOutput] = []
        var firstByTarget: [String: OutputSpec] = [:]
        for output in spec.model.outputs {
            guard let field = spec.data.field(named: output.target.name) else { continue }
            if let first = firstByTarget[field.name] {
                error(.sharedTarget, "the outputs '\(first.name)' and '\(output.name)' both train against the target '\(field.name)'",
                      at: output.target.range, notes: [Note("'\(first.name)' targets it here", at: first.target.range)])
            } else {
                firstByTarget[field.name] = output
            }
            guard let node = nodes.first(where: { $0.name == output.from.name }) else { continue }
            checkTargetKind(output, field)
            if output.loss.wantsClassIndex {
                checkClassifier(output, node, field)
            } else if output.loss.isBinary {
                checkBinary(output, node, field)
            } else if !field.kind.isClassIndex, let made = shape(of: field) {
                checkTargetShape(output, node, made)
            }
            outputs.append(GraphOutput(name: output.name, from: node.name, target: field, loss: output.loss, weight: output.weight,
                                       metrics: output.metrics, shape: node.outputShape, range: output.nameRange))
        }
        return outputs
    }

    /// Class-index losses need a label target; float losses need a float target.
    private mutating func checkTargetKind(_ output: OutputSpec, _ field: FieldSpec) {
        let fieldNote = Note("'\(field.name)' is declared here", at: field.range)
        if output.loss.wantsClassIndex && !field.kind.isClassIndex {
            error(.targetKind, "output '\(output.name)' uses \(output.loss.name), which needs class indices, but its "
                + "target '\(field.name)' is a \(field.kind.keyword) field (floats)",
                  at: output.target.range, notes: [fieldNote, Note("declare the target as a label: {label: <column or level>}")])
        } else if !output.loss.wantsClassIndex && field.kind.isClassIndex {
            var notes = [fieldNote]
            if output.loss.isBinary, case .csv = spec.data.source, case .label(let column) = field.kind {
                notes.append(Note("for a 0/1 column as a float target, declare {column: \(column)}"))
            } else {
                notes.append(Note("for class indices, use cross_entropy with classes(\(field.name)) outputs"))
            }
            error(.targetKind, "output '\(output.name)' uses \(output.loss.name), which needs float targets, but its "
                + "target '\(field.name)' is a label (a class index): a label used as a float target",
                  at: output.target.range, notes: notes)
        }
    }

    /// Where a node gets its output shape, for notes: the last layer that changes the shape (at
    /// its `out` when written), so that a trailing activation does not hide the layer to fix.
    private func widthNote(_ node: GraphNode) -> Note {
        guard let nodeSpec = spec.model.nodes.first(where: { $0.name == node.name }),
              case .sequence(_, let layers) = nodeSpec.kind,
              let built = node.layers.last(where: { !$0.layer.preservesShape }) ?? node.layers.last else {
            return Note("'\(node.name)' outputs \(node.outputShape)", at: node.range)
        }
        let written = layers[built.index]
        let at = written.options.isGiven("out") ? written.options.range(of: "out") : written.kindRange
        return Note("'\(node.name)' gets its shape \(node.outputShape) from \(built.layer.signature) (layer \(built.index))", at: at)
    }

    /// The node's last layer, for notes about activations.
    private func lastLayerNote(_ node: GraphNode) -> Note {
        guard let nodeSpec = spec.model.nodes.first(where: { $0.name == node.name }),
              case .sequence(_, let layers) = nodeSpec.kind, let last = node.layers.last else {
            return Note("'\(node.name)' is a \(node.operation.kindName) node", at: node.range)
        }
        return Note("'\(node.name)' ends with \(last.layer.signature) (layer \(last.index))", at: layers[last.index].kindRange)
    }

    private mutating func checkClassifier(_ output: OutputSpec, _ node: GraphNode, _ field: FieldSpec) {
        let classes = SymbolicSize.classes(field.name)
        let target = field.name
        guard field.kind.isClassIndex else { return }
        guard node.outputShape.rank == 1 else {
            error(.classCountMismatch, "output '\(output.name)' (\(output.loss.name)) needs one score per class, but "
                + "'\(node.name)' outputs \(node.outputShape)",
                  at: output.from.range, notes: [widthNote(node)])
            return
        }
        require(node.outputShape.dims[0], equals: classes, .classCountMismatch,
                "output '\(output.name)' has {lhs} scores per sample, but its target '\(target)' has {rhs} classes",
                at: output.from.range, notes: [widthNote(node)])
        if let weights = output.loss.classWeights {
            require(SymbolicSize(weights.count), equals: classes, .classCountMismatch,
                    "output '\(output.name)' gives {lhs} class weights, but its target '\(target)' has {rhs} classes", at: output.lossRange)
        }
        let last = node.layers.last?.layer
        let endsWithSoftmax = if case .softmax? = last { true } else { false }
        let endsWithLogSoftmax = if case .logSoftmax? = last { true } else { false }
        if case .crossEntropy = output.loss, endsWithSoftmax || endsWithLogSoftmax {
            let kind = last?.kindName ?? ""
            error(.softmaxBeforeLoss, "output '\(output.name)' uses cross_entropy, which applies log-softmax itself, but "
                + "'\(node.name)' already ends with \(kind)",
                  at: output.lossRange, notes: [lastLayerNote(node), Note("remove the final \(kind): cross_entropy takes raw scores")])
        }
        if case .nll = output.loss, endsWithSoftmax {
            error(.softmaxBeforeLoss, "output '\(output.name)' uses nll, which takes log-probabilities, but '\(node.name)' ends with softmax",
                  at: output.lossRange, notes: [lastLayerNote(node), Note("end the node with log_softmax instead")])
        }
    }

    private mutating func checkBinary(_ output: OutputSpec, _ node: GraphNode, _ field: FieldSpec) {
        let name = output.loss.name
        guard node.outputShape.rank == 1,
              require(node.outputShape.dims[0], equals: 1, .bceHead,
                      "output '\(output.name)' (\(name)) must be one unit per sample, but '\(node.name)' makes {lhs} units",
                      at: output.from.range, notes: [widthNote(node)])
        else {
            if node.outputShape.rank != 1 {
                error(.bceHead, "output '\(output.name)' (\(name)) must be one unit per sample, but '\(node.name)' outputs \(node.outputShape)",
                      at: output.from.range, notes: [widthNote(node)])
            }
            return
        }
        let endsWithSigmoid = if case .sigmoid? = node.layers.last?.layer { true } else { false }
        if case .bce = output.loss, !endsWithSigmoid {
            let last = node.layers.last.map { "ends with \($0.layer.kindName)" } ?? "is a \(node.operation.kindName) node"
            error(.bceHead, "output '\(output.name)' uses bce, which takes probabilities, but '\(node.name)' \(last)", at: output.lossRange,
                  notes: [lastLayerNote(node), Note("end the node with sigmoid, or use bce_with_logits on raw scores")])
        }
        if case .bceWithLogits = output.loss, endsWithSigmoid {
            error(.doubleSigmoid, "output '\(output.name)' uses bce_with_logits, which applies a sigmoid itself, but "
                + "'\(node.name)' already ends with sigmoid",
                  at: output.lossRange, notes: [lastLayerNote(node), Note("remove the final sigmoid, or use bce")])
        }
        if !field.kind.isClassIndex, let made = shape(of: field) { checkTargetShape(output, node, made) }
    }

    /// Float losses compare the prediction with a target of the same shape.
    private mutating func checkTargetShape(_ output: OutputSpec, _ node: GraphNode, _ made: TensorShape) {
        let predicted = node.outputShape
        let message = "output '\(output.name)' predicts \(predicted), but its target '\(output.target.name)' is \(made)"
        guard predicted.rank == made.rank else {
            error(.targetShape, message, at: output.target.range, notes: [widthNote(node)])
            return
        }
        for (p, m) in zip(predicted.dims, made.dims) {
            let template = "output '\(output.name)' predicts {lhs} values per sample, but its target '\(output.target.name)' has {rhs}"
            if !require(p, equals: m, .targetShape, predicted.rank == 1 ? template : message, at: output.target.range, notes: [widthNote(node)]) {
                return
            }
        }
    }
}

extension GraphNode.Operation {
    var kindName: String {
        switch self {
        case .sequence: "sequence"
        case .concat: "concat"
        case .add: "add"
        }
    }
}
