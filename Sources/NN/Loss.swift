import Autograd

/// A training objective for one output head, with PyTorch's semantics and mean reduction.
public enum LossFunction: Equatable, Sendable {
    /// `nn.CrossEntropyLoss` on logits [N, C] and class indices.
    case crossEntropy(classWeights: [Float]?, labelSmoothing: Float)
    /// `nn.NLLLoss` on log-probabilities [N, C] and class indices.
    case nll(classWeights: [Float]?)
    /// `nn.BCELoss` on probabilities and 0/1 targets of the same shape.
    case bce
    /// `nn.BCEWithLogitsLoss` on logits and 0/1 targets; `posWeight` per class on the last axis.
    case bceWithLogits(posWeight: [Float]?)
    /// `nn.MSELoss`
    case mse
    /// `nn.L1Loss`
    case l1

    /// Whether the targets are class indices (else values shaped like the prediction).
    public var takesClassIndices: Bool {
        switch self {
        case .crossEntropy, .nll: true
        default: false
        }
    }

    /// The loss of `prediction` against `target`, a scalar tensor.
    public func callAsFunction(_ prediction: Tensor, _ target: LossTarget) -> Tensor {
        switch (self, target) {
        case (.crossEntropy(let w, let smoothing), .classes(let t)):
            prediction.crossEntropy(targets: t, weights: w.map(Self.vector), labelSmoothing: smoothing)
        case (.nll(let w), .classes(let t)):
            prediction.nllLoss(targets: t, weights: w.map(Self.vector))
        case (.bce, .values(let t)):
            prediction.binaryCrossEntropy(targets: t)
        case (.bceWithLogits(let pw), .values(let t)):
            prediction.binaryCrossEntropyWithLogits(targets: t, posWeight: pw.map(Self.vector))
        case (.mse, .values(let t)):
            prediction.mseLoss(targets: t)
        case (.l1, .values(let t)):
            prediction.l1Loss(targets: t)
        default:
            preconditionFailure("[loss] \(self) cannot take \(target.kind) targets")
        }
    }

    private static func vector(_ values: [Float]) -> Tensor { Tensor(shape: [values.count], values: values) }
}

/// What a loss compares a prediction with.
public enum LossTarget {
    /// Class indices, one per sample.
    case classes([Int32])
    /// Values shaped like the prediction (0/1 for the binary losses).
    case values(Tensor)

    var kind: String {
        switch self {
        case .classes: "class-index"
        case .values: "value"
        }
    }
}
