/// A size for the two spatial axes, given once for both (`3`) or per axis (`[3, 5]`, height then
/// width), as PyTorch's int-or-tuple arguments to conv2d and the poolings.
public struct IntOrPair: Sendable, Hashable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral, CustomStringConvertible {
    public var height: Int
    public var width: Int

    public init(_ both: Int) { (height, width) = (both, both) }
    public init(_ height: Int, _ width: Int) { (self.height, self.width) = (height, width) }
    public init(integerLiteral value: Int) { self.init(value) }

    public init(arrayLiteral elements: Int...) {
        precondition(elements.count == 2, "[size] a pair needs 2 values (height, width), got \(elements)")
        self.init(elements[0], elements[1])
    }

    var pair: (Int, Int) { (height, width) }

    public var description: String { height == width ? "\(height)" : "(\(height),\(width))" }
}
