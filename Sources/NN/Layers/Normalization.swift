import Autograd
import Kernels

/// `nn.BatchNorm1d` / `nn.BatchNorm2d` over [N, C, ...]: batch statistics in training (updating
/// the running ones), running statistics in evaluation. In a data-parallel job the batch
/// statistics are the whole batch's, over all processes (as `nn.SyncBatchNorm`).
public final class BatchNorm: Layer {
    public let weight: Tensor?
    public let bias: Tensor?
    public let runningMean: Tensor
    public let runningVar: Tensor
    /// PyTorch's int64 buffer: training forward passes seen (saved in the state_dict).
    public private(set) var numBatchesTracked = 0
    public let momentum: Float, eps: Float

    public init(features: Int, momentum: Float = 0.1, eps: Float = 1e-5, affine: Bool = true) {
        weight = affine ? Tensor.filled([features], with: 1) : nil
        bias = affine ? Tensor.zeros([features]) : nil
        weight?.requiresGrad = true
        bias?.requiresGrad = true
        runningMean = Tensor.zeros([features])
        runningVar = Tensor.filled([features], with: 1)
        self.momentum = momentum
        self.eps = eps
    }

    public var parameters: [NamedParameter] {
        guard let weight, let bias else { return [] }
        return [(name: "weight", tensor: weight), (name: "bias", tensor: bias)]
    }

    public var buffers: [NamedParameter] {
        [(name: "running_mean", tensor: runningMean), (name: "running_var", tensor: runningVar)]
    }

    public var counters: [(name: String, value: Int)] { [("num_batches_tracked", numBatchesTracked)] }

    public func setCounter(_ name: String, to value: Int) {
        if name == "num_batches_tracked" { numBatchesTracked = value }
    }

    public func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        if context.training { numBatchesTracked += 1 }
        return x.batchNorm(runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias,
                           training: context.training, momentum: momentum, eps: eps, replicas: context.replicas)
    }
}

/// `nn.Dropout`: zeroes elements with probability p in training, drawing from the model's
/// generator and each row's place in the whole batch, and scales the rest by 1/(1-p); the
/// identity in evaluation.
public final class Dropout: Layer {
    public let p: Float

    public init(p: Float) { self.p = p }

    public func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        x.dropout(p: p, training: context.training, rng: &context.rng, firstRow: context.firstRow)
    }
}
