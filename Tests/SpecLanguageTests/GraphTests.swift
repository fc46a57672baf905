@testable import Catalogue
import Diagnostics
import Foundation
import GraphIR
import SpecLanguage
import Testing

/// Shape rules against PyTorch's output sizes, binding of class counts, and the drawings.
@Suite struct GraphTests {
    /// The layers of a node that reads a `channels x h x w` image (and feeds a classifier head).
    func net(_ input: [Int], _ layers: String) throws -> [GraphLayer] {
        let text = """
            name: t
            data:
              source: {image_folder: {root: r, levels: [c]}}
              fields: {image: {image: {channels: \(input[0]), size: [\(input[1]), \(input[2])]}}, c: {label: c}}
            model:
              inputs: {image: \(input)}
              nodes:
                net: {from: image, layers: \(layers)}
                head: {from: net, layers: [flatten, {linear: {out: classes(c)}}]}
              outputs: {c: {from: head, target: c, loss: cross_entropy}}
            optimizer: sgd
            """
        let c = Compiler.compile(text: text, path: "t.yaml")
        #expect(c.diagnostics.isEmpty, "\(c.diagnostics.map { DiagnosticRenderer.human($0, in: c.file) })")
        return try #require(c.graph?.node(named: "net")).layers
    }

    /// The output shape of every layer of that node.
    func shapes(_ input: [Int], _ layers: String) throws -> [String] {
        try net(input, layers).map(\.outputShape.description)
    }

    /// Expected sizes are PyTorch's, from torch.nn on zero tensors of these shapes.
    @Test func windowsMatchPyTorch() throws {
        #expect(try shapes([3, 5, 5], "[{maxpool2d: {kernel: 2}}]") == ["(N, 3, 2, 2)"])
        #expect(try shapes([3, 4, 4], "[{maxpool2d: {kernel: 3, stride: 2, padding: 1}}]") == ["(N, 3, 2, 2)"])
        #expect(try shapes([3, 7, 7], "[{maxpool2d: {kernel: 3, padding: 1}}]") == ["(N, 3, 3, 3)"])
        #expect(try shapes([3, 6, 9], "[{avgpool2d: {kernel: [2, 3], stride: [1, 2], padding: 1}}]") == ["(N, 3, 7, 5)"])
        #expect(try shapes([3, 10, 11], "[{conv2d: {out: 4, kernel: [3, 5], stride: [2, 1], padding: [1, 2], dilation: [2, 1]}}]")
                == ["(N, 4, 4, 11)"])
    }

    @Test func flattenSoftmaxAndBatchnormFollowPyTorchAxes() throws {
        #expect(try shapes([3, 4, 5], "[{flatten: {start_dim: 2}}, batchnorm, {softmax: {dim: -1}}, flatten]")
                == ["(N, 3, 20)", "(N, 3, 20)", "(N, 3, 20)", "(N, 60)"])
        let layers = try net([3, 4, 5], "[{flatten: {start_dim: 2}}, batchnorm, batchnorm, {log_softmax: {dim: -1}}]")
        #expect(layers[0].attributes(as: FlattenLayer.Attributes.self) == .init(startDim: 2, endDim: 3))
        #expect(layers[1].attributes(as: BatchNormLayer.Attributes.self) == .init(numFeatures: 3, spatial: false, eps: 1e-5, momentum: 0.1, affine: true))
        #expect(layers[3].attributes(as: SoftmaxLayer.Attributes.self) == .init(name: "log_softmax", dim: 2))
    }

    @Test func countsParametersAndFLOPs() throws {
        let c = Compiler.compile(text: """
            name: t
            data:
              source: {image_folder: {root: r, levels: [c]}}
              fields: {image: {image: {channels: 3, size: [8, 8]}}, c: {label: c}}
            model:
              inputs: {image: [3, 8, 8]}
              nodes:
                net: {from: image, layers: [{conv2d: {out: 4, kernel: 3, bias: false}}, relu, flatten, {linear: {out: classes(c)}}]}
              outputs: {c: {from: net, target: c, loss: cross_entropy}}
            optimizer: sgd
            """, path: "t.yaml")
        let layers = try #require(c.graph).nodes[0].layers
        // conv: 4*3*3*3 weights, no bias; 6x6 outputs of 27 multiply-adds each.
        #expect(layers[0].parameterCount == 108)
        #expect(layers[0].flops == SymbolicSize(2 * 27 * 4 * 36))
        #expect(layers[1].flops == 144)
        #expect(layers[3].parameterCount == SymbolicSize(145) * .classes("c"))
        #expect(layers[3].flops == SymbolicSize(289) * .classes("c"))
        #expect(c.graph?.parameterCount.description == "108 + 145*classes(c)")
    }

    static let twoInput = """
        name: t
        data:
          source: {image_folder: {root: r, levels: [alphabet, character]}}
          fields:
            image: {image: {size: [4, 4]}}
            alphabet: {label: alphabet}
            alphabet_onehot: {onehot: alphabet}
            character: {label: character}
          split: {test: 0.2, stratify: character}
        model:
          inputs:
            image: [1, 4, 4]
            alphabet_onehot: [8]
          nodes:
            flat: {from: image, layers: [flatten]}
            joined: {concat: [flat, alphabet_onehot]}
            logits: {from: joined, layers: [{linear: {in: 24, out: 10}}]}
          outputs:
            character: {from: logits, target: character, loss: {cross_entropy: {class_weights: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]}}}
        optimizer: sgd
        """

    /// Checks between a number and a class count wait for the data; they pass when it agrees.
    @Test func bindCompletesDeferredChecks() throws {
        let c = Compiler.compile(text: Self.twoInput, path: "t.yaml")
        #expect(c.diagnostics.isEmpty)
        var graph = try #require(c.graph)
        #expect(graph.pendingChecks.count == 3)
        #expect(graph.symbols == ["alphabet", "character"])
        #expect(graph.bind(["alphabet": 8, "character": 10]).isEmpty)
        #expect(graph.isBound)
        #expect(graph.pendingChecks.isEmpty)
        #expect(graph.node(named: "joined")?.outputShape == TensorShape([24]))
        #expect(graph.bindings == ["alphabet": 8, "character": 10])
    }

    /// When the data disagrees, every failed check is reported at its place, with the counts.
    @Test func bindReportsMismatchesWithTheirPlace() throws {
        let c = Compiler.compile(text: Self.twoInput, path: "t.yaml")
        var graph = try #require(c.graph)
        let text = graph.bind(["alphabet": 9, "character": 242]).map { DiagnosticRenderer.human($0, in: c.file) }.joined(separator: "\n")
        #expect(text == """
            t.yaml:13:23: error[E051]: the input 'alphabet_onehot' has 8 at axis 1, but its field makes classes(alphabet) = 9 there
             13 |     alphabet_onehot: [8]
                |                       ^
            t.yaml:7:22: note: the field 'alphabet_onehot' is declared here
              7 |     alphabet_onehot: {onehot: alphabet}
                |                      ^~~~~~~~~~~~~~~~~~
            note: the loaded data has classes(alphabet) = 9
            t.yaml:19:23: error[E040]: output 'character' has 10 scores per sample, but its target 'character' has classes(character) = 242 classes
             19 |     character: {from: logits, target: character, loss: {cross_entropy: {class_weights: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]}}}
                |                       ^~~~~~
            t.yaml:17:60: note: 'logits' gets its shape (N, 10) from linear(24 -> 10) (layer 0)
             17 |     logits: {from: joined, layers: [{linear: {in: 24, out: 10}}]}
                |                                                            ^~
            note: the loaded data has classes(character) = 242
            t.yaml:19:56: error[E040]: output 'character' gives 10 class weights, but its target 'character' has classes(character) = 242 classes
             19 |     character: {from: logits, target: character, loss: {cross_entropy: {class_weights: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]}}}
                |                                                        ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
            note: the loaded data has classes(character) = 242
            """)
        #expect(!graph.isBound)
        #expect(graph.pendingChecks.count == 3)
    }

    @Test func bindNeedsEveryClassCount() throws {
        var graph = try #require(Compiler.compile(text: Self.twoInput, path: "t.yaml").graph)
        let problems = graph.bind(["alphabet": 8, "character": 0, "unused": 3])
        #expect(problems.map(\.message) == ["the label field 'character' has 0 classes; it needs at least 1"])
        #expect(graph.bind(["alphabet": 8]).map(\.message) == ["no class count was given for the label field 'character'"])
        #expect(graph.bind(["alphabet": 8]).allSatisfy { $0.code == .badBinding })
    }

    static let small = """
        name: small
        data:
          source: {csv: {path: t.csv}}
          fields: {x: {features: [a, b]}, y: {label: c}}
        model:
          inputs: {x: [2]}
          nodes:
            h: {from: x, layers: [{linear: {out: 4}}, relu]}
            skip: {add: [h, h]}
            end: {from: skip, layers: [{linear: {out: classes(y)}}]}
          outputs: {y: {from: end, target: y, loss: cross_entropy, weight: 0.5}}
        optimizer: sgd
        """

    @Test func drawsDOT() throws {
        let graph = try #require(Compiler.compile(text: Self.small, path: "t.yaml").graph)
        #expect(GraphDrawing.render(graph, format: .dot) == #"""
            digraph "small" {
              rankdir=TB;
              node [fontname="Helvetica", fontsize=10];
              edge [fontname="Helvetica", fontsize=9];
              "input:x" [shape=ellipse, label="x\n(N, 2)"];
              "node:h" [shape=box, label="h\n0 linear(2 -> 4)\n1 relu\n(N, 4)"];
              "node:skip" [shape=hexagon, label="skip\nadd\n(N, 4)"];
              "node:end" [shape=box, label="end\n0 linear(4 -> classes(y))\n(N, classes(y))"];
              "output:y" [shape=note, label="y\ncross_entropy x 0.5\ntarget y"];
              "input:x" -> "node:h" [label="(N, 2)"];
              "node:h" -> "node:skip" [label="(N, 4)"];
              "node:h" -> "node:skip" [label="(N, 4)"];
              "node:skip" -> "node:end" [label="(N, 4)"];
              "node:end" -> "output:y" [label="(N, classes(y))"];
            }

            """#)
    }

    @Test func drawsMermaid() throws {
        let graph = try #require(Compiler.compile(text: Self.small, path: "t.yaml").graph)
        #expect(GraphDrawing.render(graph, format: .mermaid) == #"""
            flowchart TD
              in_x(["x<br/>(N, 2)"])
              n_h["h<br/>0 linear(2 -> 4)<br/>1 relu<br/>(N, 4)"]
              n_skip{{"skip<br/>add<br/>(N, 4)"}}
              n_end["end<br/>0 linear(4 -> classes(y))<br/>(N, classes(y))"]
              out_y[/"y<br/>cross_entropy x 0.5<br/>target y"/]
              in_x -->|"(N, 2)"| n_h
              n_h -->|"(N, 4)"| n_skip
              n_h -->|"(N, 4)"| n_skip
              n_skip -->|"(N, 4)"| n_end
              n_end -->|"(N, classes(y))"| out_y

            """#)
    }

    /// Nodes come after what they read, whatever order they are written in.
    @Test func sortsNodesTopologically() throws {
        let text = Self.small.replacingOccurrences(of: "    h: {from: x, layers: [{linear: {out: 4}}, relu]}\n", with: "")
            .replacingOccurrences(of: "    end: {from: skip", with: "    h: {from: x, layers: [{linear: {out: 4}}, relu]}\n    end: {from: skip")
        let graph = try #require(Compiler.compile(text: text, path: "t.yaml").graph)
        #expect(graph.nodes.map(\.name) == ["h", "skip", "end"])
    }
}

/// Sizes too large to train are refused at validate, or at binding when class counts make them so;
/// arithmetic on absurd sizes saturates instead of wrapping into negative counts.
@Suite struct SizeLimitTests {
    static let spec = """
        name: t
        data:
          source: {image_folder: {root: r, levels: [kind]}}
          fields: {image: {image: {channels: 3, size: [32, 32]}}, kind: {label: kind}}
        model:
          inputs: {image: [3, 32, 32]}
          nodes: {head: {from: image, layers: [flatten, {linear: {out: classes(kind)}}]}}
          outputs: {kind: {from: head, target: kind, loss: cross_entropy}}
        optimizer: sgd
        """

    @Test func classCountsThatMakeALayerTooLargeAreRefusedAtBinding() throws {
        var graph = try #require(Compiler.compile(text: Self.spec, path: "t.yaml").graph)
        #expect(graph.bind(["kind": 10]).isEmpty)
        var big = try #require(Compiler.compile(text: Self.spec, path: "t.yaml").graph)
        let problems = big.bind(["kind": 1_000_000])
        #expect(problems.map(\.code) == [.tooLarge])
        #expect(problems.first?.message == "[head.1 linear] needs 3,073,000,000 parameters (12.3 GB as Float32); a layer may hold at most "
                + "2,147,483,648 (8 GiB) with the loaded data's class counts")
        #expect(!big.isBound, "a graph that failed to bind keeps its symbols")
    }

    @Test func sizeArithmeticSaturates() {
        let huge = SymbolicSize(Int.max / 2)
        #expect((huge * 3).constant == Int.max)
        #expect((huge * -3).constant == Int.min)
        #expect((huge + huge + huge).constant == Int.max)
        #expect((SymbolicSize.classes("a") * huge * 4).substituting(["a": 2]).constant == Int.max)
        #expect((huge * 3).saturated && !(huge * 1).saturated)
    }

    @Test func aSpecNameThatIsNoFolderNameIsRefused() {
        for name in ["../../x", "a/b", ".."] {
            let c = Compiler.compile(text: Self.spec.replacingOccurrences(of: "name: t", with: "name: \"\(name)\""), path: "t.yaml")
            #expect(c.diagnostics.map(\.code) == [.outOfRange], "\(name)")
        }
    }
}
