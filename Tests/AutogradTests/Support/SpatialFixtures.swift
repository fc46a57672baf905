import Autograd
import Kernels

extension GoldenCase {
    /// A (height, width) parameter of a spatial golden case.
    func intOrPair(_ key: String) -> IntOrPair {
        guard let v = param(key)?.ints, v.count == 2 else { fatalError("golden \(name) has no pair \(key)") }
        return IntOrPair(v[0], v[1])
    }
}

/// Test data for the spatial ops.
enum SpatialFixtures {
    /// Uniform values in [-1, 1).
    static func random(_ shape: Shape, _ rng: inout RandomGenerator, requiresGrad: Bool = false) -> Tensor {
        Tensor(shape: shape, values: (0..<shape.elementCount).map { _ in rng.uniform(-1, 1) }, requiresGrad: requiresGrad)
    }

    /// Distinct values 0.1 apart in random order: no two inputs of a max-pooling window tie, and
    /// a finite-difference step below 0.05 never changes which one is the maximum.
    static func distinct(_ shape: Shape, _ rng: inout RandomGenerator, requiresGrad: Bool = false) -> Tensor {
        let n = shape.elementCount
        return Tensor(shape: shape, values: rng.permutation(n).map { Float($0 - n / 2) * 0.1 }, requiresGrad: requiresGrad)
    }
}
