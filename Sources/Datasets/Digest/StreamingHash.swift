/// A hash fed in pieces, so a download can be verified without holding it in memory.
public protocol StreamingHash: Sendable {
    /// The length of the digest in bytes.
    static var digestByteCount: Int { get }
    init()
    mutating func update(_ bytes: UnsafeRawBufferPointer)
    /// The digest of everything fed so far; the hash must not be updated afterwards.
    mutating func finalize() -> [UInt8]
}

extension StreamingHash {
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if handled == nil { Array(bytes).withUnsafeBytes { update($0) } }
    }

    /// The lower-case hexadecimal digest of `bytes`, the form checksums are published in.
    public static func hexDigest(of bytes: some Sequence<UInt8>) -> String {
        var hash = Self()
        hash.update(bytes)
        return hexString(hash.finalize())
    }
}

/// Lower-case hexadecimal, two digits per byte.
func hexString(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text = [UInt8]()
    text.reserveCapacity(bytes.count * 2)
    for byte in bytes {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: text, as: UTF8.self)
}

/// The compression function of a Merkle-Damgard hash (MD5, SHA-256): 64-byte blocks, a bit
/// length appended in the padding. Only the byte order of that length and of the state differ.
protocol BlockCompressor: Sendable {
    static var isBigEndian: Bool { get }
    init()
    mutating func compress(_ block: UnsafeRawPointer)
    var stateWords: [UInt32] { get }
}

/// Buffers input into 64-byte blocks and applies the standard padding; shared by MD5 and SHA-256.
struct BlockHasher<Compressor: BlockCompressor>: Sendable {
    private var compressor = Compressor()
    private var pending = [UInt8]()
    private var byteCount: UInt64 = 0

    init() { pending.reserveCapacity(64) }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var base = bytes.baseAddress, bytes.count > 0 else { return }
        var remaining = bytes.count
        byteCount &+= UInt64(remaining)
        if !pending.isEmpty {
            let take = min(64 - pending.count, remaining)
            pending.append(contentsOf: UnsafeRawBufferPointer(start: base, count: take))
            base += take
            remaining -= take
            guard pending.count == 64 else { return }
            pending.withUnsafeBytes { compressor.compress($0.baseAddress!) }
            pending.removeAll(keepingCapacity: true)
        }
        while remaining >= 64 {
            compressor.compress(base)
            base += 64
            remaining -= 64
        }
        pending.append(contentsOf: UnsafeRawBufferPointer(start: base, count: remaining))
    }

    mutating func finalize() -> [UInt8] {
        let bitLength = byteCount &* 8
        var tail: [UInt8] = [0x80]
        let padded = (pending.count + 1 + 8 + 63) / 64 * 64
        tail.append(contentsOf: repeatElement(0, count: padded - pending.count - 1 - 8))
        for i in 0..<8 {
            let shift = Compressor.isBigEndian ? (56 - 8 * i) : (8 * i)
            tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        let savedCount = byteCount
        tail.withUnsafeBytes { update($0) }
        byteCount = savedCount
        precondition(pending.isEmpty, "padding must end on a block boundary")
        var digest = [UInt8]()
        for word in compressor.stateWords {
            for i in 0..<4 {
                let shift = Compressor.isBigEndian ? (24 - 8 * i) : (8 * i)
                digest.append(UInt8(truncatingIfNeeded: word >> UInt32(shift)))
            }
        }
        return digest
    }
}
