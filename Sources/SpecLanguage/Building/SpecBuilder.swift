import Diagnostics
import YAMLReader

/// Turns decoded options into the typed `Spec` and checks what the types alone cannot: names
/// that refer to other parts, and the data section's internal consistency. Shapes and heads are
/// GraphIR's checks.
struct SpecBuilder {
    var decoder = Decoder()
    var incomplete = Incomplete()

    mutating func error(_ code: DiagnosticCode, _ message: String, at range: SourceRange?, notes: [Note] = []) {
        decoder.error(code, message, at: range, notes: notes)
    }

    /// The draft spec, or nil when the document is not a mapping.
    mutating func build(_ root: YAMLNode?, file: SourceFile) -> Spec? {
        guard let root else {
            error(.emptySpec, "the file holds no spec", at: SourceRange(at: SourceLocation(line: 1, column: 1)),
                  notes: [Note("a spec is a mapping with at least `name`, `data`, `model` and `optimizer`")])
            return nil
        }
        guard root.mapping != nil else {
            error(.emptySpec, "the top level of a spec must be a mapping, found \(root.kindDescription)", at: root.range)
            return nil
        }
        let start = SourceRange(at: SourceLocation(line: 1, column: 1))
        guard let top = decoder.decodeRecord(root, Registry.record("spec"), path: "", owner: start) else { return nil }

        let data: DataSpec
        if let record = top.record("data") {
            data = buildData(record, seed: top.int("seed") ?? 0)
        } else {
            incomplete.data = true
            data = DataSpec(source: .csv(CSVSourceSpec(path: "", delimiter: ",", range: start)), fields: [],
                            preprocessing: PreprocessingSpec(missing: .error, normalize: .none),
                            split: SplitSpec(test: 0, validation: 0, seed: 0, stratify: nil, range: start),
                            batchSize: 1, shuffle: false, range: start)
        }
        let model = top.record("model").map { buildModel($0, data: data) } ?? ModelSpec(inputs: [], nodes: [], outputs: [])
        if top.record("model") == nil { incomplete.model = true }
        checkClassReferences(data)
        let train = buildTrain(top.record("train"), outputs: model.outputs, split: data.split)
        var optimizer = OptimizerSpec.sgd(.init(lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false))
        if let c = top.component("optimizer") {
            checkOptimizer(c)
            optimizer = buildOptimizer(c)
        }
        let schedule = top.component("schedule").map { buildSchedule($0, epochs: train.epochs) }
        return Spec(name: top.string("name") ?? "", seed: top.int("seed") ?? 0, data: data, model: model,
                    optimizer: optimizer, schedule: schedule, train: train)
    }

    /// Every `classes(x)` must name a label field.
    private mutating func checkClassReferences(_ data: DataSpec) {
        guard !incomplete.data else { return }
        for (name, range) in decoder.classUses where !incomplete.fields.contains(name) {
            guard let field = data.field(named: name) else {
                error(.undefinedReference, "classes(\(name)) refers to no field", at: range,
                      notes: [Suggestion.note(for: name, among: data.fields.filter(\.kind.isClassIndex).map(\.name))].compactMap { $0 })
                continue
            }
            if !field.kind.isClassIndex {
                error(.undefinedReference, "classes(\(name)) needs a label field, but '\(name)' is a \(field.kind.keyword) field", at: range,
                      notes: [Note("'\(name)' is declared here", at: field.nameRange)])
            }
        }
    }

    // MARK: - Training

    private func buildOptimizer(_ c: SpecComponent) -> OptimizerSpec {
        let a = c.options
        switch c.name {
        case "adam", "adamw":
            let (b1, b2) = a.floatPair("betas") ?? (0, 0)
            let o = OptimizerSpec.Adam(lr: a.number("lr"), beta1: b1, beta2: b2, eps: a.number("eps"), weightDecay: a.number("weight_decay"),
                                   amsgrad: a.flag("amsgrad"), maximize: a.flag("maximize"),
                                   decoupledWeightDecay: c.name == "adamw" || a.flag("decoupled_weight_decay"))
            return c.name == "adam" ? .adam(o) : .adamw(o)
        case "rmsprop":
            return .rmsprop(.init(lr: a.number("lr"), alpha: a.number("alpha"), eps: a.number("eps"), weightDecay: a.number("weight_decay"),
                                  momentum: a.number("momentum"), centered: a.flag("centered"), maximize: a.flag("maximize")))
        case "adagrad":
            return .adagrad(.init(lr: a.number("lr"), lrDecay: a.number("lr_decay"), weightDecay: a.number("weight_decay"),
                                  initialAccumulatorValue: a.number("initial_accumulator_value"), eps: a.number("eps"),
                                  maximize: a.flag("maximize")))
        default:
            return .sgd(.init(lr: a.number("lr"), momentum: a.number("momentum"), dampening: a.number("dampening"),
                              weightDecay: a.number("weight_decay"), nesterov: a.flag("nesterov"), maximize: a.flag("maximize")))
        }
    }

    /// PyTorch refuses Nesterov momentum without momentum or with dampening; so does specrun, at the place.
    mutating func checkOptimizer(_ c: SpecComponent) {
        guard c.name == "sgd", c.options.flag("nesterov") else { return }
        let a = c.options
        if a.number("momentum") <= 0 || a.number("dampening") != 0 {
            error(.conflictingOptions, "`optimizer.sgd.nesterov` needs `momentum` above 0 and `dampening` 0 (momentum "
                + "\(SpecValue.number(a.number("momentum"))), dampening \(SpecValue.number(a.number("dampening"))))",
                  at: a.range(of: "nesterov"))
        }
    }

    private func buildSchedule(_ c: SpecComponent, epochs: Int) -> ScheduleSpec {
        let a = c.options
        switch c.name {
        case "cosine": return .cosine(tMax: a.int("t_max") ?? epochs, etaMin: a.number("eta_min"))
        default: return .step(stepSize: a.int("step_size") ?? 1, gamma: a.number("gamma"))
        }
    }

    mutating func buildInitializer(_ c: SpecComponent) -> InitializerSpec {
        let a = c.options
        let mode = InitializerSpec.FanMode(rawValue: a.string("mode") ?? "") ?? .fanIn
        switch c.name {
        case "kaiming_uniform": return .kaimingUniform(a: a.number("a"), mode: mode, nonlinearity: a.string("nonlinearity") ?? "")
        case "kaiming_normal": return .kaimingNormal(a: a.number("a"), mode: mode, nonlinearity: a.string("nonlinearity") ?? "")
        case "xavier_uniform": return .xavierUniform(gain: a.number("gain"))
        case "xavier_normal": return .xavierNormal(gain: a.number("gain"))
        case "uniform":
            if a.number("a") >= a.number("b") && !a.hasErrors {
                error(.conflictingOptions, "uniform initializer needs `a` below `b`, found a = "
                    + "\(SpecValue.number(a.number("a"))), b = \(SpecValue.number(a.number("b")))",
                      at: c.nameRange)
            }
            return .uniform(a: a.number("a"), b: a.number("b"))
        case "normal": return .normal(mean: a.number("mean"), std: a.number("std"))
        case "constant": return .constant(a.number("val"))
        case "ones": return .ones
        default: return .zeros
        }
    }
}

/// Reading keys that the decoder has filled: a key is absent only after an error was reported,
/// and then the draft's value does not matter, so these fall back to zero values.
extension SpecOptions {
    func number(_ key: String) -> Double { double(key) ?? 0 }
    func flag(_ key: String) -> Bool { bool(key) ?? false }
}
