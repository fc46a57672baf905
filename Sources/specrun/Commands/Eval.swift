import ArgumentParser
import Foundation
import Runner

extension EvalSession.Split: ExpressibleByArgument {}

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate trained weights on a split of the spec's data.",
        discussion: """
            Uses the classes and normalisation saved with the weights, and the spec's own split \
            (data.split), so `--split test` is the test set the run held out. Prints each \
            classification output's confusion matrix, and adds it to confusion_matrix.json in \
            the weights' run folder (what `specrun report` draws).
            """)

    @Argument(help: "The spec the weights were trained from.")
    var spec: String

    @Option(help: "weights.safetensors written by specrun train.")
    var weights: String

    @Option(help: "Which samples: train, validation, test or all.")
    var split: EvalSession.Split = .test

    @Option(help: "Output: text (a table) or json (one line, as metrics.jsonl).")
    var format: OutputFormat = .text

    @OptionGroup var data: DataOptions

    func run() throws {
        do {
            let outcome = try EvalSession.evaluate(specPath: spec, weightsPath: weights, dataRoot: data.dataRoot, split: split)
            let result = outcome.result
            switch format {
            case .text:
                print(ConsoleReporter.table(result))
                if !outcome.confusion.matrices.isEmpty { print("\n" + outcome.confusion.text()) }
                if let file = outcome.confusionFile { print("\nconfusion matrices written to \(file.path)") }
            case .json: print(String(decoding: result.record(elapsed: result.seconds), as: UTF8.self))
            }
        } catch {
            throw report(error)
        }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run trained weights on new inputs: one JSON line per sample.",
        discussion: """
            Image specs take image files; CSV specs take one CSV file with the feature columns. \
            Multi-class outputs give the class, its probability and the top classes; binary \
            outputs the probability; regression outputs the values. A one-hot input takes its \
            class from --set FIELD=CLASS, or from the file's folders when they name one.
            """)

    @Argument(help: "The spec the weights were trained from.")
    var spec: String

    @Option(help: "weights.safetensors written by specrun train.")
    var weights: String

    @Argument(help: "Image files, or one CSV file.")
    var inputs: [String]

    @Option(name: .customLong("set"), help: "A label value for a one-hot input, as FIELD=CLASS (repeatable).")
    var values: [String] = []

    @Option(help: "How many classes to list for a multi-class output.")
    var top = 3

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("Give at least one input file.") }
        for v in values where !v.contains("=") { throw ValidationError("--set takes FIELD=CLASS, got '\(v)'.") }
    }

    func run() throws {
        var options = PredictSession.Options(specPath: spec, weightsPath: weights, inputs: inputs)
        options.top = top
        for v in values {
            let parts = v.split(separator: "=", maxSplits: 1).map(String.init)
            options.values[parts[0]] = parts[1]
        }
        do {
            try PredictSession.run(options) { print($0) }
        } catch {
            throw report(error)
        }
    }
}
