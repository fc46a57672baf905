import Autograd

/// A parameter as optimizers see it: its PyTorch `state_dict` name (`embedding.0.weight`) and
/// the tensor the optimizer updates in place.
public typealias NamedParameter = (name: String, tensor: Tensor)

/// An optimizer over a list of named parameters, with PyTorch's update rules and defaults.
///
/// Use it as PyTorch's: `zeroGrad()`, forward, `backward()`, `step()`. A parameter whose `grad`
/// is nil is skipped by `step()` and gets no state, as in PyTorch.
public protocol Optimizer: AnyObject {
    /// PyTorch's lower-case name for the algorithm (`sgd`, `adam`, `adamw`, `rmsprop`, `adagrad`);
    /// recorded in exported state so a checkpoint cannot be resumed by another algorithm.
    var algorithm: String { get }
    /// The parameters, in the order given at creation.
    var parameters: [NamedParameter] { get }
    /// The learning rate the next `step()` uses (`param_groups[0]["lr"]`); a schedule sets it
    /// once per epoch.
    var learningRate: Double { get set }
    /// Updates every parameter that has a gradient.
    func step()
    /// A copy of the optimizer's state, for a checkpoint (see `OptimizerState`).
    func exportState() -> OptimizerState
    /// Replaces the optimizer's state with a copy of `state`; on error nothing is changed.
    func importState(_ state: OptimizerState) throws(OptimizerError)
}

extension Optimizer {
    /// Drops every parameter's gradient, as `zero_grad(set_to_none=True)` (PyTorch's default).
    public func zeroGrad() {
        for p in parameters { p.tensor.setGrad(nil) }
    }
}

/// An optimizer's state as named values, ready for a checkpoint, and complete: importing it into
/// a fresh optimizer of the same algorithm over the same parameters continues the run bit for bit.
///
/// - `tensors["<parameter>.<key>"]`: per-parameter buffers under PyTorch's state keys
///   (`fc1.weight.exp_avg`, `fc1.weight.momentum_buffer`); see each optimizer for its keys.
/// - `scalars["<parameter>.step"]`: the step count of optimizers that keep one (all but SGD);
///   `scalars["lr"]`: the learning rate.
/// A parameter that has no entries has no state yet (it has never had a gradient).
public struct OptimizerState {
    /// `Optimizer.algorithm` of the optimizer that exported this state.
    public var algorithm: String
    /// Per-parameter buffers, `<parameter>.<key>`.
    public var tensors: [String: Tensor]
    /// Step counts, `<parameter>.step`, and the learning rate, `lr`.
    public var scalars: [String: Double]

    /// State as read back from a checkpoint; `importState` checks that it fits.
    public init(algorithm: String, tensors: [String: Tensor], scalars: [String: Double]) {
        self.algorithm = algorithm
        self.tensors = tensors
        self.scalars = scalars
    }
}

/// An invalid optimizer setting, or state that does not fit the optimizer it is imported into.
public struct OptimizerError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The message, starting with the optimizer in brackets.
    public var description: String
    /// An error with this message.
    public init(_ description: String) { self.description = description }
}

/// The per-parameter state every optimizer keeps, with the bookkeeping they share: which
/// parameters have state, and export/import under PyTorch's key names.
struct ParameterStates {
    /// One parameter's state: its step count and buffers in the order of `keys`.
    struct Slot {
        var step = 0
        var buffers: [Tensor]
    }

    let algorithm: String
    let parameters: [NamedParameter]
    /// PyTorch's state keys of the buffers each parameter gets (`exp_avg`, `exp_avg_sq`, ...).
    let keys: [String]
    /// Whether the optimizer counts steps (all but SGD).
    let countsSteps: Bool
    /// nil until the parameter's first step (or from the start, for Adagrad).
    var slots: [Slot?]

    init(algorithm: String, parameters: [NamedParameter], keys: [String], countsSteps: Bool) {
        var seen = Set<String>(), tensors = Set<ObjectIdentifier>()
        for p in parameters {
            precondition(seen.insert(p.name).inserted, "[\(algorithm)] parameter name \(p.name) appears twice")
            precondition(tensors.insert(ObjectIdentifier(p.tensor)).inserted, "[\(algorithm)] parameter \(p.name) is given twice")
        }
        self.algorithm = algorithm
        self.parameters = parameters
        self.keys = keys
        self.countsSteps = countsSteps
        self.slots = Array(repeating: nil, count: parameters.count)
    }

    /// A slot whose buffers all hold `value`, shaped like parameter `i`.
    func freshSlot(_ i: Int, filledWith value: Float = 0) -> Slot {
        let shape = parameters[i].tensor.shape
        return Slot(buffers: keys.map { _ in value == 0 ? Tensor.zeros(shape) : Tensor.filled(shape, with: value) })
    }

    func export(learningRate: Double) -> OptimizerState {
        var tensors: [String: Tensor] = [:], scalars: [String: Double] = ["lr": learningRate]
        for (p, slot) in zip(parameters, slots) {
            guard let slot else { continue }
            for (key, buffer) in zip(keys, slot.buffers) { tensors["\(p.name).\(key)"] = copy(buffer) }
            if countsSteps { scalars["\(p.name).step"] = Double(slot.step) }
        }
        return OptimizerState(algorithm: algorithm, tensors: tensors, scalars: scalars)
    }

    /// The slots and learning rate `state` describes, after checking that it fits; the caller
    /// assigns them only when this returns, so a failed import changes nothing.
    func validatedImport(_ state: OptimizerState) throws(OptimizerError) -> (slots: [Slot?], learningRate: Double) {
        guard state.algorithm == algorithm else {
            throw OptimizerError("[\(algorithm)] cannot resume from \(state.algorithm) optimizer state")
        }
        guard let lr = state.scalars["lr"], lr.isFinite, lr >= 0 else {
            throw OptimizerError("[\(algorithm)] optimizer state has no valid learning rate \"lr\"")
        }
        var used: Set<String> = ["lr"]
        var result: [Slot?] = []
        for p in parameters {
            let names = keys.map { "\(p.name).\($0)" }
            let present = names.filter { state.tensors[$0] != nil }
            let stepName = "\(p.name).step"
            let step = countsSteps ? state.scalars[stepName] : nil
            if present.isEmpty && step == nil { result.append(nil); continue }
            guard present.count == names.count, step != nil || !countsSteps else {
                let missing = (names + (countsSteps ? [stepName] : [])).filter { state.tensors[$0] == nil && state.scalars[$0] == nil }
                throw OptimizerError("[\(algorithm)] optimizer state for \(p.name) is incomplete: missing \(missing.joined(separator: ", "))")
            }
            var buffers: [Tensor] = []
            for name in names {
                let t = state.tensors[name]!
                guard t.shape == p.tensor.shape else {
                    throw OptimizerError("[\(algorithm)] optimizer state \(name) has shape \(t.shape), parameter \(p.name) has \(p.tensor.shape)")
                }
                buffers.append(copy(t))
                used.insert(name)
            }
            var count = 0
            if let step {
                guard step >= 0, step == step.rounded(), step < 1e15 else {
                    throw OptimizerError("[\(algorithm)] optimizer state \(stepName) is \(step), not a step count")
                }
                count = Int(step)
                used.insert(stepName)
            }
            result.append(Slot(step: count, buffers: buffers))
        }
        let unknown = (Array(state.tensors.keys) + Array(state.scalars.keys)).filter { !used.contains($0) }.sorted()
        if !unknown.isEmpty {
            throw OptimizerError("[\(algorithm)] optimizer state has entries this optimizer does not use (other parameters or options?): \(unknown.prefix(5).joined(separator: ", "))\(unknown.count > 5 ? ", ..." : "")")
        }
        return (result, lr)
    }

    private func copy(_ t: Tensor) -> Tensor {
        let c = Tensor(uninitialized: t.shape)
        c.data.update(from: t.data, count: t.count)
        return c
    }
}

/// The optimizers of this module: everything but the update rule comes from their
/// `ParameterStates`.
protocol ParameterStateOwner: Optimizer {
    var states: ParameterStates { get set }
}

extension ParameterStateOwner {
    /// See `Optimizer.algorithm`.
    public var algorithm: String { states.algorithm }
    /// See `Optimizer.parameters`.
    public var parameters: [NamedParameter] { states.parameters }

    /// See `Optimizer.exportState()`.
    public func exportState() -> OptimizerState { states.export(learningRate: learningRate) }

    /// See `Optimizer.importState(_:)`.
    public func importState(_ state: OptimizerState) throws(OptimizerError) {
        let (slots, lr) = try states.validatedImport(state)
        states.slots = slots
        learningRate = lr
    }
}

/// Throws `[algorithm] message` unless `ok`.
func require(_ ok: Bool, _ algorithm: String, _ message: @autoclosure () -> String) throws(OptimizerError) {
    if !ok { throw OptimizerError("[\(algorithm)] \(message())") }
}

/// Throws `[algorithm] name must be >= 0, got value` for the first negative (or NaN) value, as
/// PyTorch's `Invalid ... value` checks.
func requireNonNegative(_ algorithm: String, _ values: KeyValuePairs<String, Double>) throws(OptimizerError) {
    for (name, value) in values where !(value >= 0) {
        throw OptimizerError("[\(algorithm)] \(name) must be >= 0, got \(value)")
    }
}
