import Foundation

/// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
/// mapping each tensor name to its dtype, shape and byte range, then the tensors' bytes,
/// little-endian and row-major. specrun writes weights in it so that
/// `safetensors.torch.load_file` loads them straight into the equivalent PyTorch model.
///
/// Reading treats the file as hostile: the header length, every range and every shape are checked
/// against the file and each other before anything is read (no holes, no overlaps, no overflow).
public struct SafeTensors: Equatable {
    public enum DType: String, Sendable {
        case f32 = "F32", f64 = "F64", i64 = "I64", i32 = "I32", u8 = "U8"
        public var size: Int {
            switch self {
            case .f32, .i32: 4
            case .f64, .i64: 8
            case .u8: 1
            }
        }
    }

    public struct Entry: Equatable {
        public var name: String
        public var dtype: DType
        public var shape: [Int]
        /// The raw little-endian bytes, row-major.
        public var bytes: Data

        public init(name: String, dtype: DType, shape: [Int], bytes: Data) {
            precondition(bytes.count == shape.reduce(1, *) * dtype.size, "[safetensors] \(name): \(bytes.count) bytes for shape \(shape) of \(dtype.rawValue)")
            self.name = name
            self.dtype = dtype
            self.shape = shape
            self.bytes = bytes
        }

        public init(name: String, shape: [Int], floats: [Float]) {
            self.init(name: name, dtype: .f32, shape: shape,
                      bytes: floats.withUnsafeBufferPointer { Data(buffer: $0) })
        }

        public init(name: String, shape: [Int], int64s: [Int64]) {
            self.init(name: name, dtype: .i64, shape: shape,
                      bytes: int64s.withUnsafeBufferPointer { Data(buffer: $0) })
        }

        /// The values of an F32 entry.
        public var floats: [Float]? {
            guard dtype == .f32 else { return nil }
            return bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        }

        /// The values of an I64 entry.
        public var int64s: [Int64]? {
            guard dtype == .i64 else { return nil }
            return bytes.withUnsafeBytes { Array($0.bindMemory(to: Int64.self)) }
        }
    }

    /// Tensors in file order.
    public var entries: [Entry]
    /// The `__metadata__` strings.
    public var metadata: [String: String]

    public init(entries: [Entry] = [], metadata: [String: String] = [:]) {
        self.entries = entries
        self.metadata = metadata
    }

    public subscript(name: String) -> Entry? { entries.first { $0.name == name } }

    /// The file's bytes. The header is padded with spaces so the data starts 8-byte aligned.
    public func encoded() -> Data {
        var header = "{"
        var parts: [String] = []
        if !metadata.isEmpty {
            let fields = metadata.keys.sorted().map { "\(JSON.string($0)):\(JSON.string(metadata[$0]!))" }
            parts.append("\"__metadata__\":{\(fields.joined(separator: ","))}")
        }
        var offset = 0
        for e in entries {
            let end = offset + e.bytes.count
            parts.append("\(JSON.string(e.name)):{\"dtype\":\"\(e.dtype.rawValue)\",\"shape\":[\(e.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        header += parts.joined(separator: ",") + "}"
        var headerBytes = Data(header.utf8)
        while (8 + headerBytes.count) % 8 != 0 { headerBytes.append(0x20) }
        var out = Data(capacity: 8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(headerBytes)
        for e in entries { out.append(e.bytes) }
        return out
    }

    /// The largest header accepted (the reference implementation's limit).
    public static let maxHeaderBytes = 100 << 20

    public init(decoding data: Data) throws(SafeTensorsError) {
        guard data.count >= 8 else { throw .init("file is \(data.count) bytes, shorter than the 8-byte header length") }
        let n = data.prefix(8).withUnsafeBytes { raw in UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self)) }
        guard n <= UInt64(Self.maxHeaderBytes), Int(n) <= data.count - 8 else {
            throw .init("header length \(n) does not fit in a \(data.count)-byte file")
        }
        let headerData = data.subdata(in: 8..<(8 + Int(n)))
        guard let object = try? JSONSerialization.jsonObject(with: headerData), let header = object as? [String: Any] else {
            throw .init("header is not a JSON object")
        }
        let dataStart = 8 + Int(n)
        let available = data.count - dataStart
        var entries: [(start: Int, entry: Entry)] = []
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard let m = value as? [String: String] else { throw .init("__metadata__ must map strings to strings") }
                metadata = m
                continue
            }
            guard let info = value as? [String: Any],
                  let dtypeName = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int],
                  let offsets = info["data_offsets"] as? [Int], offsets.count == 2 else {
                throw .init("tensor \(name): needs dtype, shape and two data_offsets")
            }
            guard let dtype = DType(rawValue: dtypeName) else { throw .init("tensor \(name): unsupported dtype \(dtypeName)") }
            guard shape.allSatisfy({ $0 >= 0 }) else { throw .init("tensor \(name): negative dimension in \(shape)") }
            var count = 1
            for d in shape {
                let (p, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow else { throw .init("tensor \(name): shape \(shape) overflows") }
                count = p
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, end >= begin, end <= available else {
                throw .init("tensor \(name): data_offsets [\(begin), \(end)] outside the \(available) data bytes")
            }
            let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.size)
            guard !overflow, bytes == end - begin else {
                throw .init("tensor \(name): \(end - begin) bytes for shape \(shape) of \(dtypeName) (needs \(count * dtype.size))")
            }
            let slice = data.subdata(in: (dataStart + begin)..<(dataStart + end))
            entries.append((begin, Entry(name: name, dtype: dtype, shape: shape, bytes: slice)))
        }
        entries.sort { $0.start < $1.start }
        var expected = 0
        for (start, e) in entries {
            guard start == expected else {
                throw .init(start < expected ? "tensor \(e.name) overlaps the previous tensor" : "hole in the data before tensor \(e.name)")
            }
            expected = start + e.bytes.count
        }
        guard expected == available else { throw .init("\(available - expected) bytes after the last tensor") }
        self.entries = entries.map(\.entry)
        self.metadata = metadata
    }

}

/// A safetensors file that is not well formed; the message says what is wrong.
public struct SafeTensorsError: Error, CustomStringConvertible, Equatable {
    public var message: String
    init(_ message: String) { self.message = message }
    public var description: String { "not a valid safetensors file: \(message)" }
}
