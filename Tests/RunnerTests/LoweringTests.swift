import Autograd
import Catalogue
import GraphIR
import Kernels
import NN
import Runner
import Testing

/// Lowering's fused conv2d + maxpool2d + activation block on the shipped specs.
@Suite struct LoweringTests {
    static func model(_ spec: String, fusing: Bool) throws -> GraphModel {
        var graph = try #require(Compiler.compile(path: shippedSpec(spec)).graph)
        #expect(graph.bind(["alphabet": 3, "character": 5]).isEmpty)
        var rng = RandomGenerator(seed: 0)
        return try Catalogue.standard.model(for: graph, rng: &rng, dropoutRNG: RandomGenerator(seed: 1), fusing: fusing)
    }

    /// The first block is one layer for positions 0 to 2; state_dict names, shapes and initial
    /// values are those of the separate layers; outputs and every gradient agree within rtol 1e-5
    /// (plus atol 1e-5 of the largest gradient: the convolution's sums run in another order).
    @Test(arguments: ["omniglot_two_output", "omniglot_two_input"])
    func fusedBlockKeepsNamesAndResults(_ spec: String) throws {
        let fused = try Self.model(spec, fusing: true), separate = try Self.model(spec, fusing: false)
        guard case .layers(_, let sequence) = fused.nodes[0].operation else { Issue.record("image_layer has no layers"); return }
        #expect(sequence.entries.map(\.positions) == [0..<3, 3..<4, 4..<5])
        let block = try #require(sequence.entries[0].layer as? ConvPoolBlock)
        #expect(block.activation == .elu(alpha: 1))

        #expect(fused.parameters.map(\.name) == separate.parameters.map(\.name))
        #expect(fused.parameters.map(\.name).prefix(4) == ["image_layer.0.weight", "image_layer.0.bias", "image_layer.4.weight", "image_layer.4.bias"])
        for (a, b) in zip(fused.parameters, separate.parameters) { #expect(a.tensor.values == b.tensor.values, "\(a.name)") }

        var rng = RandomGenerator(seed: 9)
        let image = Tensor(shape: [3, 1, 64, 64], values: (0..<(3 * 64 * 64)).map { _ in rng.nextFloat() })
        let onehot = Tensor(shape: [3, 3], values: [1, 0, 0, 0, 0, 1, 0, 1, 0])
        Self.expectSameResults(fused, separate, inputs: ["image": image, "alphabet_onehot": onehot], spec)
    }

    /// Outputs and every parameter gradient of two models agree within rtol 1e-5 plus atol 1e-5 of
    /// the largest value (the convolution's sums run in another order).
    static func expectSameResults(_ fused: GraphModel, _ separate: GraphModel, inputs: [String: Tensor], _ what: String,
                                  sourceLocation: SourceLocation = #_sourceLocation) {
        var results: [[String: [Float]]] = []
        for model in [fused, separate] {
            model.train()
            let outputs = model(inputs)
            var check = RandomGenerator(seed: 10)
            let loss = outputs.keys.sorted().map { name -> Tensor in
                let y = outputs[name]!
                return (y * Tensor(shape: y.shape, values: (0..<y.count).map { _ in check.uniform(-1, 1) })).sum()
            }.reduce(Tensor(scalar: 0), +)
            loss.backward()
            var values = outputs.mapValues(\.values)
            for p in model.parameters { values[p.name] = p.tensor.grad!.values }
            results.append(values)
        }
        #expect(results[0].keys.sorted() == results[1].keys.sorted(), sourceLocation: sourceLocation)
        for (name, expected) in results[1] {
            let scale = expected.map(abs).max() ?? 0
            let worst = zip(results[0][name]!, expected).map { abs($0 - $1) - 1e-5 * (abs($1) + scale) }.max() ?? 0
            #expect(worst <= 0, "\(what) \(name): differs by up to \(worst) beyond the tolerance", sourceLocation: sourceLocation)
        }
    }

    /// A one-node image model with these layers, lowered (class count 4).
    static func lowered(_ name: String, image: [Int], layers: String, fusing: Bool = true) throws -> GraphModel {
        let spec = """
        name: \(name)
        data:
          source: {image_folder: {root: shapes, levels: [kind]}}
          fields: {image: {image: {channels: \(image[0]), size: [\(image[1]), \(image[2])]}}, kind: {label: kind}}
          batch_size: 2
        model:
          inputs: {image: \(image)}
          nodes:
            features: {from: image, layers: [\(layers)]}
          outputs: {kind: {from: features, target: kind, loss: cross_entropy}}
        optimizer: {sgd: {lr: 0.1}}
        train: {epochs: 1}
        """
        let compilation = Compiler.compile(text: spec)
        var graph = try #require(compilation.graph, "\(compilation.diagnostics)")
        #expect(graph.bind(["kind": 4]).isEmpty)
        var rng = RandomGenerator(seed: 0)
        return try Catalogue.standard.model(for: graph, rng: &rng, dropoutRNG: RandomGenerator(seed: 1), fusing: fusing)
    }

    /// conv -> monotone activation -> maxpool is one block, pooling before the activation, whether
    /// or not the fused kernel takes it (27 and 36 taps on 6- and 3-wide pooled rows: it does not
    /// here); a non-monotone activation keeps the three layers. Results as the separate layers'.
    @Test func activationBeforePoolingBecomesTheBlock() throws {
        let layers = """
            {conv2d: {out: 4, kernel: 3, padding: 1}}, relu, {maxpool2d: {kernel: 2}}, {conv2d: {out: 5, kernel: 3, padding: 1}}, elu,
            {maxpool2d: {kernel: 2}}, {conv2d: {out: 3, kernel: 1}}, {leaky_relu: {negative_slope: -0.5}}, {maxpool2d: {kernel: 2}},
            flatten, {linear: {out: classes(kind)}}
            """
        let fused = try Self.lowered("order", image: [3, 12, 12], layers: layers)
        guard case .layers(_, let sequence) = fused.nodes[0].operation else { Issue.record("features has no layers"); return }
        #expect(sequence.entries.map(\.positions) == [0..<3, 3..<6, 6..<7, 7..<8, 8..<9, 9..<10, 10..<11])
        #expect(sequence.entries.prefix(2).map { ($0.layer as? ConvPoolBlock)?.activation } == [.relu, .elu(alpha: 1)])
        var rng = RandomGenerator(seed: 9)
        let image = Tensor(shape: [2, 3, 12, 12], values: (0..<(2 * 3 * 144)).map { _ in rng.uniform(-1, 1) })
        let separate = try Self.lowered("order", image: [3, 12, 12], layers: layers, fusing: false)
        Self.expectSameResults(fused, separate, inputs: ["image": image], "order")
    }

    @Test func negativeSlopeStaysSeparateAfterTheFusedBlock() throws {
        let model = try Self.lowered("slope", image: [1, 9, 9], layers: """
            {conv2d: {out: 3, kernel: 3}}, {maxpool2d: {kernel: 2}}, {leaky_relu: {negative_slope: -0.5}}, flatten, {linear: {out: classes(kind)}}
            """)
        guard case .layers(_, let sequence) = model.nodes[0].operation else { Issue.record("features has no layers"); return }
        #expect(sequence.entries.map(\.positions) == [0..<2, 2..<3, 3..<4, 4..<5])
        #expect((sequence.entries[0].layer as? ConvPoolBlock)?.activation == MonotoneActivation.none)
    }
}
