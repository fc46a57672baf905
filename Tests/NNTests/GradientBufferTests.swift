import Autograd
import Kernels
import NN
import Testing

@Suite struct GradientBufferTests {
    /// Backward accumulates into views of one buffer, which `zero()` clears and re-attaches even
    /// after an optimizer dropped the gradients; each view starts on a 64-byte boundary.
    @Test func gradientsAreViewsIntoOneBuffer() {
        let w = Tensor(shape: [3], values: [1, 2, 3], requiresGrad: true), b = Tensor(shape: [1], values: [0.5], requiresGrad: true)
        let buffer = GradientBuffer([("w", w), ("b", b)])
        #expect(buffer.storage.count == 32)
        func step() { ((w * 2).sum() + (b * 3).sum()).backward() }
        step()
        #expect(w.grad!.values == [2, 2, 2] && b.grad!.values == [3])
        #expect(Array(buffer.storage.buffer[0..<3]) == [2, 2, 2] && buffer.storage.buffer[16] == 3)
        #expect(Int(bitPattern: b.grad!.data) % 64 == 0)
        buffer.storage.base[0] = 7  // what a collective sum writes shows up as the gradient
        #expect(w.grad!.values == [7, 2, 2])
        w.setGrad(nil)
        buffer.zero()
        #expect(buffer.storage.array.allSatisfy { $0 == 0 } && w.grad!.data == buffer.storage.base)
        step()
        step()
        #expect(w.grad!.values == [4, 4, 4] && buffer.storage.buffer[16] == 6)
    }
}
