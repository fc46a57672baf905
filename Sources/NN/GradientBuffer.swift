import Autograd
import Kernels

/// Every parameter's gradient as a view into one flat buffer, so that a data-parallel step sums
/// all of them across processes in one collective call, with no copies in or out (PyTorch DDP's
/// `gradient_as_bucket_view`). Backward accumulates into the views, which `zero()` clears before
/// each step instead of dropping them. Each view starts on a 64-byte boundary, as the engine's
/// own buffers do; the padding between them stays zero. `extra` floats after the last gradient
/// carry whatever else the step sums with them.
public final class GradientBuffer {
    public let parameters: [NamedParameter]
    /// The gradients, in parameter order, then the extra floats.
    public let storage: FloatBuffer
    private let views: [Tensor]
    private let extraCount: Int

    public init(_ parameters: [NamedParameter], extra: Int = 0) {
        var offsets: [Int] = [], total = 0
        for p in parameters {
            offsets.append(total)
            total += (p.tensor.count + 15) / 16 * 16
        }
        extraCount = extra
        let storage = FloatBuffer.zeros(total + extra)
        views = zip(parameters, offsets).map { p, offset in
            Tensor(shape: p.tensor.shape, storage: FloatBuffer(viewing: storage, offset: offset, count: p.tensor.count))
        }
        self.parameters = parameters
        self.storage = storage
        attach()
    }

    /// The floats after the gradients.
    public var extra: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: storage.base + storage.count - extraCount, count: extraCount)
    }

    /// Sets every gradient (and the extra floats) to zero, each parameter's gradient being its view again (an optimizer's
    /// `zeroGrad()` drops gradients).
    public func zero() {
        storage.base.update(repeating: 0, count: storage.count)
        attach()
    }

    private func attach() {
        for (p, view) in zip(parameters, views) where p.tensor.grad !== view { p.tensor.setGrad(view) }
    }
}
