import Foundation
import YAMLReader

/// What the report reads from one run folder (`runs/<spec>/<timestamp>/`): the metrics log, and
/// when present the spec as run, settings.json and confusion_matrix.json. Only metrics.jsonl is
/// required, so a run still training or stopped early can be reported.
public struct RunFolder: Sendable {
    /// One line of metrics.jsonl: one epoch on one split.
    public struct Row: Sendable {
        public var epoch: Int
        public var split: String
        /// The objective (weighted sum of the outputs' losses).
        public var loss: Double
        /// Each output's loss and metrics, by name.
        public var outputs: [String: [String: Double]]
        public var learningRate: Double?
        public var samplesPerSecond: Double?
        public var seconds: Double?
    }

    /// The folder as given on the command line.
    public var path: String
    public var rows: [Row]
    /// The spec's `name`, else the folder's parent's name (`runs/<spec>/<timestamp>`).
    public var specName: String
    public var spec: Tree?
    public var settings: Tree?
    public var confusionMatrices: [ConfusionMatrix]
    /// Things the reader should know: a missing settings.json, say.
    public var notes: [String]

    public static let metricsFile = "metrics.jsonl"
    public static let confusionFile = "confusion_matrix.json"

    /// Reads a run folder; a folder without metrics.jsonl, or a line that is not a metrics record,
    /// is an error naming the file and line.
    public init(path: String) throws(ReportError) {
        self.path = path
        let url = URL(fileURLWithPath: path)
        let metricsURL = url.appendingPathComponent(Self.metricsFile)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ReportError("\(path): no such run folder")
        }
        guard let text = try? String(contentsOf: metricsURL, encoding: .utf8) else {
            throw ReportError("\(path): not a run folder (no readable \(Self.metricsFile))")
        }
        rows = try Self.parseMetrics(text, file: metricsURL.path)
        if rows.isEmpty { throw ReportError("\(metricsURL.path): no epochs recorded yet") }
        notes = []

        let specURL = url.appendingPathComponent("spec.yaml")
        if let bytes = try? Data(contentsOf: specURL) {
            let document = YAMLReader.read(bytes: [UInt8](bytes), path: specURL.path)
            spec = document.root.map(Tree.init)
            if spec == nil { notes.append("spec.yaml could not be read") }
        } else {
            notes.append("no spec.yaml")
        }
        if let data = try? Data(contentsOf: url.appendingPathComponent("settings.json")),
           let object = try? JSONSerialization.jsonObject(with: data) {
            settings = Tree(json: object)
        } else {
            notes.append("no readable settings.json")
        }
        let confusionURL = url.appendingPathComponent(Self.confusionFile)
        if FileManager.default.fileExists(atPath: confusionURL.path) {
            confusionMatrices = try ConfusionMatrix.read(confusionURL)
        } else {
            confusionMatrices = []
        }
        specName = spec?["name"]?.text ?? url.standardizedFileURL.deletingLastPathComponent().lastPathComponent
    }

    /// Parses metrics.jsonl. Non-finite values are written as the strings "nan", "inf", "-inf".
    static func parseMetrics(_ text: String, file: String) throws(ReportError) -> [Row] {
        var rows: [Row] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.allSatisfy(\.isWhitespace) { continue }
            let place = "\(file):\(index + 1)"
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw ReportError("\(place): not a JSON object")
            }
            guard let epoch = object["epoch"] as? Int, let split = object["split"] as? String, let loss = number(object["loss"]) else {
                throw ReportError("\(place): a metrics record needs `epoch`, `split` and `loss`")
            }
            var outputs: [String: [String: Double]] = [:]
            for (name, values) in object["outputs"] as? [String: Any] ?? [:] {
                guard let values = values as? [String: Any] else { throw ReportError("\(place): output `\(name)` is not an object") }
                outputs[name] = values.compactMapValues(number)
            }
            rows.append(Row(epoch: epoch, split: split, loss: loss, outputs: outputs, learningRate: number(object["lr"]),
                            samplesPerSecond: number(object["samples_per_s"]), seconds: number(object["seconds"])))
        }
        return rows
    }

    static func number(_ any: Any?) -> Double? {
        switch any {
        case let n as NSNumber: n.doubleValue
        case let s as String: ["nan": .nan, "inf": .infinity, "-inf": -.infinity][s]
        default: nil
        }
    }

    // MARK: what the report asks of a run

    /// The splits in the order the report draws them: training, then held-out ones.
    public var splits: [String] {
        let present = Set(rows.map(\.split))
        return ["train", "validation", "test"].filter(present.contains) + present.subtracting(["train", "validation", "test"]).sorted()
    }

    /// Output names in the spec's order (metrics.jsonl sorts them), then any others.
    public var outputNames: [String] {
        let logged = Set(rows.flatMap(\.outputs.keys))
        let declared = spec?["model"]?["outputs"]?.keys ?? []
        return declared.filter(logged.contains) + logged.subtracting(declared).sorted()
    }

    /// An output's measures: `loss` first, then its metrics in the spec's order.
    public func measures(of output: String) -> [String] {
        let logged = Set(rows.compactMap { $0.outputs[output] }.flatMap(\.keys))
        let declared = ["loss"] + (spec?["model"]?["outputs"]?[output]?["metrics"]?.items.compactMap(\.optionName) ?? [])
        return declared.filter(logged.contains) + logged.subtracting(declared).sorted()
    }

    /// The loss an output was trained with, as the spec names it (`bce`), if the spec says.
    public func lossName(of output: String) -> String? {
        spec?["model"]?["outputs"]?[output]?["loss"]?.optionName
    }

    /// `(epoch, value)` of one series, in epoch order: an output's measure, or the total loss when
    /// `output` is nil and `measure` is "loss", or the learning rate for "lr".
    public func series(output: String?, measure: String, split: String) -> [(epoch: Int, value: Double)] {
        rows.filter { $0.split == split }.compactMap { row in
            let value: Double? = if let output { row.outputs[output]?[measure] } else if measure == "lr" { row.learningRate } else { row.loss }
            return value.map { (row.epoch, $0) }
        }.sorted { $0.epoch < $1.epoch }
    }

    /// The last epoch trained.
    public var lastEpoch: Int { rows.filter { $0.split == "train" }.map(\.epoch).max() ?? rows.map(\.epoch).max() ?? 0 }

    /// Seconds spent in training passes (held-out evaluation not counted).
    public var trainingSeconds: Double { rows.filter { $0.split == "train" }.compactMap(\.seconds).reduce(0, +) }
}

/// A run folder that cannot be reported: one line naming the file and what is wrong.
public struct ReportError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
