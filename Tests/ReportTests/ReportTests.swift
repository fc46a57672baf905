import Foundation
import Report
import Testing

/// The report's structure, checked without a browser on run folders made for the purpose
/// (Fixtures/: two water_bn runs of 5 and 3 epochs with different learning rates and a NaN, and
/// a one-epoch two-output run with a validation split and confusion matrices).
@Suite struct ReportTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }
    static let water = ["water_bn-lr0.001", "water_bn-lr0.05"].map(fixture)
    static let omniglot = fixture("omniglot_two_output-1epoch")

    static func document(_ paths: [String]) throws -> (Report, Element) {
        let report = try Report(paths: paths)
        return (report, try Element.parse(report.html(generated: Date(timeIntervalSince1970: 0))))
    }

    /// chart id -> the runs drawn in it, the splits, and the runs its legend names.
    static func charts(_ page: Element) -> [String: (series: Set<String>, splits: Set<String>, legend: [String])] {
        var charts: [String: (Set<String>, Set<String>, [String])] = [:]
        for figure in page.all("figure", class: "chart") {
            let series = figure.all("g", class: "series")
            charts[figure["data-chart"]!] = (Set(series.compactMap { $0["data-run"] }), Set(series.compactMap { $0["data-split"] }),
                                             figure.all("li", class: "legend-run").compactMap { $0["data-run"] })
        }
        return charts
    }

    @Test func oneChartPerOutputAndMeasureWithEveryRunAndALegend() throws {
        let (report, page) = try Self.document(Self.water + [Self.omniglot])
        let charts = Self.charts(page)
        #expect(Set(charts.keys) == ["potability/loss", "potability/accuracy", "potability/f1",
                                     "alphabet/loss", "alphabet/accuracy", "character/loss", "character/accuracy", "total/loss", "lr"])
        #expect(report.chartCount == charts.count)
        // Each output's charts draw every run that has that output, and the legend names each of them.
        for (id, chart) in charts {
            let expected: Set<String> = id.hasPrefix("potability") ? ["1", "2"] : id.hasPrefix("alphabet") || id.hasPrefix("character") ? ["3"] : ["1", "2", "3"]
            #expect(chart.series == expected, "\(id)")
            #expect(Set(chart.legend) == expected && chart.legend.count == expected.count, "\(id)")
        }
        #expect(charts["potability/loss"]!.splits == ["train", "test"])
        #expect(charts["alphabet/loss"]!.splits == ["train", "validation", "test"])
        #expect(charts["lr"]!.splits == ["train"])
        // Headings in the spec's order of outputs.
        #expect(page.all("section", class: "curves").compactMap { $0["id"] } == ["output-potability", "output-alphabet", "output-character", "overall"])
    }

    @Test func axesAreLabelledWithUnitsAndTicks() throws {
        let (_, page) = try Self.document(Self.water)
        let figure = try #require(page.all("figure", class: "chart").first { $0["data-chart"] == "potability/loss" })
        let labels = figure.all("text", class: "axis-label").map(\.allText)
        #expect(labels == ["epoch", "binary cross-entropy per sample (nats)"])
        #expect(figure.all("text", class: "x").map(\.allText) == ["1", "2", "3", "4", "5"])
        let accuracy = try #require(page.all("figure", class: "chart").first { $0["data-chart"] == "potability/accuracy" })
        #expect(accuracy.all("text", class: "axis-label").map(\.allText) == ["epoch", "accuracy (%)"])
        // The learning rates 0.001 and 0.05 span more than a decade: a log axis with 1-2-5 ticks.
        let lr = try #require(page.all("figure", class: "chart").first { $0["data-chart"] == "lr" })
        #expect(lr.all("text", class: "axis-label").map(\.allText) == ["epoch", "learning rate, log scale"])
        #expect(lr.all("text", class: "y").map(\.allText) == ["0.001", "0.002", "0.005", "0.01", "0.02", "0.05"])
    }

    @Test func nanValuesLeaveAGapAndANote() throws {
        let (_, page) = try Self.document(Self.water)
        let f1 = try #require(page.all("figure", class: "chart").first { $0["data-chart"] == "potability/f1" })
        #expect(f1.all("p", class: "note").map(\.allText) == ["Not drawn: water_bn, lr 0.05, epochs 3, test: NaN at epoch 2."])
        // Epochs 1 and 3 of that series are isolated points: two markers and no line.
        let series = try #require(f1.all("g", class: "series").first { $0["data-run"] == "2" && $0["data-split"] == "test" })
        #expect(series.all("path").isEmpty && series.all("circle").count == 2)
    }

    @Test func aOneEpochRunDrawsPoints() throws {
        let (_, page) = try Self.document([Self.omniglot])
        let loss = try #require(page.all("figure", class: "chart").first { $0["data-chart"] == "alphabet/loss" })
        #expect(loss.all("text", class: "x").map(\.allText) == ["1"])
        for series in loss.all("g", class: "series") { #expect(series.all("circle").count == 1 && series.all("path").isEmpty) }
        #expect(page.all("section").first { $0["id"] == "differences" }?.allText.contains("One run: nothing to compare.") == true)
    }

    @Test func theDifferenceTableComparesSpecsAndSettingsKeyByKey() throws {
        let (report, page) = try Self.document(Self.water)
        #expect(report.styles.map(\.label) == ["water_bn, lr 0.001, epochs 5", "water_bn, lr 0.05, epochs 3"])
        let table = try #require(page.all("table", class: "diff").first)
        let rows = table.all("tr").map { $0.children.map(\.allText) }
        #expect(rows.contains(["settings.json"]))
        #expect(rows.contains(["epochs", "5", "3"]))
        #expect(rows.contains(["learning_rate", "0.001", "0.05"]))
        #expect(rows.contains(["overrides.lr", "0.001", "0.05"]))
        #expect(!rows.contains { $0.first == "seed" })  // the same in both
        #expect(!rows.contains(["spec.yaml"]))          // the same spec
        let change = try #require(page.all("ul", class: "changes").first?.allText)
        #expect(change.contains("learning_rate 0.001 → 0.05"))

        // Two specs: the spec's keys differ too (the split, here).
        let (_, mixed) = try Self.document([Self.water[0], Self.omniglot])
        let mixedRows = try #require(mixed.all("table", class: "diff").first).all("tr").map { $0.children.map(\.allText) }
        #expect(mixedRows.contains(["spec.yaml"]))
        #expect(mixedRows.contains(["name", "water_bn", "omniglot_two_output"]))
        #expect(mixedRows.contains(["data.split.validation", "–", "0.1"]))
    }

    @Test func theFinalTableHasEveryOutputMeasureAndSplitWithTheBestInBold() throws {
        let (_, page) = try Self.document(Self.water)
        let table = try #require(page.all("table", class: "final").first)
        let rows = table.all("tbody").first!.all("tr").map { $0.children.map(\.allText) }
        #expect(rows.map { $0.prefix(3).joined(separator: " ") } == [
            "epochs trained 5 3",
            "potability loss train", "potability loss test", "potability accuracy train", "potability accuracy test",
            "potability f1 train", "potability f1 test",
        ])
        let testLoss = try #require(table.all("tr").first { $0.children.prefix(3).map(\.allText) == ["potability", "loss", "test"] })
        let cells = testLoss.children.dropFirst(3)
        #expect(cells.map(\.allText) == ["0.6773", "0.6537"])
        #expect(cells.map { $0["class"] ?? "" } == ["number", "number best"])
    }

    @Test func confusionMatricesAreDrawnOrSummarised() throws {
        let (_, page) = try Self.document([Self.omniglot])
        let figures = page.all("figure", class: "confusion")
        #expect(figures.map { $0["data-output"] ?? "" } == ["alphabet", "character"])
        // Four alphabets: 16 cells, rows true and columns predicted.
        let alphabet = figures[0]
        #expect(alphabet.all("rect", class: "cell").count == 16)
        let first = alphabet.all("rect", class: "cell").first!.all("title").first!.allText
        #expect(first == "true Balinese, predicted Balinese: 16 of 24")
        #expect(alphabet.all("figcaption").first!.allText.contains("test split, after epoch 1 (96 samples, 66.67% correct)"))
        // Forty characters: the most frequent confusions and the least recognised classes.
        let character = figures[1]
        #expect(character.all("rect", class: "cell").isEmpty)
        #expect(character.all("table", class: "confusions").count == 1 && character.all("table", class: "recall").count == 1)
        let summary = try #require(character.all("p", class: "summary").first).allText
        #expect(summary == "0 of 40 classes never recognised. Most often predicted: Balinese/character08, for 34 of 960 samples (3.54%).")
    }

    @Test func pageIsSelfContained() throws {
        let html = try Report(paths: Self.water).html()
        for fetched in ["<script", "<link", "src=", "@import", "url(", "http://", "https://"] {
            #expect(!html.contains(fetched), "\(fetched)")
        }
        #expect(html.hasPrefix("<!DOCTYPE html>"))
    }

    @Test func unreadableRunsAreOneLineErrors() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("report-errors-\(getpid())-\(UUID().uuidString.prefix(6))")
        defer { try? FileManager.default.removeItem(at: base) }
        let empty = base.appendingPathComponent("empty"), broken = base.appendingPathComponent("broken")
        for folder in [empty, broken] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        try "{\"epoch\":1,\"split\":\"train\",\"loss\":0.5}\nnot json\n".write(to: broken.appendingPathComponent("metrics.jsonl"), atomically: true, encoding: .utf8)

        func message(_ paths: [String]) -> String? {
            do { _ = try Report(paths: paths); return nil } catch { return error.description }
        }
        #expect(message([base.appendingPathComponent("missing").path]) == "\(base.path)/missing: no such run folder")
        #expect(message([empty.path]) == "\(empty.path): not a run folder (no readable metrics.jsonl)")
        #expect(message([broken.path]) == "\(broken.path)/metrics.jsonl:2: not a JSON object")
        try "{\"epoch\":1,\"split\":\"train\"}\n".write(to: broken.appendingPathComponent("metrics.jsonl"), atomically: true, encoding: .utf8)
        #expect(message([broken.path]) == "\(broken.path)/metrics.jsonl:1: a metrics record needs `epoch`, `split` and `loss`")

        try "{\"epoch\":1,\"split\":\"train\",\"loss\":0.5}\n".write(to: broken.appendingPathComponent("metrics.jsonl"), atomically: true, encoding: .utf8)
        try #"{"matrices": [{"output": "y", "split": "test", "classes": ["a", "b"], "counts": [[1, 2]]}]}"#
            .write(to: broken.appendingPathComponent("confusion_matrix.json"), atomically: true, encoding: .utf8)
        #expect(message([broken.path]) == "\(broken.path)/confusion_matrix.json: matrices[0]: `counts` must be 2 rows of 2 counts, one per class")
        // Without spec.yaml and settings.json the curves are still drawn, and the runs table says what is missing.
        try FileManager.default.removeItem(at: broken.appendingPathComponent("confusion_matrix.json"))
        let page = try Element.parse(try Report(paths: [broken.path]).html())
        #expect(page.all("table", class: "runs").first!.allText.contains("no spec.yaml; no readable settings.json"))
    }
}
