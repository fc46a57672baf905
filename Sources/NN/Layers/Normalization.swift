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

/// `nn.Dropout2d`: zeroes whole channels with probability p in training (one draw per channel of
/// each sample, from the model's generator) and scales the rest by 1/(1-p); the identity in evaluation.
public final class Dropout2d: Layer {
    public let p: Float

    public init(p: Float) { self.p = p }

    public func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        x.dropout2d(p: p, training: context.training, rng: &context.rng, firstRow: context.firstRow)
    }
}

/// `nn.LayerNorm`: normalises each sample over its last axes (`normalizedShape`), with a weight
/// of ones and a bias of zeros of that shape when `elementwiseAffine`.
public final class LayerNorm: Layer {
    public let normalizedShape: Shape
    public let weight: Tensor?
    public let bias: Tensor?
    public let eps: Float

    public init(normalizedShape: Shape, eps: Float = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true) {
        self.normalizedShape = normalizedShape
        self.eps = eps
        weight = elementwiseAffine ? Tensor.filled(normalizedShape, with: 1) : nil
        self.bias = elementwiseAffine && bias ? Tensor.zeros(normalizedShape) : nil
        weight?.requiresGrad = true
        self.bias?.requiresGrad = true
    }

    public var parameters: [NamedParameter] {
        (weight.map { [(name: "weight", tensor: $0)] } ?? []) + (bias.map { [(name: "bias", tensor: $0)] } ?? [])
    }

    public func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        x.layerNorm(normalizedShape, weight: weight, bias: bias, eps: eps)
    }
}

/// `nn.GroupNorm`: normalises each sample over groups of channels, with a weight of ones and a
/// bias of zeros per channel when `affine`. The same in training and evaluation (no running statistics).
public final class GroupNorm: Layer {
    public let groups: Int
    public let weight: Tensor?
    public let bias: Tensor?
    public let eps: Float

    public init(groups: Int, channels: Int, eps: Float = 1e-5, affine: Bool = true) {
        precondition(groups > 0 && channels % groups == 0, "[groupnorm] \(channels) channels do not split into \(groups) groups")
        self.groups = groups
        self.eps = eps
        weight = affine ? Tensor.filled([channels], with: 1) : nil
        bias = affine ? Tensor.zeros([channels]) : nil
        weight?.requiresGrad = true
        bias?.requiresGrad = true
    }

    public var parameters: [NamedParameter] {
        guard let weight, let bias else { return [] }
        return [(name: "weight", tensor: weight), (name: "bias", tensor: bias)]
    }

    public func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        x.groupNorm(groups: groups, weight: weight, bias: bias, eps: eps)
    }
}
