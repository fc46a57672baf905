/// The dimensions of a tensor, outermost first (row-major), stored inline: making a tensor does
/// not allocate for its shape. Rank 0 is a scalar; the highest rank is `Shape.maxRank`.
public struct Shape: Hashable, Sendable, RandomAccessCollection, ExpressibleByArrayLiteral, CustomStringConvertible {
    static let maxRank = 6
    private var d: (Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0)
    public private(set) var rank: Int = 0

    public init(_ dims: some Collection<Int>) {
        precondition(dims.count <= Shape.maxRank, "[shape] rank \(dims.count) exceeds \(Shape.maxRank)")
        for (i, n) in dims.enumerated() {
            precondition(n >= 0, "[shape] negative dimension in \(Array(dims))")
            self[i] = n
        }
        rank = dims.count
    }

    public init(arrayLiteral elements: Int...) { self.init(elements) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { rank }

    public subscript(i: Int) -> Int {
        get {
            precondition(i >= 0 && i < rank, "[shape] axis \(i) out of range for rank \(rank)")
            return withUnsafeBytes(of: d) { $0.load(fromByteOffset: i * 8, as: Int.self) }
        }
        set {
            precondition(i >= 0 && i < Shape.maxRank, "[shape] axis \(i) out of range")
            withUnsafeMutableBytes(of: &d) { $0.storeBytes(of: newValue, toByteOffset: i * 8, as: Int.self) }
        }
    }

    /// Adds an innermost axis of size `n`.
    public mutating func append(_ n: Int) {
        precondition(rank < Shape.maxRank, "[shape] rank \(rank + 1) exceeds \(Shape.maxRank)")
        precondition(n >= 0, "[shape] negative dimension \(n)")
        self[rank] = n
        rank += 1
    }

    /// The number of elements (1 for a scalar).
    public var elementCount: Int { reduce(1, *) }

    /// The product of the dimensions in `range`.
    public func product(_ range: Range<Int>) -> Int { range.reduce(1) { $0 * self[$1] } }

    /// An axis given as in PyTorch: negative counts from the end.
    func normalizedAxis(_ axis: Int) -> Int {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank, "[shape] axis \(axis) out of range for shape \(self)")
        return a
    }

    public var dims: [Int] { Array(self) }

    public static func == (a: Shape, b: Shape) -> Bool { a.rank == b.rank && a.elementsEqual(b) }
    public func hash(into h: inout Hasher) { h.combine(rank); for x in self { h.combine(x) } }

    /// `(32, 16384)`, as errors print shapes.
    public var description: String {
        rank == 1 ? "(\(self[0]),)" : "(" + map(String.init).joined(separator: ",") + ")"
    }
}
