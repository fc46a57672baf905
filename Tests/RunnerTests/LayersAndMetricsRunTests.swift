import Foundation
import Runner
import Testing

/// What issue 9's layers and metrics add to a run: eval's confusion matrices in the run folder,
/// the index check of an embedding's input, and a weight-0 output that only measures.
@Suite(.serialized) struct LayersAndMetricsRunTests {
    /// eval prints each classification output's matrix and adds it to confusion_matrix.json in the
    /// run folder, in the format `specrun report` reads; a second split joins the first.
    @Test func evalWritesConfusionMatricesIntoTheRunFolder() throws {
        let root = try FixtureRoot()
        defer { root.remove() }
        let out = try EvalPredictTests.trained("omniglot_cnn", root: root)
        defer { try? FileManager.default.removeItem(at: out) }
        let weights = out.appendingPathComponent("weights.safetensors").path
        let test = try EvalSession.evaluate(specPath: shippedSpec("omniglot_cnn"), weightsPath: weights, dataRoot: root.path, split: .test)
        #expect(test.confusionFile?.path == out.appendingPathComponent("confusion_matrix.json").path)
        #expect(test.confusion.matrices.map(\.output) == ["alphabet", "character"])
        for (matrix, head) in zip(test.confusion.matrices, test.result.heads) {
            #expect(matrix.split == "test" && matrix.epoch == 1)
            #expect(matrix.counts.joined().reduce(0, +) == test.result.samples)
            let correct = matrix.classes.indices.reduce(0) { $0 + matrix.counts[$1][$1] }
            let accuracy = try #require(head.metrics.first { $0.name == "accuracy" }).value
            #expect(abs(Double(correct) / Double(test.result.samples) - accuracy) < 1e-12)
        }
        #expect(test.confusion.matrices[0].classes == ["Alphabet_0", "Alphabet_1", "Alphabet_2"])
        #expect(test.confusion.matrices[1].classes.first == "Alphabet_0/character01")
        #expect(test.confusion.text().hasPrefix("confusion matrix of `alphabet` on the test split: "))

        _ = try EvalSession.evaluate(specPath: shippedSpec("omniglot_cnn"), weightsPath: weights, dataRoot: root.path, split: .train)
        let data = try Data(contentsOf: out.appendingPathComponent("confusion_matrix.json"))
        let saved = try JSONDecoder().decode(ConfusionMatrices.self, from: data)
        #expect(saved.matrices.map { "\($0.output) \($0.split)" } == ["alphabet test", "character test", "alphabet train", "character train"])
        #expect(saved.matrices[0] == test.confusion.matrices[0])
    }

    /// Weights outside a run folder are evaluated, and nothing is written beside them.
    @Test func evalOfWeightsOutsideARunFolderWritesNothing() throws {
        let root = try FixtureRoot()
        defer { root.remove() }
        let out = try EvalPredictTests.trained("water_regression", root: root)
        defer { try? FileManager.default.removeItem(at: out) }
        let copy = temporaryFolder("weights-copy")
        defer { try? FileManager.default.removeItem(at: copy) }
        try FileManager.default.copyItem(at: out.appendingPathComponent("weights.safetensors"), to: copy.appendingPathComponent("w.safetensors"))
        let outcome = try EvalSession.evaluate(specPath: shippedSpec("water_regression"), weightsPath: copy.appendingPathComponent("w.safetensors").path,
                                               dataRoot: root.path, split: .test)
        #expect(outcome.confusionFile == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: copy.path) == ["w.safetensors"])
        // The binary head still has its 2x2 matrix, and the regression heads none.
        #expect(outcome.confusion.matrices.map(\.output) == ["potability"])
        #expect(outcome.confusion.matrices[0].classes == ["0", "1"])
        let names = outcome.result.heads.map { "\($0.name): \($0.metrics.map(\.name))" }
        #expect(names == ["ph: [\"mae\", \"rmse\", \"r2\"]", "ph_l1: []", "potability: [\"accuracy\", \"auroc\"]"])
    }

    /// A spec whose embedding reads the CSV columns `a` and `b`, with `rows` as the file's data rows.
    static func embeddingRun(rows: [String]) throws -> (folder: URL, spec: String) {
        let folder = temporaryFolder("embedding")
        try ("a,b,y\n" + rows.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("tokens.csv"), atomically: true, encoding: .utf8)
        let spec = folder.appendingPathComponent("embed.yaml")
        try """
            name: embed
            seed: 0
            data:
              source: {csv: {path: tokens.csv}}
              fields: {tokens: {features: [a, b]}, y: {column: y}}
              split: {test: 0.25, seed: 1}
              batch_size: 4
            model:
              inputs: {tokens: [2]}
              nodes:
                embedded: {from: tokens, layers: [{embedding: {num_embeddings: 4, embedding_dim: 3, padding_idx: 0}}, flatten, {linear: {out: 1}}]}
              outputs:
                y: {from: embedded, target: y, loss: mse, metrics: [mae, r2]}
            optimizer: {adam: {lr: 0.01}}
            train: {epochs: 1}
            """.write(to: spec, atomically: true, encoding: .utf8)
        return (folder, spec.path)
    }

    @Test func anEmbeddingTrainsOnWholeNumbers() throws {
        let (folder, spec) = try Self.embeddingRun(rows: (0..<16).map { "\($0 % 4),\(($0 / 4) % 4),\(Double($0) / 8)" })
        defer { try? FileManager.default.removeItem(at: folder) }
        var options = TrainSession.Options(specPath: spec)
        options.dataRoot = folder.path
        options.out = folder.appendingPathComponent("run").path
        let outcome = try TrainSession.run(options, reporter: RecordingReporter())
        #expect(outcome.heldOut.first?.heads.first?.metrics.map(\.name) == ["mae", "r2"])
    }

    /// A value that is not an index is a data error naming the file, the line and the value,
    /// before anything trains.
    @Test(arguments: [("1.5", "holds 1.5"), ("4", "holds 4"), ("-1", "holds -1")])
    func aValueThatIsNotAnIndexIsRefusedWithItsRow(_ bad: String, _ said: String) throws {
        var rows = (0..<16).map { "\($0 % 4),1,0.5" }
        rows[6] = "2,\(bad),0.5"
        let (folder, spec) = try Self.embeddingRun(rows: rows)
        defer { try? FileManager.default.removeItem(at: folder) }
        var options = TrainSession.Options(specPath: spec)
        options.dataRoot = folder.path
        options.out = folder.appendingPathComponent("run").path
        do {
            _ = try TrainSession.run(options, reporter: RecordingReporter())
            Issue.record("a run with \(bad) as an index started")
        } catch {
            #expect(error.kind == .data)
            #expect(error.message == "\(folder.path)/tokens.csv:8: input `tokens` \(said), but [embedded.0 embedding] takes indices: whole numbers from 0 to 3")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("run/weights.safetensors").path))
    }
}
