import Diagnostics
import DataPipeline
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

    /// The largest header accepted. The reference implementation allows 100 MB; specrun's own
    /// headers are a few KB, or a few hundred KB when the metadata names many classes, and a JSON
    /// header costs several times its size to parse.
    public static let maxHeaderBytes = 16 << 20
    /// The most keys and array elements a header may hold (its `:` and `,`), counted before it is
    /// parsed: parsing costs per value, about a kilobyte each, whatever the header's byte size.
    /// A tensor takes four keys and one value per dimension; specrun's models have dozens.
    public static let maxHeaderValues = 1 << 18

    public init(decoding data: Data) throws(SafeTensorsError) {
        guard data.count >= 8 else { throw .init("file is \(data.count) bytes, shorter than the 8-byte header length") }
        let n = data.prefix(8).withUnsafeBytes { raw in UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self)) }
        guard n <= UInt64(data.count - 8) else { throw .init("header length \(n) does not fit in a \(data.count)-byte file") }
        guard n <= UInt64(Self.maxHeaderBytes) else {
            throw .init("header of \(n) bytes is larger than the \(Self.maxHeaderBytes) accepted")
        }
        let headerData = data.subdata(in: 8..<(8 + Int(n)))
        let values = Self.countValues(headerData)
        guard values <= Self.maxHeaderValues else {
            throw .init("header holds \(values) keys and values, more than the \(Self.maxHeaderValues) accepted")
        }
        let header: RawHeader
        do { header = try JSONDecoder().decode(RawHeader.self, from: headerData) } catch let error as SafeTensorsError {
            throw error
        } catch {
            throw .init("header is not a JSON object of tensors")
        }
        let dataStart = 8 + Int(n)
        let available = data.count - dataStart
        var entries: [(start: Int, entry: Entry)] = []
        for (name, info) in header.tensors {
            let shown = excerpt(name)
            guard let dtype = DType(rawValue: info.dtype) else { throw .init("tensor \(shown): unsupported dtype \(excerpt(info.dtype))") }
            guard info.shape.allSatisfy({ $0 >= 0 }) else { throw .init("tensor \(shown): negative dimension in \(Self.describe(info.shape))") }
            var count = 1
            for d in info.shape {
                let (p, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow else { throw .init("tensor \(shown): shape \(Self.describe(info.shape)) overflows") }
                count = p
            }
            let (begin, end) = (info.dataOffsets[0], info.dataOffsets[1])
            guard begin >= 0, end >= begin, end <= available else {
                throw .init("tensor \(shown): data_offsets [\(begin), \(end)] outside the \(available) data bytes")
            }
            let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.size)
            guard !overflow, bytes == end - begin else {
                let needs = overflow ? "more than \(Int.max)" : "\(bytes)"
                throw .init("tensor \(shown): \(end - begin) bytes for shape \(Self.describe(info.shape)) of \(dtype.rawValue) (needs \(needs))")
            }
            let slice = data.subdata(in: (dataStart + begin)..<(dataStart + end))
            entries.append((begin, Entry(name: name, dtype: dtype, shape: info.shape, bytes: slice)))
        }
        // File order; empty tensors share an offset with the next, and then go first, by name.
        entries.sort { ($0.start, $0.entry.bytes.count, $0.entry.name) < ($1.start, $1.entry.bytes.count, $1.entry.name) }
        var expected = 0
        for (start, e) in entries {
            guard start == expected else {
                throw .init(start < expected ? "tensor \(e.name) overlaps the previous tensor" : "hole in the data before tensor \(e.name)")
            }
            expected = start + e.bytes.count
        }
        guard expected == available else { throw .init("\(available - expected) bytes after the last tensor") }
        self.entries = entries.map(\.entry)
        self.metadata = header.metadata
    }

    /// The number of `:` and `,` outside strings: an upper bound on the keys and values a JSON
    /// text holds, found in one pass without building anything.
    static func countValues(_ json: Data) -> Int {
        var count = 0, inString = false, escaped = false
        for byte in json {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: ":") || byte == UInt8(ascii: ",") {
                count += 1
            }
        }
        return count
    }

    /// A shape for a message: at most eight dimensions.
    static func describe(_ shape: [Int]) -> String {
        "[" + shape.prefix(8).map(String.init).joined(separator: ", ") + (shape.count > 8 ? ", ... (\(shape.count) dimensions)" : "") + "]"
    }

}

/// A header as JSON has it: tensors by name, in file order of their keys, and `__metadata__`.
private struct RawHeader: Decodable {
    struct Tensor: Decodable {
        var dtype: String
        var shape: [Int]
        var dataOffsets: [Int]

        enum CodingKeys: String, CodingKey { case dtype, shape, dataOffsets = "data_offsets" }
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    var tensors: [(String, Tensor)] = []
    var metadata: [String: String] = [:]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for key in container.allKeys {
            if key.stringValue == "__metadata__" {
                guard let m = try? container.decode([String: String].self, forKey: key) else {
                    throw SafeTensorsError("__metadata__ must map strings to strings")
                }
                metadata = m
                continue
            }
            guard let t = try? container.decode(Tensor.self, forKey: key), t.dataOffsets.count == 2 else {
                throw SafeTensorsError("tensor \(excerpt(key.stringValue)): needs dtype, shape and two data_offsets")
            }
            tensors.append((key.stringValue, t))
        }
    }
}

/// A safetensors file that is not well formed; the message says what is wrong.
public struct SafeTensorsError: Error, CustomStringConvertible, Equatable {
    public var message: String
    init(_ message: String) { self.message = message }
    public var description: String { "not a valid safetensors file: \(message)" }
}
