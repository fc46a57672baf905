import Catalogue
import Diagnostics
import GraphIR
import SpecLanguage
import Testing
import YAMLReader

@Suite struct SizeTests {
    @Test func parsesLinearForms() throws {
        #expect(try SymbolicSize.parse("128 + classes(alphabet)").get() == SymbolicSize(128) + .classes("alphabet"))
        #expect(try SymbolicSize.parse("2 * classes(a) - 1").get().description == "-1 + 2*classes(a)")
        #expect(try SymbolicSize.parse("(classes(a) + 1) * 3").get().description == "3 + 3*classes(a)")
        #expect(try SymbolicSize.parse(" classes( a ) ").get() == .classes("a"))
        #expect(try SymbolicSize.parse("classes(a) * classes(b)").get().isLinear == false)
    }

    @Test func refusesMalformedExpressions() {
        for text in ["", "classes", "classes()", "clases(a)", "1 +", "(1", "1e3", "10000000000000000000000", "a", "1 ** 2"] {
            #expect(throws: SizeSyntaxError.self, "\(text)") { try SymbolicSize.parse(text).get() }
        }
    }

    @Test func bindsAndFormats() {
        let s = SymbolicSize(2_097_280) + SymbolicSize(129) * .classes("alphabet")
        #expect(s.formatted(grouping: true) == "2,097,280 + 129*classes(alphabet)")
        #expect(s.symbols == ["alphabet"])
        #expect(s.substituting(["alphabet": 8]) == SymbolicSize(2_098_312))
        #expect(s.substituting(["alphabet": 8]).constant == 2_098_312)
        #expect((SymbolicSize.classes("a") * .classes("b")).degree == 2)
        #expect((SymbolicSize.classes("a") - .classes("a")).constant == 0)
    }
}

@Suite struct PlainScalarTests {
    @Test func readsNumbersAsYAMLCoreDoes() {
        #expect(PlainScalar(YAMLScalar("1e-3")) == .float(0.001))
        #expect(PlainScalar(YAMLScalar(".5")) == .float(0.5))
        #expect(PlainScalar(YAMLScalar("-5")) == .int(-5))
        #expect(PlainScalar(YAMLScalar("+7")) == .int(7))
        #expect(PlainScalar(YAMLScalar("0.001")) == .float(0.001))
        #expect(PlainScalar(YAMLScalar("5.")) == .float(5))
        #expect(PlainScalar(YAMLScalar("1E+2")) == .float(100))
    }

    @Test func keepsEverythingElseAsText() {
        for text in ["1e", "e3", ".", "1.2.3", "0x10", "inf", ".inf", "nan", "1_000", "yes", "on", "1e-3x"] {
            #expect(PlainScalar(YAMLScalar(text)) == .string(text), "\(text)")
        }
        #expect(PlainScalar(YAMLScalar("1e-3", style: .singleQuoted)) == .string("1e-3"))
        #expect(PlainScalar(YAMLScalar("5", tag: .str)) == .string("5"))
        #expect(PlainScalar(YAMLScalar("~")) == .null)
        #expect(PlainScalar(YAMLScalar("")) == .null)
        #expect(PlainScalar(YAMLScalar("True")) == .bool(true))
        #expect(PlainScalar.isYAML11Boolean("Off"))
    }
}

/// Defaults are PyTorch's (torch 2.13), resolved in the typed spec.
@Suite struct DefaultTests {
    static func spec(optimizer: String = "sgd", data: String = "", extra: String = "") throws -> Spec {
        let text = """
            name: t
            data:
              source: {csv: {path: t.csv}}
              fields: {x: {features: [a, b]}, y: {label: c}}
            \(data)
            model:
              inputs: {x: [2]}
              nodes: {net: {from: x, layers: [{linear: {out: classes(y)}}]}}
              outputs: {y: {from: net, target: y, loss: cross_entropy}}
            optimizer: \(optimizer)
            \(extra)
            """
        let result = SpecLoader.load(text: text, path: "t.yaml", vocabulary: .standard)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map { DiagnosticRenderer.human($0, in: result.file) })")
        return try #require(result.spec)
    }

    @Test func optimizersTakePyTorchDefaults() throws {
        #expect(try Self.spec(optimizer: "sgd").optimizer.flow
                == "sgd {dampening: 0, lr: 0.001, maximize: false, momentum: 0, nesterov: false, weight_decay: 0}")
        #expect(try Self.spec(optimizer: "adam").optimizer.flow
                == "adam {amsgrad: false, betas: [0.9, 0.999], decoupled_weight_decay: false, eps: 1e-08, lr: 0.001, maximize: false, weight_decay: 0}")
        #expect(try Self.spec(optimizer: "adamw").optimizer.flow
                == "adamw {amsgrad: false, betas: [0.9, 0.999], eps: 1e-08, lr: 0.001, maximize: false, weight_decay: 0.01}")
        #expect(try Self.spec(optimizer: "rmsprop").optimizer.flow
                == "rmsprop {alpha: 0.99, centered: false, eps: 1e-08, lr: 0.01, maximize: false, momentum: 0, weight_decay: 0}")
        #expect(try Self.spec(optimizer: "adagrad").optimizer.flow
                == "adagrad {eps: 1e-10, initial_accumulator_value: 0, lr: 0.01, lr_decay: 0, maximize: false, weight_decay: 0}")
        #expect(try Self.spec(optimizer: "{sgd: {lr: .5, momentum: 0.9, nesterov: true, weight_decay: 0.0005}}").optimizer.flow
                == "sgd {dampening: 0, lr: 0.5, maximize: false, momentum: 0.9, nesterov: true, weight_decay: 0.0005}")
        #expect(try Self.spec(optimizer: "{adam: {betas: [0.8, 0.99]}}").optimizer.options.double("lr") == 1e-3)
    }

    @Test func trainingAndDataDefaults() throws {
        let spec = try Self.spec()
        #expect(spec.seed == 0)
        #expect(spec.train.epochs == 10)
        #expect(spec.train.evalEvery == 1)
        #expect(spec.train.checkpointEvery == 0)
        #expect(spec.train.clipGradNorm == nil)
        #expect(spec.train.earlyStopping == nil)
        #expect(spec.schedule == nil)
        #expect(spec.data.batchSize == 32)
        #expect(spec.data.shuffle)
        #expect(spec.data.preprocessing.missing == "error" && spec.data.preprocessing.normalize == "none")
        #expect(spec.data.split.test == 0 && spec.data.split.validation == 0 && spec.data.split.stratify == nil)
        #expect(spec.model.outputs[0].weight == 1)
        #expect(spec.data.source.flow == "csv {delimiter: ,, path: t.csv}")
    }

    @Test func schedulesClippingAndEarlyStopping() throws {
        let spec = try Self.spec(data: "  split: {validation: 0.1}", extra: """
            schedule: cosine
            train:
              epochs: 30
              clip_grad_norm: 1.0
              early_stopping: {metric: y.loss, patience: 3}
            """)
        let cosine = try #require(spec.schedule)
        #expect(Catalogue.standard.schedule(cosine.name).schedule(cosine.options, epochs: spec.train.epochs) == .cosine(tMax: 30, etaMin: 0))
        #expect(spec.train.clipGradNorm == 1.0)
        #expect(spec.train.earlyStopping?.mode == .min)
        #expect(spec.train.earlyStopping?.patience == 3)
        #expect(try Self.spec(extra: "schedule: {step: {step_size: 10}}").schedule?.flow == "step {gamma: 0.1, step_size: 10}")
    }

    @Test func splitSeedDefaultsToTheSpecSeed() throws {
        let text = try Self.spec(extra: "seed: 7").data.split
        #expect(text.seed == 7)
    }

    @Test func layersKeepInitializersAndOptions() throws {
        let result = Compiler.compile(text: """
            name: t
            data:
              source: {csv: {path: t.csv}}
              fields: {x: {features: [a, b]}, y: {label: c}}
            model:
              inputs: {x: [2]}
              nodes:
                net:
                  from: x
                  layers:
                    - linear: {out: 4, init: {xavier_normal: {gain: 2}}, bias_init: {constant: 0.1}}
                    - leaky_relu: {negative_slope: 0.2}
                    - dropout: {p: 0.25}
                    - linear: {out: classes(y), bias: false, init: {normal: {std: 0.02}}, bias_init: zeros}
              outputs:
                y: {from: net, target: y, loss: {cross_entropy: {label_smoothing: 0.1}}, metrics: [accuracy, f1, {precision: {average: macro}}]}
            optimizer: adamw
            """, path: "t.yaml")
        #expect(result.diagnostics.isEmpty)
        let layers = try #require(result.graph).nodes[0].layers
        #expect(layers[0].initializer?.flow == "xavier_normal {gain: 2}")
        #expect(layers[0].biasInitializer?.flow == "constant {val: 0.1}")
        #expect(layers[1].signature == "leaky_relu(0.2)")
        #expect(layers[2].signature == "dropout(0.25)")
        #expect(layers[3].signature == "linear(4 -> classes(y), no bias)")
        #expect(layers[3].initializer?.flow == "normal {mean: 0, std: 0.02}")
        let output = try #require(result.graph?.outputs.first)
        #expect(output.loss.flow == "cross_entropy {label_smoothing: 0.1}")
        let summary = SummaryReport.render(try #require(result.graph), spec: try #require(result.spec), path: "t.yaml")
        #expect(summary.contains("metrics: accuracy, f1 (macro), precision (macro)"))
    }
}
