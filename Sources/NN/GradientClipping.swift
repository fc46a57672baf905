import Autograd
import Kernels

/// Scales the parameters' gradients so that their total 2-norm is at most `maxNorm`, as
/// `torch.nn.utils.clip_grad_norm_(parameters, max_norm)` (torch 2.13, torch/nn/utils/clip_grad.py):
///
///     total = ‖(‖g₁‖, ‖g₂‖, ...)‖          over the parameters that have a gradient
///     coef  = min(max_norm / (total + 1e-6), 1);   every g *= coef
///
/// Returns the total norm before clipping (0 when no parameter has a gradient). As in PyTorch, a
/// non-finite total is not an error: the gradients are scaled by the resulting NaN coefficient.
/// Each gradient's norm is accumulated in Double and rounded to Float, as PyTorch keeps the
/// per-tensor norms in the gradients' type.
@discardableResult
public func clipGradientNorm(_ parameters: [NamedParameter], maxNorm: Double) -> Float {
    clipGradientNorm(parameters.map(\.tensor), maxNorm: maxNorm)
}

/// `clipGradientNorm` over bare tensors.
@discardableResult
public func clipGradientNorm(_ tensors: [Tensor], maxNorm: Double) -> Float {
    let grads = tensors.compactMap(\.grad)
    guard !grads.isEmpty else { return 0 }
    var sumOfSquaredNorms: Double = 0
    for g in grads {
        let norm = Float(OptimizerKernels.sumOfSquares(g.data, count: g.count).squareRoot())
        sumOfSquaredNorms += Double(norm) * Double(norm)
    }
    let total = Float(sumOfSquaredNorms.squareRoot())
    // `max_norm / (total_norm + 1e-6)` on a Float tensor is `(total + 1e-6).reciprocal() * max_norm`.
    let coefficient = min((1 / (total + Float(1e-6))) * Float(maxNorm), 1)
    for g in grads { OptimizerKernels.scale(g.data, count: g.count, by: coefficient) }
    return total
}
