/// MD5 (RFC 1321). Not for security: it checks downloads against the digests torchvision
/// publishes for Omniglot, which are MD5.
public struct MD5: StreamingHash {
    public static let digestByteCount = 16
    private var hasher = BlockHasher<MD5Compressor>()

    public init() {}
    public mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bytes) }
    public mutating func finalize() -> [UInt8] { hasher.finalize() }
}

struct MD5Compressor: BlockCompressor {
    static let isBigEndian = false
    private var a: UInt32 = 0x6745_2301, b: UInt32 = 0xefcd_ab89, c: UInt32 = 0x98ba_dcfe, d: UInt32 = 0x1032_5476

    var stateWords: [UInt32] { [a, b, c, d] }

    /// floor(|sin(i + 1)| * 2^32), RFC 1321 section 3.4.
    private static let k: [UInt32] = [
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
        0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
        0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
        0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
        0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
        0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
        0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
    ]
    private static let shifts: [UInt32] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]

    init() {}

    mutating func compress(_ block: UnsafeRawPointer) {
        // The message words are read straight from the block: no per-block allocation.
        @inline(__always) func m(_ g: Int) -> UInt32 {
            UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 4 * g, as: UInt32.self))
        }
        var (aa, bb, cc, dd) = (a, b, c, d)
        for i in 0..<64 {
            let f: UInt32, g: Int
            switch i >> 4 {
            case 0: f = (bb & cc) | (~bb & dd); g = i
            case 1: f = (dd & bb) | (~dd & cc); g = (5 * i + 1) & 15
            case 2: f = bb ^ cc ^ dd; g = (3 * i + 5) & 15
            default: f = cc ^ (bb | ~dd); g = (7 * i) & 15
            }
            let sum = aa &+ f &+ Self.k[i] &+ m(g)
            let s = Self.shifts[(i >> 4) * 4 + (i & 3)]
            (aa, dd, cc) = (dd, cc, bb)
            bb = bb &+ ((sum << s) | (sum >> (32 - s)))
        }
        a = a &+ aa; b = b &+ bb; c = c &+ cc; d = d &+ dd
    }
}
