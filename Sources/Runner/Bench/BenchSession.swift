import Autograd
import Catalogue
import DataPipeline
import Datasets
import Diagnostics
import Foundation
import GraphIR
import Kernels
import NN
import SpecLanguage

#if canImport(Glibc)
import Glibc
#endif

/// `specrun bench`: training steps of a spec's model on data already in memory, timed per phase,
/// and optionally the same steps in PyTorch (the spec's exported twin) in the same invocation.
public enum BenchSession {
    public struct Options {
        public var specPath: String
        public var steps = 50
        public var warmup = 5
        public var batchSize: Int?
        /// `--set` settings, applied to the spec as for a run.
        public var settings: [String] = []
        /// Real data from this root (held in memory before timing); synthetic batches when nil.
        public var dataRoot: String?
        /// Class counts for synthetic data: label field -> count.
        public var classes: [String: Int] = [:]
        /// A Python with torch: run the spec's PyTorch twin too, for the ratio.
        public var torchPython: String?
        /// Time each layer on its own instead of whole training steps.
        public var layers = false
        /// The processes of a data-parallel job (`mpirun -n K specrun bench`): each times the step
        /// on its share of every batch, gradients summed across them.
        public var replicas: Replicas?

        public init(specPath: String) { self.specPath = specPath }
    }

    /// The measurements, with JSON keys like the PyTorch twin's so the two compare field by field.
    public struct Report: Codable {
        public var spec: String
        public var engine: String
        public var threads: Int
        public var batchSize: Int
        public var data: String
        public var parameters: Int
        public var warmupSteps: Int
        public var steps: Int
        public var msPerStepMedian: Double
        public var msPerStepMean: Double
        public var forwardMsMedian: Double
        public var backwardMsMedian: Double
        public var optimizerMsMedian: Double
        public var samplesPerS: Double
        /// Forward FLOPs per sample (a multiply-add is 2), from the graph.
        public var forwardFlopsPerSample: Int
        /// 3 x forward FLOPs per step (the usual estimate for forward + backward) over the median time.
        public var gflopsAchieved: Double
        public var peakRssMib: Double
        /// Buffers the engine had to malloc per timed step (0 when every buffer is reused).
        public var freshAllocationsPerStep: Double
        public var loss: Double?
        /// Data-parallel: the processes, and the median time of summing the gradients (included in
        /// the step; it holds the wait for the slowest process).
        public var processes: Int? = nil
        public var exchangeMsMedian: Double? = nil
        /// The same sum with every process starting it together: the exchange alone.
        public var allreduceMsMedian: Double? = nil
    }

    public struct Outcome {
        public var specrun: Report
        /// The PyTorch twin's measurements, when `torchPython` was given.
        public var torch: TorchReport?
        /// With `layers`: each layer's timing, and the twin's (keyed "node.index").
        public var layerTimings: [LayerTiming] = []
        public var torchLayers: [String: TorchLayerTiming] = [:]
    }

    /// The JSON line the PyTorch twin's `--bench` prints (`TorchExport.benchKeys`).
    public struct TorchReport: Codable {
        public var spec: String
        public var torch: String
        public var threads: Int
        public var batchSize: Int
        public var parameters: Int
        public var warmupSteps: Int
        public var warmupMsTotal: Double
        public var steps: Int
        public var msPerStepMedian: Double
        public var msPerStepMean: Double
        public var forwardMsMedian: Double
        public var backwardMsMedian: Double
        public var optimizerMsMedian: Double
        public var samplesPerS: Double
        public var peakRssMib: Double
        public var loss: Double?
    }

    /// One line of the twin's `--bench-layers`.
    public struct TorchLayerTiming: Codable {
        public var node: String
        public var index: Int
        /// The module's class, `Conv2d`.
        public var layer: String?
        public var inputShape: [Int]?
        public var forwardMs: Double
        public var backwardMs: Double?
    }

    /// One layer on its own, on the input it gets in the model. A fused layer stands for the
    /// spec's layers `index ... lastIndex`.
    public struct LayerTiming: Codable {
        public var node: String
        public var index: Int
        public var lastIndex: Int
        public var layer: String
        public var inputShape: [Int]
        public var forwardMs: Double
        /// Nil when nothing needs a gradient (a parameter-free layer on a model input).
        public var backwardMs: Double?
    }

    public static func run(_ options: Options) throws(RunError) -> Outcome {
        // The model, and the batches it trains on.
        let model: GraphModel, graph: Graph, spec: Spec, objective: Objective
        var batches: [(inputs: [String: Tensor], targets: [LossTarget])] = []
        let optimizer: any Optimizer
        if let root = options.dataRoot {
            let p = try PreparedModel.prepare(path: options.specPath, overrides: SpecOverrides(batchSize: options.batchSize, settings: options.settings),
                                              dataRoot: root)
            (model, graph, spec, objective) = (p.model, p.graph, p.spec, p.objective)
            optimizer = try p.makeOptimizer()
            let stream = p.data.dataset.batches(p.data.dataset.splits.train, epoch: 0,
                                                options: BatchOptions(batchSize: spec.data.batchSize, shuffle: true, seed: 0, dropLast: true, prefetch: 0,
                                                                      shard: options.replicas.shard))
            while batches.count < min(options.steps + options.warmup, 64), let batch = try Evaluation.next(stream, p.data) {
                batches.append((p.data.inputs(batch, names: model.inputNames), p.data.targets(batch, for: objective)))
            }
        } else {
            let (file, parsed, compiled, _) = try PreparedModel.compile(path: options.specPath, settings: options.settings)
            var g = compiled
            try PreparedModel.bind(&g, options.classes, file: file, why: "synthetic data needs every class count (--classes NAME=N)")
            spec = SpecOverrides(batchSize: options.batchSize).applied(to: parsed)
            graph = g
            model = try PreparedModel.makeModel(g, spec: spec, path: options.specPath)
            objective = Objective(graph: g)
            do { optimizer = try Catalogue.standard.optimizer(spec.optimizer.name).optimizer(spec.optimizer.options, model.parameters) } catch {
                throw RunError(.spec, "\(options.specPath): \(error)")
            }
            var rng = RandomGenerator(seed: UInt64(bitPattern: Int64(spec.seed)), stream: 2)
            batches = [synthetic(graph: g, objective: objective, batchSize: options.replicas.shard.rows(of: spec.data.batchSize).count, rng: &rng)]
        }
        guard !batches.isEmpty else { throw RunError(.data, "\(options.specPath): the training split has no full batch") }

        if options.layers {
            var outcome = Outcome(specrun: try report(spec: spec, graph: graph, model: model, options: options, times: ([], [], [], []), allocations: 0, loss: .nan))
            outcome.layerTimings = layerTimings(model: model, graph: graph, inputs: batches[0].inputs, options: options)
            if let python = options.torchPython {
                for line in try runTwin(python: python, graph: graph, spec: spec, path: options.specPath, options: options,
                                        batchSize: spec.data.batchSize, mode: "--bench-layers", as: TorchLayerTiming.self) {
                    outcome.torchLayers["\(line.node).\(line.index)"] = line
                }
            }
            return outcome
        }

        // The timed loop: the training step `train` runs, phase by phase.
        model.train()
        let step = TrainingStep(model: model, objective: objective, optimizer: optimizer, clipGradNorm: spec.train.clipGradNorm,
                                replicas: options.replicas)
        model.replicas = options.replicas
        let rows = options.replicas.shard.rows(of: spec.data.batchSize)
        var total: [Double] = [], forward: [Double] = [], backward: [Double] = [], optimizerTimes: [Double] = [], exchange: [Double] = []
        var allocationsBefore = 0
        var lastLoss: Float = .nan
        for i in 0..<(options.warmup + options.steps) {
            if i == options.warmup { allocationsBefore = BufferPool.freshAllocationsOnThisThread }
            let (inputs, targets) = batches[i % batches.count]
            model.firstRow = rows.lowerBound
            let result = step(inputs, targets, rows: rows.count, batchRows: spec.data.batchSize)
            if let bad = result.nonFinite {
                throw RunError(.divergence, "\(options.specPath): the loss of output `\(objective.heads[bad].name)` is \(result.losses[bad]) at step \(i + 1); "
                               + "bench times finite steps only (try a lower learning rate)")
            }
            lastLoss = result.total
            if i >= options.warmup {
                total.append((result.forwardSeconds + result.backwardSeconds + result.exchangeSeconds + result.optimizerSeconds) * 1000)
                exchange.append(result.exchangeSeconds * 1000)
                forward.append(result.forwardSeconds * 1000)
                backward.append(result.backwardSeconds * 1000)
                optimizerTimes.append(result.optimizerSeconds * 1000)
            }
        }
        let allocations = Double(BufferPool.freshAllocationsOnThisThread - allocationsBefore) / Double(max(options.steps, 1))
        var report = try report(spec: spec, graph: graph, model: model, options: options, times: (total, forward, backward, optimizerTimes),
                                allocations: allocations, loss: lastLoss)
        if let replicas = options.replicas {
            report.processes = replicas.count
            report.exchangeMsMedian = Self.median(exchange)
            report.allreduceMsMedian = replicas.medianSumMilliseconds(count: step.gradientCount, repetitions: options.steps)
        }
        var torch: TorchReport?
        if let python = options.torchPython {
            torch = try runTwin(python: python, graph: graph, spec: spec, path: options.specPath, options: options,
                                batchSize: spec.data.batchSize, mode: "--bench", as: TorchReport.self).last
        }
        return Outcome(specrun: report, torch: torch)
    }

    private static func report(spec: Spec, graph: Graph, model: GraphModel, options: Options,
                               times: (total: [Double], forward: [Double], backward: [Double], step: [Double]),
                               allocations: Double, loss lastLoss: Float) throws(RunError) -> Report {
        let (total, forward, backward, step) = times
        let median = Self.median(total)
        let flops = graph.flops.constant ?? 0
        let batchSize = spec.data.batchSize
        return Report(
            spec: spec.name, engine: "specrun \(TrainSession.version), \((try? BLAS.load().description) ?? "no BLAS")",
            threads: Parallel.threadCount, batchSize: batchSize, data: options.dataRoot == nil ? "synthetic" : "real, in memory",
            parameters: model.parameters.reduce(0) { $0 + $1.tensor.count }, warmupSteps: options.warmup, steps: options.steps,
            msPerStepMedian: median, msPerStepMean: total.reduce(0, +) / Double(max(total.count, 1)),
            forwardMsMedian: Self.median(forward), backwardMsMedian: Self.median(backward), optimizerMsMedian: Self.median(step),
            samplesPerS: Double(batchSize) * 1000 / median, forwardFlopsPerSample: flops,
            gflopsAchieved: 3 * Double(flops) * Double(batchSize) / (median / 1000) / 1e9, peakRssMib: peakRSSMiB(),
            freshAllocationsPerStep: allocations, loss: lastLoss.isFinite ? Double(lastLoss) : nil)
    }

    /// Runs the model node by node to find each layer's input, then times every layer alone:
    /// forward, and backward from a fresh upstream gradient (consumed, not copied, as PyTorch's
    /// `y.backward(g)`), parameter gradients dropped between runs.
    static func layerTimings(model: GraphModel, graph: Graph, inputs: [String: Tensor], options: Options) -> [LayerTiming] {
        model.train()
        var context = ForwardContext(training: true, rng: model.rng)
        var values = inputs.mapValues { $0.detached() }
        var timings: [LayerTiming] = []
        var rng = RandomGenerator(seed: 7)
        for node in model.nodes {
            switch node.operation {
            case .layers(let from, let sequence):
                var x = values[from]!
                for entry in sequence.entries {
                    let layer = entry.layer, i = entry.positions.lowerBound
                    let needsGrad = !(i == 0 && graph.input(named: from) != nil)
                    var forward: [Double] = [], backward: [Double] = []
                    for run in 0..<(options.warmup + options.steps) {
                        for p in layer.parameters { p.tensor.setGrad(nil) }
                        let input = Tensor(shape: x.shape, storage: x.storage, requiresGrad: needsGrad)
                        let t0 = MonotonicClock.seconds()
                        let y = layer(input, &context)
                        let t1 = MonotonicClock.seconds()
                        if y.requiresGrad {
                            let upstream = Tensor(shape: y.shape, values: (0..<y.count).map { _ in rng.uniform(-1, 1) })
                            let t2 = MonotonicClock.seconds()
                            y.backward(consuming: upstream)
                            if run >= options.warmup { backward.append((MonotonicClock.seconds() - t2) * 1000) }
                        }
                        if run >= options.warmup { forward.append((t1 - t0) * 1000) }
                    }
                    let graphLayers = graph.node(named: node.name)?.layers.filter { entry.positions.contains($0.index) } ?? []
                    let name = graphLayers.isEmpty ? "\(type(of: layer))" : graphLayers.map(\.signature).joined(separator: " + ")
                    timings.append(LayerTiming(node: node.name, index: i, lastIndex: entry.positions.upperBound - 1, layer: name,
                                               inputShape: x.shape.dims, forwardMs: median(forward),
                                               backwardMs: backward.isEmpty ? nil : median(backward)))
                    x = layer(x, &context).detached()
                }
                values[node.name] = x
            case .merge:
                values[node.name] = node.merge(values)
            }
        }
        return timings
    }

    /// One batch of the declared input shapes: uniform floats in [0, 1), class indices uniform
    /// in range, 0/1 float targets; as the PyTorch twin makes them.
    static func synthetic(graph: Graph, objective: Objective, batchSize: Int, rng: inout RandomGenerator) -> (inputs: [String: Tensor], targets: [LossTarget]) {
        var inputs: [String: Tensor] = [:]
        for input in graph.inputs {
            let dims = [batchSize] + (input.shape.concrete ?? [])
            inputs[input.name] = Tensor(shape: Shape(dims), values: (0..<dims.reduce(1, *)).map { _ in rng.nextFloat() })
        }
        let targets = zip(objective.heads, graph.outputs).map { head, output -> LossTarget in
            let width = output.shape.concrete?.last ?? 1
            if head.target == .classIndex {
                return .classes((0..<batchSize).map { _ in Int32(rng.nextInt(below: width)) })
            }
            let dims = [batchSize] + (output.shape.concrete ?? [1])
            return .values(Tensor(shape: Shape(dims), values: (0..<dims.reduce(1, *)).map { _ in rng.nextInt(below: 2) == 0 ? 0 : 1 }))
        }
        return (inputs, targets)
    }

    /// Writes the spec's PyTorch twin to a temporary file, runs its benchmark, and decodes the JSON
    /// lines it prints.
    static func runTwin<Line: Decodable>(python: String, graph: Graph, spec: Spec, path: String, options: Options, batchSize: Int,
                                         mode: String, as line: Line.Type) throws(RunError) -> [Line] {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("specrun-twin-\(getpid()).py")
        do { try AtomicFile.write(TorchExport.render(graph, spec: spec, path: path), to: script) } catch { throw .file(error) }
        defer { try? FileManager.default.removeItem(at: script) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script.path, mode, "--steps", "\(options.steps)", "--warmup", "\(options.warmup)",
                             "--batch-size", "\(batchSize)", "--threads", "\(Parallel.threadCount)"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch {
            throw RunError(.file, "\(python): cannot run it: \(SystemText.reason(error))")
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { try? decoder.decode(Line.self, from: Data($0.utf8)) }
        guard process.terminationStatus == 0, !lines.isEmpty else {
            let last = errors.split(separator: "\n").last.map(String.init) ?? "no output"
            throw RunError(.file, "\(python) \(script.lastPathComponent) \(mode) failed (exit \(process.terminationStatus)): \(last)")
        }
        return lines
    }

    static func median(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return .nan }
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// The process's peak resident memory so far.
    static func peakRSSMiB() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024  // kilobytes on Linux
    }
}
