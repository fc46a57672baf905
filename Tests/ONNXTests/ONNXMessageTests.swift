import Foundation
import ONNX
import ProtobufWire
import Testing

/// ONNX's messages byte for byte against onnx's own serializer, read back, and the graph
/// builder's naming and structural checks.
@Suite struct ONNXMessageTests {
    /// The model tools/goldens/onnx_messages.py builds with `onnx.helper`.
    static func golden() -> ONNXModel {
        var graph = ONNXGraph(name: "g")
        graph.nodes = [
            ONNXNode("Reshape", inputs: ["x", "s"], outputs: ["r"], name: "n/Reshape"),
            ONNXNode("LeakyRelu", inputs: ["r"], outputs: ["l"], name: "n/LeakyRelu", attributes: [.float("alpha", 0.25)]),
            // onnx.helper writes attributes sorted by name.
            ONNXNode("Conv", inputs: ["l", "w"], outputs: ["c"], name: "n/Conv", attributes: [.int("group", 1), .ints("kernel_shape", [1, 1])]),
            ONNXNode("Identity", inputs: ["c"], outputs: ["y"], name: "y/Identity"),
        ]
        graph.initializers = [ONNXTensor(name: "w", dims: [2, 1], floats: [1.5, -2]), ONNXTensor(name: "s", dims: [2], int64s: [0, -1])]
        graph.inputs = [ONNXValueInfo(name: "x", dims: [.named("batch"), .fixed(2)])]
        graph.outputs = [ONNXValueInfo(name: "y", dims: [.named("batch"), .fixed(2)])]
        var model = ONNXModel(graph: graph)
        model.producerVersion = "0.1.0"
        model.docString = "doc"
        model.metadata = [("specrun.spec", "golden")]
        return model
    }

    /// Printed by tools/goldens/onnx_messages.py (onnx 1.23.2).
    static let goldenHex = "080812077370656372756e1a05302e312e303203646f633a93020a1d0a01780a01731201721a096e2f526573686170652207526573686170650a2f0a017212016c1a0b6e2f4c65616b7952656c7522094c65616b7952656c752a0f0a05616c706861150000803ea001010a3c0a016c0a01771201631a066e2f436f6e762204436f6e762a0c0a0567726f75701801a001022a150a0c6b65726e656c5f736861706540014001a001070a1c0a01631201791a0a792f4964656e7469747922084964656e746974791201672a130802080110014201774a080000c03f000000c02a19080210074201734a100000000000000000ffffffffffffffff5a180a017812130a110801120d0a07120562617463680a02080262180a017912130a110801120d0a07120562617463680a02080242040a00101172160a0c7370656372756e2e737065631206676f6c64656e"

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test func theEncodingIsOnnxsOwn() {
        #expect(Self.hex(Self.golden().encoded()) == Self.goldenHex)
    }

    @Test func whatIsWrittenReadsBack() throws {
        let model = Self.golden()
        let read = try ONNXModel(decoding: model.encoded())
        #expect(read == model)
        #expect(read.graph.initializers[0].floats == [1.5, -2])
        #expect(read.graph.initializers[1].int64s == [0, -1])
        #expect(read.graph.structuralProblems.isEmpty)
    }

    /// Repeated integers may come packed (proto3 writers, and proto2 `[packed = true]`).
    @Test func packedIntegersReadAsUnpackedOnes() throws {
        var attribute = ProtobufWriter()
        attribute.string(1, "pads")
        attribute.packedInt64s(8, [0, 300, -1])
        attribute.int32(20, 7)
        var node = ProtobufWriter()
        node.string(4, "Pad")
        node.bytes(5, attribute.bytes)
        var graph = ProtobufWriter()
        graph.bytes(1, node.bytes)
        var model = ProtobufWriter()
        model.bytes(7, graph.bytes)
        let read = try ONNXModel(decoding: model.bytes)
        #expect(read.graph.nodes.first?.attributes == [ONNXAttribute("pads", .ints([0, 300, -1]))])
    }

    @Test func damagedFilesAreErrorsNotCrashes() {
        let bytes = Self.golden().encoded()
        #expect(throws: ONNXDecodingError.self) { try ONNXModel(decoding: Array(bytes.prefix(40))) }
        #expect(throws: ONNXDecodingError("ModelProto has no graph")) { try ONNXModel(decoding: [0x08, 0x08]) }
        // A float tensor of two values with four bytes of data.
        var tensor = ProtobufWriter()
        tensor.int64(1, 2)
        tensor.int32(2, 1)
        tensor.string(8, "w")
        tensor.bytes(9, [0, 0, 0, 0])
        var graph = ProtobufWriter()
        graph.bytes(5, tensor.bytes)
        var model = ProtobufWriter()
        model.bytes(7, graph.bytes)
        #expect(throws: ONNXDecodingError("tensor 'w': 4 bytes of raw data for float32 dims [2]")) { try ONNXModel(decoding: model.bytes) }
    }

    @Test func theBuilderKeepsInterfaceNamesAndMakesOthersUnique() {
        var builder = ONNXGraphBuilder(name: "g", reserving: ["y"])
        let x = builder.input("x", dims: [.named("batch"), .fixed(3)])
        let shift = builder.scalar("y", 1)
        let a = builder.node("Add", [x, shift], name: "y")
        let b = builder.node("Relu", [a], name: "y")
        builder.output("y", from: b, dims: [.named("batch"), .fixed(3)])
        let g = builder.graph
        #expect([shift, a, b] == ["y_1", "y_2", "y_3"])
        #expect(g.nodes.map(\.name) == ["y/Add", "y/Relu", "y/Identity"])
        #expect(g.nodes.last?.outputs == ["y"] && g.outputs.map(\.name) == ["y"])
        #expect(g.structuralProblems.isEmpty)
    }

    @Test func structuralProblemsAreNamed() {
        var g = ONNXGraph(name: "g")
        g.inputs = [ONNXValueInfo(name: "x", dims: [.named("batch")])]
        g.initializers = [ONNXTensor(name: "x", dims: [1], floats: [0])]
        g.nodes = [ONNXNode("Relu", inputs: ["later"], outputs: ["later"], name: "n"), ONNXNode("Pad", inputs: ["x", ""], outputs: ["p"], name: "m")]
        g.outputs = [ONNXValueInfo(name: "z", dims: [])]
        #expect(g.structuralProblems == [
            "initializer 'x' reuses a name already defined",
            "node 'n' reads 'later' before anything makes it",
            "graph output 'z' is made by no node",
        ])
    }
}
