import Diagnostics
import SpecLanguage

/// What a loss compares a prediction with.
public enum TargetKind: String, Sendable, Hashable, CaseIterable {
    /// A class index per sample (a `label` field) against one score per class.
    case classIndex
    /// A 0/1 float against one probability per sample (after a sigmoid).
    case probability
    /// A 0/1 float against one raw score per sample.
    case logit
    /// Floats of the prediction's shape.
    case value

    /// Whether the loss compares one probability or logit per sample with a 0/1 target.
    public var isBinary: Bool { self == .probability || self == .logit }
}

/// What the front end asks of a loss: its keys, what kind of target it takes (from which `Heads`
/// checks every head the same way), checks of its own, and its PyTorch form.
public protocol LossDefinition: Sendable {
    var kind: KindSpec { get }
    var target: TargetKind { get }
    /// Checks beyond the target's kind and shape: the head's last layer (a softmax before
    /// cross_entropy), option sizes against the class count.
    func check(_ head: inout HeadCheck)
    /// The loss in PyTorch's functional form on the call's prediction and target:
    /// `F.cross_entropy(p, t, label_smoothing=0.1)`.
    func torchLoss(_ options: SpecOptions, _ call: inout TorchLossCall) -> String
}

/// The operands of a loss in the exported PyTorch file, and a place for constants it needs
/// (class weights), made once at import rather than at every step.
public struct TorchLossCall {
    /// Python expressions for the prediction and the target.
    public let prediction: String
    public let target: String
    /// The output's name as a Python string literal, the key of its constants.
    public let key: String
    /// Constant tables by name: `CLASS_WEIGHTS` -> lines `"out": torch.tensor([...]),`.
    var constants: [(table: String, comment: String, line: String)] = []

    /// Registers a tensor constant for this output in `table` and returns the expression that reads it.
    public mutating func constant(_ table: String, comment: String, values: [Double]) -> String {
        constants.append((table, comment, "    \(key): torch.tensor([" + values.map(Python.float).joined(separator: ", ") + "]),"))
        return "\(table)[\(key)]"
    }
}

/// What the front end asks of a metric: its keys, the loss targets it can measure, checks of its
/// options against the head, and the name it is reported under.
public protocol MetricDefinition: Sendable {
    var kind: KindSpec { get }
    /// The loss targets whose heads it can measure.
    var targets: Set<TargetKind> { get }
    /// Checks of the metric's options against the head (an `average` that does not fit).
    func check(_ metric: SpecComponent, _ head: inout HeadCheck)
    /// The name in logs and early stopping: `accuracy`, or `precision_macro` when an option
    /// makes it another figure than its plain name means for this head.
    func reportedName(_ options: SpecOptions, target: TargetKind) -> String
}
