@testable import Catalogue
import Diagnostics
import Foundation
import GraphIR
import SpecLanguage
import Testing

/// The specs in specs/ validate without a single diagnostic and describe the seed's models exactly
/// (torch_reference.py): the same layers in the same order, sizes, losses, optimizer and batches.
@Suite struct ShippedSpecTests {
    static let names = Fixtures.files(in: Fixtures.specs, ext: "yaml")

    /// Omniglot's background set as the data README describes it.
    static let omniglot = ["alphabet": 8, "character": 242]

    static func compile(_ name: String) throws -> (spec: Spec, graph: Graph) {
        let c = Compiler.compile(path: Fixtures.specs.appendingPathComponent(name).path)
        #expect(c.diagnostics.isEmpty, "\(c.diagnostics.map { DiagnosticRenderer.human($0, in: c.file) })")
        return (try #require(c.spec), try #require(c.graph))
    }

    @Test func theSpecsAreShipped() {
        #expect(Self.names == ["image_manifest.yaml", "omniglot_cnn.yaml", "omniglot_two_input.yaml", "omniglot_two_output.yaml",
                               "water_bn.yaml", "water_hardness.yaml", "water_mlp.yaml", "water_regression.yaml"])
    }

    @Test(arguments: names)
    func validatesWithoutDiagnostics(_ name: String) throws {
        let (spec, graph) = try Self.compile(name)
        #expect(spec.name + ".yaml" == name)
        #expect(spec.data.split.test == 0.2)
        #expect(spec.data.split.seed == 1)
        #expect(spec.seed == 0)
        #expect(graph.pendingChecks.isEmpty || graph.symbols == ["alphabet", "character"])
    }

    /// The layers of each node as (index, signature, output shape), after binding class counts.
    static func layers(_ graph: Graph) -> [String] {
        graph.nodes.flatMap { node in
            node.layers.map { "\(node.name).\($0.index) \($0.signature) \($0.outputShape)" }
                + (node.layers.isEmpty ? ["\(node.name) \(node.operation.summary) \(node.outputShape)"] : [])
        }
    }

    @Test func waterMLPIsTheSeedModel() throws {
        let (spec, graph) = try Self.compile("water_mlp.yaml")
        #expect(Self.layers(graph) == [
            "mlp.0 linear(9 -> 16) (N, 16)", "mlp.1 relu (N, 16)", "mlp.2 linear(16 -> 8) (N, 8)", "mlp.3 relu (N, 8)",
            "mlp.4 linear(8 -> 1) (N, 1)", "mlp.5 sigmoid (N, 1)",
        ])
        #expect(graph.parameterCount == 305)
        #expect(graph.nodes[0].layers.allSatisfy { $0.initializer == nil && $0.biasInitializer == nil })
        #expect(spec.optimizer.flow
                == "adam {amsgrad: false, betas: [0.9, 0.999], decoupled_weight_decay: false, eps: 1e-08, lr: 0.001, maximize: false, weight_decay: 0}")
        #expect(spec.data.batchSize == 2)
        #expect(spec.data.shuffle)
        #expect(graph.outputs.map(\.loss.flow) == ["bce"])
        #expect(graph.outputs[0].target.kind.flow == "column {from: Potability, normalize: none}")
        #expect(spec.data.source.flow == "csv {delimiter: ,, path: water/water_potability.csv}")
        #expect(spec.data.preprocessing.missing == "drop" && spec.data.preprocessing.normalize == "minmax")
        #expect(spec.data.fields[0].kind.flow
                == "features {columns: [ph, Hardness, Solids, Chloramines, Sulfate, Conductivity, Organic_carbon, Trihalomethanes, Turbidity]}")
    }

    @Test func waterBNIsTheSeedModel() throws {
        let (spec, graph) = try Self.compile("water_bn.yaml")
        #expect(Self.layers(graph) == [
            "mlp.0 linear(9 -> 16) (N, 16)", "mlp.1 batchnorm1d(16) (N, 16)", "mlp.2 elu (N, 16)",
            "mlp.3 linear(16 -> 8) (N, 8)", "mlp.4 batchnorm1d(8) (N, 8)", "mlp.5 elu (N, 8)",
            "mlp.6 linear(8 -> 1) (N, 1)", "mlp.7 sigmoid (N, 1)",
        ])
        #expect(graph.parameterCount == 353)
        let layers = graph.nodes[0].layers
        #expect(layers[0].initializer?.flow == "kaiming_uniform {a: 0, mode: fan_in, nonlinearity: leaky_relu}")
        #expect(layers[3].initializer?.flow == "kaiming_uniform {a: 0, mode: fan_in, nonlinearity: leaky_relu}")
        #expect(layers[6].initializer?.flow == "kaiming_uniform {a: 0, mode: fan_in, nonlinearity: sigmoid}")
        #expect(layers.allSatisfy { $0.biasInitializer == nil })
        #expect(layers[1].attributes(as: BatchNormLayer.Attributes.self)
                == .init(numFeatures: 16, spatial: false, eps: 1e-5, momentum: 0.1, affine: true))
        #expect(spec.data.batchSize == 16)
        #expect(spec.optimizer.options.double("lr") == 1e-3)
        // The public file, with the seed's preprocessing declared (README: "The water specs").
        #expect(spec.data.source.flow == "csv {delimiter: ,, path: water/water_potability.csv}")
        #expect(spec.data.preprocessing.missing == "drop" && spec.data.preprocessing.normalize == "minmax")
    }

    @Test func omniglotTwoInputIsTheSeedModel() throws {
        let (spec, unbound) = try Self.compile("omniglot_two_input.yaml")
        var graph = unbound
        #expect(graph.symbols == ["alphabet", "character"])
        #expect(graph.bind(Self.omniglot).isEmpty)
        #expect(Self.layers(graph) == [
            "image_layer.0 conv2d(1 -> 16, kernel 3, padding 1) (N, 16, 64, 64)", "image_layer.1 maxpool2d(kernel 2) (N, 16, 32, 32)",
            "image_layer.2 elu (N, 16, 32, 32)", "image_layer.3 flatten (N, 16384)", "image_layer.4 linear(16384 -> 128) (N, 128)",
            "alphabet_layer.0 linear(8 -> 8) (N, 8)", "alphabet_layer.1 elu (N, 8)",
            "joined concat(image_layer, alphabet_layer; dim 1) (N, 136)",
            "classifier.0 linear(136 -> 242) (N, 242)",
        ])
        #expect(graph.parameterCount == 2_130_666)
        #expect(graph.inputs.map(\.name) == ["image", "alphabet_onehot"])
        #expect(graph.inputs.map(\.shape) == [TensorShape([1, 64, 64]), TensorShape([8])])
        #expect(spec.data.field(named: "alphabet_onehot")?.kind.flow == "onehot {label: alphabet}")
        #expect(spec.data.field(named: "image")?.kind.flow == "image {channels: 1, size: [64, 64]}")
        #expect(graph.outputs.map(\.loss.flow) == ["cross_entropy {label_smoothing: 0}"])
        #expect(spec.data.batchSize == 32)
        #expect(spec.optimizer.name == "adam")
        #expect(spec.data.source.flow == "image_folder {extensions: [png, jpg, jpeg], levels: [alphabet, character], root: omniglot/images_background}")
    }

    @Test func omniglotTwoOutputIsTheSeedModel() throws {
        let (spec, unbound) = try Self.compile("omniglot_two_output.yaml")
        var graph = unbound
        #expect(graph.bind(Self.omniglot).isEmpty)
        #expect(Self.layers(graph).suffix(2) == ["classifier_alpha.0 linear(128 -> 8) (N, 8)", "classifier_char.0 linear(128 -> 242) (N, 242)"])
        #expect(graph.parameterCount == 2_129_690)
        #expect(graph.outputs.map { "\($0.name) \($0.loss.name) \($0.weight) \($0.target.name)" }
                == ["alphabet cross_entropy 1.0 alphabet", "character cross_entropy 1.0 character"])
        #expect(spec.optimizer.flow == "sgd {dampening: 0, lr: 0.01, maximize: false, momentum: 0, nesterov: false, weight_decay: 0}")
        #expect(spec.data.batchSize == 32)
    }

    /// The CNN of the layers users reach for first: each of them where the spec says, sized as written.
    @Test func omniglotCNNUsesTheNewLayers() throws {
        let (_, unbound) = try Self.compile("omniglot_cnn.yaml")
        var graph = unbound
        #expect(graph.bind(Self.omniglot).isEmpty)
        #expect(Self.layers(graph) == [
            "features.0 conv2d(1 -> 32, kernel 3, padding 1) (N, 32, 64, 64)", "features.1 groupnorm(8 groups of 32) (N, 32, 64, 64)",
            "features.2 silu (N, 32, 64, 64)", "features.3 maxpool2d(kernel 2) (N, 32, 32, 32)",
            "features.4 conv2d(32 -> 32, kernel 3, padding 1, groups 32) (N, 32, 32, 32)", "features.5 conv2d(32 -> 64, kernel 1) (N, 64, 32, 32)",
            "features.6 groupnorm(8 groups of 64) (N, 64, 32, 32)", "features.7 silu (N, 64, 32, 32)", "features.8 dropout2d(0.1) (N, 64, 32, 32)",
            "features.9 adaptive_avg_pool2d(1) (N, 64, 1, 1)", "features.10 flatten (N, 64)", "features.11 layernorm(64) (N, 64)",
            "alphabet_head.0 linear(64 -> 8) (N, 8)", "character_head.0 linear(64 -> 242) (N, 242)",
        ])
        // conv 32*9 + 32, groupnorm 2*32, depthwise 32*9 + 32, pointwise 64*32 + 64, groupnorm 2*64,
        // layernorm 2*64, heads 65*8 and 65*242.
        let expected: Int = 320 + 64 + 320 + 2_112 + 128 + 128 + 65 * 8 + 65 * 242
        #expect(graph.parameterCount == SymbolicSize(expected))
        #expect(graph.outputs.flatMap { o in o.metrics.map { "\(o.name).\($0.flow)" } }
                == ["alphabet.accuracy {threshold: 0.5}", "alphabet.top_k_accuracy {k: 3}", "character.accuracy {threshold: 0.5}",
                    "character.top_k_accuracy {k: 5}"])
    }

    /// The regression spec: metrics on the mse head, an l1 output that only measures, an AUROC.
    @Test func waterRegressionMeasuresWithoutTraining() throws {
        let (_, graph) = try Self.compile("water_regression.yaml")
        #expect(graph.outputs.map { "\($0.name) \($0.loss.name) \($0.weight) \($0.metrics.map(\.name))" }
                == ["ph mse 1.0 [\"mae\", \"rmse\", \"r2\"]", "ph_l1 l1 0.0 []", "potability bce_with_logits 1.0 [\"accuracy\", \"auroc\"]"])
        #expect(Self.layers(graph).prefix(4) == ["body.0 linear(8 -> 32) (N, 32)", "body.1 silu (N, 32)", "body.2 linear(32 -> 32) (N, 32)",
                                                "body.3 softplus(beta 2) (N, 32)"])
    }
}
