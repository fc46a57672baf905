import ProtobufWire

/// The subset of ONNX's protobuf schema (onnx/onnx.proto) that a specrun export writes: a model
/// holding one graph of nodes over named values, with float32 and int64 initializers. Each type
/// is a value with `encode` and `init(decoding:)`; field numbers are those of onnx.proto.
///
/// onnx.proto is proto2: repeated integers are written unpacked (one key per value), as its own
/// serializer writes them; every reader accepts that form.
public struct ONNXModel: Sendable, Equatable {
    /// IR version 8 is the one that goes with opset 17 (ONNX 1.12).
    public static let irVersion: Int64 = 8
    public static let opsetVersion: Int64 = 17

    public var irVersion: Int64 = ONNXModel.irVersion
    /// Versions of the operator sets used; the default domain ("") only.
    public var opsetImports: [OperatorSetID] = [OperatorSetID(domain: "", version: ONNXModel.opsetVersion)]
    public var producerName = "specrun"
    public var producerVersion = ""
    public var docString = ""
    public var graph: ONNXGraph
    /// Free-form key-value pairs (`metadata_props`), in order.
    public var metadata: [(key: String, value: String)] = []

    public init(graph: ONNXGraph) { self.graph = graph }

    public struct OperatorSetID: Sendable, Equatable {
        public var domain: String
        public var version: Int64
        public init(domain: String, version: Int64) {
            self.domain = domain
            self.version = version
        }
    }

    // ModelProto
    enum Field {
        static let irVersion = 1, producerName = 2, producerVersion = 3, docString = 6, graph = 7, opsetImport = 8, metadataProps = 14
        // OperatorSetIdProto, StringStringEntryProto
        static let opsetDomain = 1, opsetVersion = 2, key = 1, value = 2
    }

    /// The serialized ModelProto: what a `.onnx` file holds.
    public func encoded() -> [UInt8] {
        var w = ProtobufWriter()
        w.int64(Field.irVersion, irVersion)
        w.string(Field.producerName, producerName)
        if !producerVersion.isEmpty { w.string(Field.producerVersion, producerVersion) }
        if !docString.isEmpty { w.string(Field.docString, docString) }
        w.message(Field.graph) { graph.encode(into: &$0) }
        for opset in opsetImports {
            w.message(Field.opsetImport) { o in
                o.string(Field.opsetDomain, opset.domain)
                o.int64(Field.opsetVersion, opset.version)
            }
        }
        for entry in metadata {
            w.message(Field.metadataProps) { e in
                e.string(Field.key, entry.key)
                e.string(Field.value, entry.value)
            }
        }
        return w.bytes
    }

    public static func == (a: ONNXModel, b: ONNXModel) -> Bool {
        a.irVersion == b.irVersion && a.opsetImports == b.opsetImports && a.producerName == b.producerName
            && a.producerVersion == b.producerVersion && a.docString == b.docString && a.graph == b.graph
            && a.metadata.map(\.key) == b.metadata.map(\.key) && a.metadata.map(\.value) == b.metadata.map(\.value)
    }
}

/// GraphProto: nodes in an order where every value is made before it is read, the initializers
/// (constant tensors, the weights among them), and the graph's inputs and outputs.
public struct ONNXGraph: Sendable, Equatable {
    public var name: String
    public var nodes: [ONNXNode] = []
    public var initializers: [ONNXTensor] = []
    public var inputs: [ONNXValueInfo] = []
    public var outputs: [ONNXValueInfo] = []

    public init(name: String) { self.name = name }

    enum Field { static let node = 1, name = 2, initializer = 5, input = 11, output = 12 }

    func encode(into w: inout ProtobufWriter) {
        for node in nodes { w.message(Field.node) { node.encode(into: &$0) } }
        w.string(Field.name, name)
        for tensor in initializers { w.message(Field.initializer) { tensor.encode(into: &$0) } }
        for input in inputs { w.message(Field.input) { input.encode(into: &$0) } }
        for output in outputs { w.message(Field.output) { output.encode(into: &$0) } }
    }
}

/// NodeProto: one operator applied to named values, making named values.
public struct ONNXNode: Sendable, Equatable {
    public var opType: String
    public var inputs: [String]
    public var outputs: [String]
    public var name: String
    public var attributes: [ONNXAttribute]

    public init(_ opType: String, inputs: [String], outputs: [String], name: String, attributes: [ONNXAttribute] = []) {
        self.opType = opType
        self.inputs = inputs
        self.outputs = outputs
        self.name = name
        self.attributes = attributes
    }

    enum Field { static let input = 1, output = 2, name = 3, opType = 4, attribute = 5 }

    func encode(into w: inout ProtobufWriter) {
        for input in inputs { w.string(Field.input, input) }
        for output in outputs { w.string(Field.output, output) }
        w.string(Field.name, name)
        w.string(Field.opType, opType)
        for attribute in attributes { w.message(Field.attribute) { attribute.encode(into: &$0) } }
    }
}

/// AttributeProto: a named constant argument of a node (`kernel_shape`, `epsilon`, ...).
public struct ONNXAttribute: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case float(Float)
        case int(Int64)
        case string(String)
        case floats([Float])
        case ints([Int64])
    }

    public var name: String
    public var value: Value

    public init(_ name: String, _ value: Value) {
        self.name = name
        self.value = value
    }

    public static func int(_ name: String, _ v: Int) -> ONNXAttribute { ONNXAttribute(name, .int(Int64(v))) }
    public static func float(_ name: String, _ v: Float) -> ONNXAttribute { ONNXAttribute(name, .float(v)) }
    public static func ints(_ name: String, _ v: [Int]) -> ONNXAttribute { ONNXAttribute(name, .ints(v.map(Int64.init))) }

    // AttributeProto fields, and the AttributeType enum values it must state.
    enum Field { static let name = 1, f = 2, i = 3, s = 4, floats = 7, ints = 8, type = 20 }
    enum AttributeType { static let float: Int32 = 1, int: Int32 = 2, string: Int32 = 3, floats: Int32 = 6, ints: Int32 = 7 }

    func encode(into w: inout ProtobufWriter) {
        w.string(Field.name, name)
        switch value {
        case .float(let v):
            w.float(Field.f, v)
            w.int32(Field.type, AttributeType.float)
        case .int(let v):
            w.int64(Field.i, v)
            w.int32(Field.type, AttributeType.int)
        case .string(let v):
            w.string(Field.s, v)
            w.int32(Field.type, AttributeType.string)
        case .floats(let vs):
            for v in vs { w.float(Field.floats, v) }
            w.int32(Field.type, AttributeType.floats)
        case .ints(let vs):
            for v in vs { w.int64(Field.ints, v) }
            w.int32(Field.type, AttributeType.ints)
        }
    }
}

/// TensorProto: a constant tensor, its values little-endian in `raw_data`.
public struct ONNXTensor: Sendable, Equatable {
    /// TensorProto.DataType values.
    public enum ElementType: Int32, Sendable {
        case float = 1, int64 = 7
        var size: Int { self == .float ? 4 : 8 }
        var name: String { self == .float ? "float32" : "int64" }
    }

    public var name: String
    public var elementType: ElementType
    public var dims: [Int]
    public var rawData: [UInt8]

    public init(name: String, dims: [Int], floats: [Float]) {
        self.init(name: name, elementType: .float, dims: dims, values: floats.map(\.bitPattern))
    }

    public init(name: String, dims: [Int], int64s: [Int64]) {
        self.init(name: name, elementType: .int64, dims: dims, values: int64s)
    }

    private init<T: FixedWidthInteger>(name: String, elementType: ElementType, dims: [Int], values: [T]) {
        precondition(dims.reduce(1, *) == values.count, "[onnx] tensor \(name): \(values.count) values for dims \(dims)")
        var raw: [UInt8] = []
        raw.reserveCapacity(values.count * MemoryLayout<T>.size)
        for v in values { withUnsafeBytes(of: v.littleEndian) { raw.append(contentsOf: $0) } }
        self.init(name: name, elementType: elementType, dims: dims, rawData: raw)
    }

    init(name: String, elementType: ElementType, dims: [Int], rawData: [UInt8]) {
        self.name = name
        self.elementType = elementType
        self.dims = dims
        self.rawData = rawData
    }

    public var elementCount: Int { dims.reduce(1, *) }

    /// The values of a float tensor.
    public var floats: [Float] {
        precondition(elementType == .float, "[onnx] tensor \(name) holds \(elementType.name), not float32")
        return stride(from: 0, to: rawData.count, by: 4).map { i in
            Float(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(rawData[i + $1]) << (8 * $1) })
        }
    }

    /// The values of an int64 tensor.
    public var int64s: [Int64] {
        precondition(elementType == .int64, "[onnx] tensor \(name) holds \(elementType.name), not int64")
        return stride(from: 0, to: rawData.count, by: 8).map { i in
            Int64(bitPattern: (0..<8).reduce(UInt64(0)) { $0 | UInt64(rawData[i + $1]) << (8 * $1) })
        }
    }

    enum Field { static let dims = 1, dataType = 2, name = 8, rawData = 9 }

    func encode(into w: inout ProtobufWriter) {
        for d in dims { w.int64(Field.dims, Int64(d)) }
        w.int32(Field.dataType, elementType.rawValue)
        w.string(Field.name, name)
        w.bytes(Field.rawData, rawData)
    }
}

/// ValueInfoProto for a tensor: its name, element type and shape; an axis is a number or a name
/// (`batch`: any size, the same wherever the name appears).
public struct ONNXValueInfo: Sendable, Equatable {
    public enum Dimension: Sendable, Equatable, CustomStringConvertible {
        case fixed(Int)
        case named(String)
        public var description: String {
            switch self {
            case .fixed(let n): "\(n)"
            case .named(let name): name
            }
        }
    }

    public var name: String
    public var elementType: ONNXTensor.ElementType
    public var dims: [Dimension]

    public init(name: String, elementType: ONNXTensor.ElementType = .float, dims: [Dimension]) {
        self.name = name
        self.elementType = elementType
        self.dims = dims
    }

    // ValueInfoProto.name, .type; TypeProto.tensor_type; TypeProto.Tensor.elem_type, .shape;
    // TensorShapeProto.dim; Dimension.dim_value, .dim_param.
    enum Field { static let name = 1, type = 2, tensorType = 1, elemType = 1, shape = 2, dim = 1, dimValue = 1, dimParam = 2 }

    func encode(into w: inout ProtobufWriter) {
        w.string(Field.name, name)
        w.message(Field.type) { type in
            type.message(Field.tensorType) { tensor in
                tensor.int32(Field.elemType, elementType.rawValue)
                tensor.message(Field.shape) { shape in
                    for d in dims {
                        shape.message(Field.dim) { dim in
                            switch d {
                            case .fixed(let n): dim.int64(Field.dimValue, Int64(n))
                            case .named(let name): dim.string(Field.dimParam, name)
                            }
                        }
                    }
                }
            }
        }
    }
}
