import ProtobufWire

// Reading back what `encoded()` writes: tests check exported files with it where ONNX's own tools
// are not installed, and `export-onnx` describes the file it wrote from the bytes themselves.
// Fields outside the subset specrun writes are skipped; a value of the wrong wire type for a
// known field is an error.

/// An encoded model that is not one this reader understands: what and where.
public struct ONNXDecodingError: Error, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

private func fields(_ bytes: [UInt8], _ message: String) throws(ONNXDecodingError) -> [ProtobufReader.Field] {
    var reader = ProtobufReader(bytes)
    do { return try reader.fields() } catch { throw ONNXDecodingError("\(message): \(error)") }
}

private extension ProtobufReader.Field {
    func string(_ message: String) throws(ONNXDecodingError) -> String {
        guard let s = value.string else { throw ONNXDecodingError("\(message) field \(number) is not length-delimited") }
        return s
    }

    func bytes(_ message: String) throws(ONNXDecodingError) -> [UInt8] {
        guard let b = value.bytes else { throw ONNXDecodingError("\(message) field \(number) is not length-delimited") }
        return b
    }

    func int64(_ message: String) throws(ONNXDecodingError) -> Int64 {
        guard let v = value.int64 else { throw ONNXDecodingError("\(message) field \(number) is not a varint") }
        return v
    }

    /// A repeated int64, unpacked (one value) or packed (varints back to back).
    func int64s(_ message: String) throws(ONNXDecodingError) -> [Int64] {
        if let v = value.int64 { return [v] }
        var values: [Int64] = [], current: UInt64 = 0, shift: UInt64 = 0
        for byte in try bytes(message) {
            guard shift < 64 else { throw ONNXDecodingError("\(message) field \(number): packed varint longer than 64 bits") }
            current |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 {
                values.append(Int64(bitPattern: current))
                (current, shift) = (0, 0)
            } else {
                shift += 7
            }
        }
        guard shift == 0 else { throw ONNXDecodingError("\(message) field \(number): truncated packed varint") }
        return values
    }
}

extension ONNXModel {
    /// Reads a serialized ModelProto.
    public init(decoding bytes: [UInt8]) throws(ONNXDecodingError) {
        var graph: ONNXGraph?
        var model = ONNXModel(graph: ONNXGraph(name: ""))
        model.opsetImports = []
        model.producerName = ""
        for f in try fields(bytes, "ModelProto") {
            switch f.number {
            case Field.irVersion: model.irVersion = try f.int64("ModelProto")
            case Field.producerName: model.producerName = try f.string("ModelProto")
            case Field.producerVersion: model.producerVersion = try f.string("ModelProto")
            case Field.docString: model.docString = try f.string("ModelProto")
            case Field.graph: graph = try ONNXGraph(decoding: f.bytes("ModelProto"))
            case Field.opsetImport:
                var opset = OperatorSetID(domain: "", version: 0)
                for g in try fields(f.bytes("ModelProto"), "OperatorSetIdProto") {
                    if g.number == Field.opsetDomain { opset.domain = try g.string("OperatorSetIdProto") }
                    if g.number == Field.opsetVersion { opset.version = try g.int64("OperatorSetIdProto") }
                }
                model.opsetImports.append(opset)
            case Field.metadataProps:
                var entry = (key: "", value: "")
                for g in try fields(f.bytes("ModelProto"), "StringStringEntryProto") {
                    if g.number == Field.key { entry.key = try g.string("StringStringEntryProto") }
                    if g.number == Field.value { entry.value = try g.string("StringStringEntryProto") }
                }
                model.metadata.append(entry)
            default: continue
            }
        }
        guard let graph else { throw ONNXDecodingError("ModelProto has no graph") }
        model.graph = graph
        self = model
    }
}

extension ONNXGraph {
    init(decoding bytes: [UInt8]) throws(ONNXDecodingError) {
        self.init(name: "")
        for f in try fields(bytes, "GraphProto") {
            switch f.number {
            case Field.node: nodes.append(try ONNXNode(decoding: f.bytes("GraphProto")))
            case Field.name: name = try f.string("GraphProto")
            case Field.initializer: initializers.append(try ONNXTensor(decoding: f.bytes("GraphProto")))
            case Field.input: inputs.append(try ONNXValueInfo(decoding: f.bytes("GraphProto")))
            case Field.output: outputs.append(try ONNXValueInfo(decoding: f.bytes("GraphProto")))
            default: continue
            }
        }
    }
}

extension ONNXNode {
    init(decoding bytes: [UInt8]) throws(ONNXDecodingError) {
        self.init("", inputs: [], outputs: [], name: "")
        for f in try fields(bytes, "NodeProto") {
            switch f.number {
            case Field.input: inputs.append(try f.string("NodeProto"))
            case Field.output: outputs.append(try f.string("NodeProto"))
            case Field.name: name = try f.string("NodeProto")
            case Field.opType: opType = try f.string("NodeProto")
            case Field.attribute: attributes.append(try ONNXAttribute(decoding: f.bytes("NodeProto")))
            default: continue
            }
        }
    }
}

extension ONNXAttribute {
    init(decoding bytes: [UInt8]) throws(ONNXDecodingError) {
        var name = "", type: Int64 = 0
        var f32: Float = 0, i64: Int64 = 0, s = "", floats: [Float] = [], ints: [Int64] = []
        for f in try fields(bytes, "AttributeProto") {
            switch f.number {
            case Field.name: name = try f.string("AttributeProto")
            case Field.type: type = try f.int64("AttributeProto")
            case Field.f: f32 = f.value.float ?? 0
            case Field.i: i64 = try f.int64("AttributeProto")
            case Field.s: s = try f.string("AttributeProto")
            case Field.floats: if let v = f.value.float { floats.append(v) }
            case Field.ints: ints += try f.int64s("AttributeProto")
            default: continue
            }
        }
        let value: Value
        switch Int32(truncatingIfNeeded: type) {
        case AttributeType.float: value = .float(f32)
        case AttributeType.int: value = .int(i64)
        case AttributeType.string: value = .string(s)
        case AttributeType.floats: value = .floats(floats)
        case AttributeType.ints: value = .ints(ints)
        default: throw ONNXDecodingError("attribute '\(name)' has type \(type), which specrun does not write")
        }
        self.init(name, value)
    }
}

extension ONNXTensor {
    init(decoding bytes: [UInt8]) throws(ONNXDecodingError) {
        var name = "", dims: [Int] = [], type: Int64 = 0, raw: [UInt8] = []
        for f in try fields(bytes, "TensorProto") {
            switch f.number {
            case Field.dims: dims += try f.int64s("TensorProto").map { Int($0) }
            case Field.dataType: type = try f.int64("TensorProto")
            case Field.name: name = try f.string("TensorProto")
            case Field.rawData: raw = try f.bytes("TensorProto")
            default: continue
            }
        }
        guard let elementType = ElementType(rawValue: Int32(truncatingIfNeeded: type)) else {
            throw ONNXDecodingError("tensor '\(name)' has data type \(type), which specrun does not write")
        }
        guard dims.allSatisfy({ $0 >= 0 }), raw.count == dims.reduce(1, *) * elementType.size else {
            throw ONNXDecodingError("tensor '\(name)': \(raw.count) bytes of raw data for \(elementType.name) dims \(dims)")
        }
        self.init(name: name, elementType: elementType, dims: dims, rawData: raw)
    }
}

extension ONNXValueInfo {
    init(decoding bytes: [UInt8]) throws(ONNXDecodingError) {
        self.init(name: "", dims: [])
        for f in try fields(bytes, "ValueInfoProto") {
            if f.number == Field.name { name = try f.string("ValueInfoProto") }
            guard f.number == Field.type else { continue }
            for t in try fields(f.bytes("ValueInfoProto"), "TypeProto") where t.number == Field.tensorType {
                for g in try fields(t.bytes("TypeProto"), "TypeProto.Tensor") {
                    if g.number == Field.elemType {
                        let raw = try g.int64("TypeProto.Tensor")
                        guard let type = ONNXTensor.ElementType(rawValue: Int32(truncatingIfNeeded: raw)) else {
                            throw ONNXDecodingError("value '\(name)' has element type \(raw), which specrun does not write")
                        }
                        elementType = type
                    }
                    guard g.number == Field.shape else { continue }
                    for d in try fields(g.bytes("TypeProto.Tensor"), "TensorShapeProto") where d.number == Field.dim {
                        for v in try fields(d.bytes("TensorShapeProto"), "Dimension") {
                            if v.number == Field.dimValue { dims.append(.fixed(Int(try v.int64("Dimension")))) }
                            if v.number == Field.dimParam { dims.append(.named(try v.string("Dimension"))) }
                        }
                    }
                }
            }
        }
    }
}
