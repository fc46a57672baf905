import ArgumentParser
import Collectives
import Foundation
import Runner

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time training steps of a spec's model on data in memory, optionally against PyTorch.",
        discussion: """
            Runs warm-up steps, then times each step's forward pass (model and losses), backward \
            pass and optimizer step; reports the medians, samples/s, achieved GFLOP/s (3 x the \
            graph's forward FLOPs), peak memory and buffers allocated per step. Synthetic batches \
            of the declared shapes by default (give --classes for class counts), or the spec's real \
            data with --data-root, held in memory before timing. --compare-torch PYTHON runs the \
            spec's PyTorch twin (specrun export-torch) with the same steps, batch size and threads \
            in the same invocation and prints the ratios. Under `mpirun -n K` each process times \
            the step on its share of every batch, and the time to sum the gradients is shown.
            """)

    @Argument(help: "The spec to benchmark.")
    var spec: String

    @OptionGroup var set: SettingOptions

    @Option(help: "Timed steps.")
    var steps = 50

    @Option(help: "Untimed steps first.")
    var warmup = 5

    @Option(help: "Batch size instead of the spec's.")
    var batchSize: Int?

    @Option(help: "Use the spec's real data from this root instead of synthetic batches.")
    var dataRoot: String?

    @Option(help: "Class counts for synthetic data, as NAME=N (repeatable).")
    var classes: [String] = []

    @Option(help: "A Python with torch: run the spec's PyTorch twin too and print the ratios.")
    var compareTorch: String?

    @Flag(help: "Time each layer's forward and backward on its own (the per-op breakdown) instead of whole steps.")
    var layers = false

    @Option(help: "Output: text (a table) or json (one line per engine).")
    var format: OutputFormat = .text

    @Flag(help: "Time assembling augmented training batches of the spec's images (data.augment) instead of training steps; with --compare-torch, against torchvision's transforms on the same images.")
    var augmentation = false

    func validate() throws {
        if steps < 1 || warmup < 0 { throw ValidationError("--steps must be at least 1 and --warmup at least 0.") }
        for c in classes where c.split(separator: "=").count != 2 || Int(c.split(separator: "=").last!) == nil {
            throw ValidationError("--classes takes NAME=N, got '\(c)'.")
        }
    }

    func run() throws {
        if augmentation {
            guard let dataRoot else { throw ValidationError("--augmentation times the spec's real images: give --data-root.") }
            let outcome: AugmentationBench.Report
            do { outcome = try AugmentationBench.run(specPath: spec, dataRoot: dataRoot, torchPython: compareTorch, rounds: steps,
                                                         settings: set.settings) } catch {
                throw report(error)
            }
            print(BenchTable.render(outcome))
            return
        }
        var options = BenchSession.Options(specPath: spec)
        options.steps = steps
        options.warmup = warmup
        options.batchSize = batchSize
        options.settings = set.settings
        options.dataRoot = dataRoot
        if let compareTorch {
            // A bare name (`python3`) is looked up on PATH, as a shell would.
            guard let python = Executable.find(compareTorch) else {
                throw ValidationError("--compare-torch: no executable '\(compareTorch)'"
                                      + (compareTorch.contains("/") ? "." : " on PATH; give its path, e.g. /tmp/torchenv/bin/python."))
            }
            options.torchPython = python
        }
        options.layers = layers
        for c in classes {
            let parts = c.split(separator: "=")
            options.classes[String(parts[0])] = Int(parts[1])!
        }
        let world = try joinJob()
        defer { world.finish() }
        if world.size > 1 && (compareTorch != nil || layers) {
            printError("error: --compare-torch and --layers time one process; run them without mpirun\n")
            throw ExitCode(2)
        }
        options.replicas = Replicas(world)
        let outcome: BenchSession.Outcome
        do { outcome = try BenchSession.run(options) } catch { throw report(error, in: world) }
        guard world.rank == 0 else { return }
        if layers {
            switch format {
            case .json:
                // One line per layer; with --compare-torch it carries PyTorch's times for the same
                // positions (summed over the layers a fused one stands for), as the text table.
                let encoder = JSONEncoder()
                encoder.keyEncodingStrategy = .convertToSnakeCase
                for t in outcome.layerTimings {
                    var line = try JSONSerialization.jsonObject(with: encoder.encode(t)) as? [String: Any] ?? [:]
                    if !outcome.torchLayers.isEmpty {
                        let theirs = BenchTable.torchTimes(t, outcome)
                        line["torch_forward_ms"] = theirs.forward ?? NSNull()
                        line["torch_backward_ms"] = theirs.backward ?? NSNull()
                    }
                    print(String(decoding: try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]), as: UTF8.self))
                }
            case .text:
                print(BenchTable.renderLayers(outcome))
            }
            return
        }
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(outcome.specrun), as: UTF8.self))
            if let torch = outcome.torch { print(String(decoding: try encoder.encode(torch), as: UTF8.self)) }
        case .text:
            print(BenchTable.render(outcome))
        }
    }
}

/// The side-by-side tables `specrun bench` prints.
enum BenchTable {
    /// PyTorch's forward and backward times for the layers `t` stands for: a fused layer against the
    /// sum of PyTorch's layers; nil when one of them is missing.
    static func torchTimes(_ t: BenchSession.LayerTiming, _ outcome: BenchSession.Outcome) -> (forward: Double?, backward: Double?) {
        // A fused layer against the sum of PyTorch's layers it stands for.
        func theirs(_ time: (BenchSession.TorchLayerTiming) -> Double?) -> Double? {
            let times = (t.index...t.lastIndex).map { outcome.torchLayers["\(t.node).\($0)"].flatMap(time) }
            return times.contains(nil) ? nil : times.reduce(0) { $0 + $1! }
        }
        return (theirs(\.forwardMs), theirs(\.backwardMs))
    }

    static func renderLayers(_ outcome: BenchSession.Outcome) -> String {
        let r = outcome.specrun
        let withTorch = !outcome.torchLayers.isEmpty
        var rows: [[String]] = [["layer", "input", "forward", "backward"] + (withTorch ? ["PyTorch fwd", "PyTorch bwd", "fwd ratio", "bwd ratio"] : [])]
        func ms(_ x: Double?) -> String { x.map { String(format: "%.3f", $0) } ?? "-" }
        var sums = (0.0, 0.0, 0.0, 0.0)
        for t in outcome.layerTimings {
            let positions = t.lastIndex > t.index ? "\(t.index)-\(t.lastIndex)" : "\(t.index)"
            var row = ["\(t.node).\(positions) \(t.layer)", "(" + t.inputShape.map(String.init).joined(separator: ",") + ")", ms(t.forwardMs), ms(t.backwardMs)]
            sums.0 += t.forwardMs; sums.1 += t.backwardMs ?? 0
            if withTorch {
                let (f, b) = torchTimes(t, outcome)
                sums.2 += f ?? 0; sums.3 += b ?? 0
                row += [ms(f), ms(b), f.map { String(format: "%.2fx", $0 / t.forwardMs) } ?? "-",
                        b.flatMap { b in t.backwardMs.map { String(format: "%.2fx", b / $0) } } ?? "-"]
            }
            rows.append(row)
        }
        rows.append(["total", "", ms(sums.0), ms(sums.1)] + (withTorch ? [ms(sums.2), ms(sums.3), String(format: "%.2fx", sums.2 / sums.0),
                                                                          String(format: "%.2fx", sums.3 / sums.1)] : []))
        let widths = rows[0].indices.map { c in rows.map { $0[c].count }.max()! }
        var lines = ["bench --layers \(r.spec): batch \(r.batchSize), median of \(r.steps) runs after \(r.warmupSteps), \(r.threads) threads, ms"
                     + (withTorch ? "; ratio = PyTorch time / specrun time" : "")]
        lines += rows.map { row in
            row.enumerated().map { c, cell in
                c < 2 ? cell.padding(toLength: widths[c], withPad: " ", startingAt: 0) : String(repeating: " ", count: widths[c] - cell.count) + cell
            }.joined(separator: "  ")
        }
        return lines.joined(separator: "\n")
    }

    static func render(_ outcome: BenchSession.Outcome) -> String {
        let r = outcome.specrun, t = outcome.torch
        let threads = (r.processes.map { "\($0) processes x " } ?? "") + "\(r.threads) thread\(r.threads == 1 ? "" : "s")"
        var lines = ["bench \(r.spec): batch \(r.batchSize), \(r.steps) steps after \(r.warmupSteps) warm-up, \(threads), "
                     + "\(r.data) data, \(r.parameters.formatted()) parameters",
                     "specrun: \(r.engine)"]
        if let version = t?.torch { lines.append("PyTorch: \(version), the spec's twin from specrun export-torch") }
        var rows: [[String]] = [["", "specrun"] + (t == nil ? [] : ["PyTorch", "specrun is"])]
        func time(_ label: String, _ mine: Double, _ key: KeyPath<BenchSession.TorchReport, Double>) {
            var row = [label, milliseconds(mine)]
            if let t {
                let theirs: Double? = t[keyPath: key]
                row += [theirs.map(milliseconds) ?? "", theirs.map { String(format: "%.2fx faster", $0 / mine) } ?? ""]
            }
            rows.append(row)
        }
        time("step (median)", r.msPerStepMedian, \.msPerStepMedian)
        time("  forward", r.forwardMsMedian, \.forwardMsMedian)
        time("  backward", r.backwardMsMedian, \.backwardMsMedian)
        time("  optimizer", r.optimizerMsMedian, \.optimizerMsMedian)
        if let exchange = r.exchangeMsMedian { rows.append(["  gradient sum", milliseconds(exchange)]) }
        if let alone = r.allreduceMsMedian { rows.append(["sum alone", milliseconds(alone)]) }
        var throughput = ["samples/s", String(format: "%.0f", r.samplesPerS)]
        if let t {
            let theirs: Double? = t.samplesPerS
            throughput += [theirs.map { String(format: "%.0f", $0) } ?? "", theirs.map { String(format: "%.2fx", r.samplesPerS / $0) } ?? ""]
        }
        rows.append(throughput)
        let gflop = 3 * Double(r.forwardFlopsPerSample) * Double(r.batchSize) / 1e9
        var achieved = ["GFLOP/s", String(format: "%.1f", r.gflopsAchieved)]
        if let t { achieved += [String(format: "%.1f", gflop / (t.msPerStepMedian / 1000)), ""] }
        rows.append(achieved)
        var memory = ["peak RSS", String(format: "%.0f MiB", r.peakRssMib)]
        if let t { memory += [String(format: "%.0f MiB", t.peakRssMib), ""] }
        rows.append(memory)
        rows.append(["new buffers/step", String(format: "%.1f", r.freshAllocationsPerStep)] + (t == nil ? [] : ["", ""]))
        let widths = rows[0].indices.map { c in rows.map { $0[c].count }.max()! }
        lines += rows.map { row in
            row.enumerated().map { c, cell in
                c == 0 ? cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[c] - cell.count) + cell
            }.joined(separator: "   ")
        }
        lines.append("FLOPs: \(r.forwardFlopsPerSample.formatted()) per sample forward; GFLOP/s counts 3x that per sample (forward + backward).")
        return lines.joined(separator: "\n")
    }

    static func render(_ r: AugmentationBench.Report) -> String {
        var lines = ["bench --augmentation \(r.spec): \(r.images) training images of \(r.shape.map(String.init).joined(separator: "x")), "
                     + "\(r.rounds) epochs, transforms \(r.transforms.joined(separator: ", "))",
                     String(format: "specrun      %8.0f images/s on %d thread%@ (%.0f per core); without augmentation %.0f images/s",
                            r.imagesPerS, r.threads, r.threads == 1 ? "" : "s", r.imagesPerS / Double(r.threads), r.plainImagesPerS)]
        if let theirs = r.torchImagesPerS {
            lines.append(String(format: "torchvision  %8.0f images/s on 1 thread (one DataLoader worker), torchvision %@", theirs, r.torchvision ?? "?"))
            lines.append(String(format: "per core, specrun is %.1fx torchvision", r.imagesPerS / Double(r.threads) / theirs))
            lines.append("torchvision: \(r.torchCompose ?? "")")
        }
        return lines.joined(separator: "\n")
    }

    /// Four significant digits, in microseconds below 0.1 ms.
    static func milliseconds(_ x: Double) -> String {
        x < 0.1 ? String(format: "%.4g us", x * 1000) : String(format: "%.4g ms", x)
    }
}
