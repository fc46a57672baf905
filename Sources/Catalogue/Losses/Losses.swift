import Diagnostics
import Foundation
import GraphIR
import NN
import SpecLanguage

private let classWeights = ParameterSpec("class_weights", .list(.float, minCount: 1), .optional("every class weighs 1"),
                                         bounds: .atLeast(0), pytorch: "weight",
                                         "One weight per class, in class order; the list's length must be the class count.")

extension HeadCheck {
    /// `class_weights` has one weight per class of the target.
    mutating func checkClassWeights() {
        guard let weights = options.doubles("class_weights") else { return }
        require(SymbolicSize(weights.count), equals: classes, .classCountMismatch,
                "output '\(output.name)' gives {lhs} class weights, but its target '\(target.name)' has {rhs} classes", at: output.lossRange)
    }
}

extension TorchLossCall {
    /// `weight=CLASS_WEIGHTS["out"]` when the loss has class weights.
    mutating func classWeightArgument(_ options: SpecOptions) -> [String] {
        guard let weights = options.doubles("class_weights") else { return [] }
        return ["weight=" + constant("CLASS_WEIGHTS", comment: "Class weights of the outputs' losses (PyTorch's `weight`), in class order.",
                                     values: weights)]
    }
}

/// `cross_entropy`: `nn.CrossEntropyLoss` on logits against class indices.
struct CrossEntropyLoss: RunnableLoss {
    let kind = KindSpec("cross_entropy", .loss, pytorch: "nn.CrossEntropyLoss",
                        "Softmax cross-entropy on raw scores (logits) against class indices (a `label` target).", [
        ParameterSpec("label_smoothing", .float, .defaultValue(.float(0)), bounds: .interval(0, 1),
                      "Share of the target mass spread evenly over all classes."),
        classWeights,
    ])
    let target = TargetKind.classIndex

    func check(_ head: inout HeadCheck) {
        head.checkClassWeights()
        guard let last = head.lastLayerKind, last == "softmax" || last == "log_softmax" else { return }
        head.error(.softmaxBeforeLoss, "output '\(head.output.name)' uses cross_entropy, which applies log-softmax itself, but "
            + "'\(head.node.name)' already ends with \(last)",
                   at: head.output.lossRange, notes: [head.lastLayerNote, Note("remove the final \(last): cross_entropy takes raw scores")])
    }

    func torchLoss(_ options: SpecOptions, _ call: inout TorchLossCall) -> String {
        let smoothing = options.number("label_smoothing")
        return TorchExport.call("F.cross_entropy", [call.prediction, call.target] + call.classWeightArgument(options)
            + (smoothing == 0 ? [] : ["label_smoothing=" + Python.float(smoothing)]))
    }

    func probabilities(_ scores: [Float]) -> [Float]? { softmax(scores) }

    func function(_ options: SpecOptions) -> LossFunction {
        .crossEntropy(classWeights: options.doubles("class_weights")?.map(Float.init), labelSmoothing: Float(options.number("label_smoothing")))
    }
}

/// `nll`: `nn.NLLLoss` on log-probabilities against class indices.
struct NLLLoss: RunnableLoss {
    let kind = KindSpec("nll", .loss, pytorch: "nn.NLLLoss",
                        "Negative log-likelihood on log-probabilities (after `log_softmax`) against class indices.", [classWeights])
    let target = TargetKind.classIndex

    func check(_ head: inout HeadCheck) {
        head.checkClassWeights()
        guard head.lastLayerKind == "softmax" else { return }
        head.error(.softmaxBeforeLoss, "output '\(head.output.name)' uses nll, which takes log-probabilities, but '\(head.node.name)' ends with softmax",
                   at: head.output.lossRange, notes: [head.lastLayerNote, Note("end the node with log_softmax instead")])
    }

    func torchLoss(_ options: SpecOptions, _ call: inout TorchLossCall) -> String {
        TorchExport.call("F.nll_loss", [call.prediction, call.target] + call.classWeightArgument(options))
    }

    func probabilities(_ scores: [Float]) -> [Float]? { scores.map { Foundation.exp($0) } }

    func function(_ options: SpecOptions) -> LossFunction { .nll(classWeights: options.doubles("class_weights")?.map(Float.init)) }
}

/// `bce`: `nn.BCELoss` on probabilities against 0/1 floats.
struct BCELoss: RunnableLoss {
    let kind = KindSpec("bce", .loss, pytorch: "nn.BCELoss", "Binary cross-entropy on probabilities (after `sigmoid`) against 0/1 float targets.")
    let target = TargetKind.probability

    func check(_ head: inout HeadCheck) {
        guard head.lastLayerKind != "sigmoid" else { return }
        head.error(.bceHead, "output '\(head.output.name)' uses bce, which takes probabilities, but '\(head.node.name)' \(head.endingDescription)",
                   at: head.output.lossRange, notes: [head.lastLayerNote, Note("end the node with sigmoid, or use bce_with_logits on raw scores")])
    }

    func torchLoss(_ options: SpecOptions, _ call: inout TorchLossCall) -> String {
        TorchExport.call("F.binary_cross_entropy", [call.prediction, call.target])
    }

    func probabilities(_ scores: [Float]) -> [Float]? { scores }

    func function(_ options: SpecOptions) -> LossFunction { .bce }
}

/// `bce_with_logits`: `nn.BCEWithLogitsLoss` on raw scores against 0/1 floats.
struct BCEWithLogitsLoss: RunnableLoss {
    let kind = KindSpec("bce_with_logits", .loss, pytorch: "nn.BCEWithLogitsLoss",
                        "Binary cross-entropy on raw scores; applies the sigmoid itself, stably.", [
        ParameterSpec("pos_weight", .float, .optional("1"), bounds: .above(0), "Weight of positive examples."),
    ])
    let target = TargetKind.logit

    func check(_ head: inout HeadCheck) {
        guard head.lastLayerKind == "sigmoid" else { return }
        head.error(.doubleSigmoid, "output '\(head.output.name)' uses bce_with_logits, which applies a sigmoid itself, but "
            + "'\(head.node.name)' already ends with sigmoid",
                   at: head.output.lossRange, notes: [head.lastLayerNote, Note("remove the final sigmoid, or use bce")])
    }

    func torchLoss(_ options: SpecOptions, _ call: inout TorchLossCall) -> String {
        var arguments = [call.prediction, call.target]
        if let w = options.double("pos_weight") {
            arguments.append("pos_weight=" + call.constant("POS_WEIGHTS", comment: "Weights of the positive examples of the outputs' bce_with_logits losses.",
                                                           values: [w]))
        }
        return TorchExport.call("F.binary_cross_entropy_with_logits", arguments)
    }

    func probabilities(_ scores: [Float]) -> [Float]? { scores.map { 1 / (1 + Foundation.exp(-$0)) } }

    func function(_ options: SpecOptions) -> LossFunction { .bceWithLogits(posWeight: options.double("pos_weight").map { [Float($0)] }) }
}

/// `mse` and `l1`: `nn.MSELoss` and `nn.L1Loss` against float targets of the prediction's shape.
struct RegressionLoss: RunnableLoss {
    let kind: KindSpec
    let torchFunction: String
    let loss: LossFunction
    let target = TargetKind.value

    static let mse = RegressionLoss(kind: KindSpec("mse", .loss, pytorch: "nn.MSELoss", "Mean squared error against float targets."),
                                    torchFunction: "F.mse_loss", loss: .mse)
    static let l1 = RegressionLoss(kind: KindSpec("l1", .loss, pytorch: "nn.L1Loss", "Mean absolute error against float targets."),
                                   torchFunction: "F.l1_loss", loss: .l1)

    func check(_ head: inout HeadCheck) {}

    func torchLoss(_ options: SpecOptions, _ call: inout TorchLossCall) -> String {
        TorchExport.call(torchFunction, [call.prediction, call.target])
    }

    func probabilities(_ scores: [Float]) -> [Float]? { nil }

    func function(_ options: SpecOptions) -> LossFunction { loss }
}

/// exp(x - max) normalised: the probabilities of logits.
private func softmax(_ scores: [Float]) -> [Float] {
    let m = scores.max() ?? 0
    let e = scores.map { Foundation.exp($0 - m) }
    let s = e.reduce(0, +)
    return e.map { $0 / s }
}
