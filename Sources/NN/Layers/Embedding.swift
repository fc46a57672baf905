import Autograd
import Kernels

/// `nn.Embedding`: a table of `count` learned vectors of `width` floats, read by index. Its input
/// holds the indices as floats (whole numbers in 0..<count, checked before the engine sees them).
public final class Embedding: Layer {
    public let weight: Tensor
    public let paddingIndex: Int?

    /// Initialised as the spec says, or as PyTorch does: N(0, 1), then the row `paddingIndex` set to
    /// zeros (a spec's initializer is applied as `nn.init` would be after construction, to every row).
    public init(count: Int, width: Int, paddingIndex: Int? = nil, weightInit: Initializer? = nil,
                rng: inout RandomGenerator) throws(InitializerError) {
        precondition(paddingIndex.map { (0..<count).contains($0) } ?? true, "[embedding] padding index \(paddingIndex!) is not in 0..<\(count)")
        weight = Tensor.zeros([count, width], requiresGrad: true)
        self.paddingIndex = paddingIndex
        if let weightInit {
            try weightInit.apply(to: weight, rng: &rng)
        } else {
            try Initializer.normal(mean: 0, std: 1).apply(to: weight, rng: &rng)
            if let paddingIndex { (weight.data + paddingIndex * width).update(repeating: 0, count: width) }
        }
    }

    public var parameters: [NamedParameter] { [(name: "weight", tensor: weight)] }

    public func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        x.embedding(weight, paddingIndex: paddingIndex)
    }
}
