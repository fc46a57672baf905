#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A learning-rate schedule stepped once per epoch, as PyTorch's schedulers used the usual way
/// (`scheduler.step()` after each epoch's optimizer steps).
///
/// Epoch 0 trains with the base learning rate; epoch `e` with the rate PyTorch's scheduler holds
/// after `e` calls of `step()` (its `last_epoch == e`). PyTorch computes each rate from the
/// previous one, not from a closed formula, and the two differ in the last bits; this follows
/// the recursion, so the rates are PyTorch's to the bit (same Double operations, same order).
public enum LearningRateSchedule: Equatable, Sendable {
    /// No schedule: the base rate throughout.
    case constant
    /// `StepLR(step_size, gamma)`: multiplied by `gamma` every `stepSize` epochs.
    case step(stepSize: Int, gamma: Double = 0.1)
    /// `CosineAnnealingLR(T_max, eta_min)`: from the base rate down to `etaMin` along a half
    /// cosine over `tMax` epochs; past `tMax` it rises again (the cosine continues), as in PyTorch.
    case cosine(tMax: Int, etaMin: Double = 0)

    /// The learning rate for `epoch` (0-based) given the optimizer's initial rate.
    public func learningRate(epoch: Int, baseLR: Double) -> Double {
        precondition(epoch >= 0, "[lr schedule] negative epoch \(epoch)")
        var lr = baseLR
        for e in stride(from: 1, through: epoch, by: 1) { lr = next(after: lr, epoch: e, baseLR: baseLR) }
        return lr
    }

    /// The rates for epochs `0..<epochs`.
    public func learningRates(epochs: Int, baseLR: Double) -> [Double] {
        var lr = baseLR, rates: [Double] = []
        for e in 0..<epochs {
            if e > 0 { lr = next(after: lr, epoch: e, baseLR: baseLR) }
            rates.append(lr)
        }
        return rates
    }

    /// PyTorch's closed form (`_get_closed_form_lr`, used when `step(epoch)` is given an epoch):
    /// equal to `learningRate(epoch:baseLR:)` up to rounding.
    public func closedFormLearningRate(epoch: Int, baseLR: Double) -> Double {
        switch self {
        case .constant: return baseLR
        case .step(let stepSize, let gamma): return baseLR * pow(gamma, Double(epoch / stepSize))
        case .cosine(let tMax, let etaMin):
            return etaMin + (baseLR - etaMin) * (1 + cos(Double.pi * Double(epoch) / Double(tMax))) / 2
        }
    }

    /// Checks the arguments as PyTorch does; the message names the schedule.
    public func validate() throws(LearningRateScheduleError) {
        switch self {
        case .constant: return
        case .step(let stepSize, _):
            if stepSize <= 0 { throw LearningRateScheduleError("[step] step_size must be a positive integer, got \(stepSize)") }
        case .cosine(let tMax, _):
            if tMax <= 0 { throw LearningRateScheduleError("[cosine] T_max must be a positive integer, got \(tMax)") }
        }
    }

    /// `get_lr()` at `last_epoch == epoch` given the rate at `epoch - 1` (torch 2.13,
    /// torch/optim/lr_scheduler.py, StepLR.get_lr and CosineAnnealingLR.get_lr).
    private func next(after lr: Double, epoch: Int, baseLR: Double) -> Double {
        switch self {
        case .constant:
            return lr
        case .step(let stepSize, let gamma):
            precondition(stepSize > 0, "[step] step_size must be positive, got \(stepSize)")
            return epoch % stepSize == 0 ? lr * gamma : lr
        case .cosine(let tMax, let etaMin):
            precondition(tMax > 0, "[cosine] T_max must be positive, got \(tMax)")
            let t = Double(tMax)
            if (epoch - 1 - tMax) % (2 * tMax) == 0 {
                // The recursion would divide by 1 + cos(pi) = 0 here (the start of a rise).
                return lr + (baseLR - etaMin) * (1 - cos(Double.pi / t)) / 2
            }
            return (1 + cos(Double.pi * Double(epoch) / t)) / (1 + cos(Double.pi * Double(epoch - 1) / t))
                * (lr - etaMin) + etaMin
        }
    }
}

/// A schedule argument out of range.
public struct LearningRateScheduleError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The message, starting with the schedule in brackets.
    public var description: String
    /// An error with this message.
    public init(_ description: String) { self.description = description }
}
