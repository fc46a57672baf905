import Diagnostics
import SpecLanguage

/// What the front end asks of an optimizer: its keys, checks between them, how `specrun summary`
/// shows it, and its `torch.optim` form.
public protocol OptimizerDefinition: Sendable {
    var kind: KindSpec { get }
    /// Keys the summary always shows (`lr`); the others only when they differ from their default.
    var summaryKeys: [String] { get }
    /// Checks between options that their types and ranges cannot express (as PyTorch's constructor does).
    func check(_ optimizer: SpecComponent, _ sink: inout DiagnosticSink)
    /// The `torch.optim` class and every keyword argument as specrun resolves it, in PyTorch's order.
    func torchOptimizer(_ options: SpecOptions) -> (name: String, arguments: [(String, String)])
}

/// What the front end asks of a learning-rate schedule: its keys and how the summary shows it.
public protocol ScheduleDefinition: Sendable {
    var kind: KindSpec { get }
    /// `step(every 2 epochs x 0.1)`; `epochs` is the run's `train.epochs`.
    func describe(_ options: SpecOptions, epochs: Int) -> String
}

extension OptimizerDefinition {
    /// `adam(lr 0.001, betas (0.9, 0.999), eps 1e-08)`: the summary keys, then the options that
    /// differ from their defaults; a boolean shows as its name when true.
    public func describe(_ options: SpecOptions) -> String {
        var parts: [String] = []
        for p in kind.parameters {
            guard let value = options[p.name]?.value else { continue }
            if case .bool(let b) = value {
                if b && p.defaultValue != .bool(true) { parts.append(p.name) }
                continue
            }
            guard summaryKeys.contains(p.name) || value != p.defaultValue else { continue }
            let text: String = switch value {
            case .floatPair(let a, let b): "(\(SpecValue.number(a)), \(SpecValue.number(b)))"
            default: value.yamlText
            }
            parts.append("\(p.name) \(text)")
        }
        return "\(kind.name)(" + parts.joined(separator: ", ") + ")"
    }
}
