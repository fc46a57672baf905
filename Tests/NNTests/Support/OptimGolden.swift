import Autograd
import Foundation
import NN
import Testing

/// Tests/NNTests/Goldens/optim.json, written by tools/goldens/optim.py with PyTorch.
struct OptimGoldens: Decodable {
    struct Values: Decodable {
        var shape: [Int]
        var data: [Float]

        var tensor: Tensor { Tensor(shape: Shape(shape), values: data) }
    }

    /// A torch keyword argument: a number, a bool, a string, or a pair of numbers (betas).
    enum Option: Decodable {
        case number(Double), bool(Bool), string(String), pair(Double, Double)

        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let d = try? c.decode(Double.self) { self = .number(d) }
            else if let s = try? c.decode(String.self) { self = .string(s) }
            else {
                let a = try c.decode([Double].self)
                self = .pair(a[0], a[1])
            }
        }

        var number: Double? { if case .number(let d) = self { d } else { nil } }
        var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
        var string: String? { if case .string(let s) = self { s } else { nil } }
        var pair: (Double, Double)? { if case .pair(let a, let b) = self { (a, b) } else { nil } }
    }

    struct OptimizerCase: Decodable, CustomTestStringConvertible {
        struct Step: Decodable {
            /// The learning rate set before this step, if it changed.
            var lr: Double?
            var grads: [String: Values]
            var params: [String: Values]
        }

        var name: String
        var algorithm: String
        var options: [String: Option]
        var rtol: Float
        var atol: Float
        var initial: [String: Values]
        var order: [String]
        var steps: [Step]
        var state: [String: Values]
        var scalars: [String: Double]
        var final_lr: Double

        var testDescription: String { name }

        /// The options as specrun's configuration, reading torch's keyword names.
        var configuration: OptimizerConfiguration {
            func d(_ k: String) -> Double? { options[k]?.number }
            func b(_ k: String) -> Bool? { options[k]?.bool }
            switch algorithm {
            case "sgd":
                var o = SGD.Options()
                o.lr = d("lr") ?? o.lr
                o.momentum = d("momentum") ?? o.momentum
                o.dampening = d("dampening") ?? o.dampening
                o.weightDecay = d("weight_decay") ?? o.weightDecay
                o.nesterov = b("nesterov") ?? o.nesterov
                o.maximize = b("maximize") ?? o.maximize
                return .sgd(o)
            case "adam", "adamw":
                var o = algorithm == "adam" ? Adam.Options() : Adam.Options.adamW()
                o.lr = d("lr") ?? o.lr
                o.betas = options["betas"]?.pair ?? o.betas
                o.eps = d("eps") ?? o.eps
                o.weightDecay = d("weight_decay") ?? o.weightDecay
                o.amsgrad = b("amsgrad") ?? o.amsgrad
                o.maximize = b("maximize") ?? o.maximize
                return .adam(o)
            case "rmsprop":
                var o = RMSprop.Options()
                o.lr = d("lr") ?? o.lr
                o.alpha = d("alpha") ?? o.alpha
                o.eps = d("eps") ?? o.eps
                o.weightDecay = d("weight_decay") ?? o.weightDecay
                o.momentum = d("momentum") ?? o.momentum
                o.centered = b("centered") ?? o.centered
                o.maximize = b("maximize") ?? o.maximize
                return .rmsprop(o)
            case "adagrad":
                var o = Adagrad.Options()
                o.lr = d("lr") ?? o.lr
                o.lrDecay = d("lr_decay") ?? o.lrDecay
                o.weightDecay = d("weight_decay") ?? o.weightDecay
                o.initialAccumulatorValue = d("initial_accumulator_value") ?? o.initialAccumulatorValue
                o.eps = d("eps") ?? o.eps
                o.maximize = b("maximize") ?? o.maximize
                return .adagrad(o)
            default:
                fatalError("golden \(name): unknown optimizer \(algorithm)")
            }
        }

        /// Fresh parameters holding the initial values, in the golden's order.
        func makeParameters() -> [NamedParameter] {
            order.map { (name: $0, tensor: initial[$0]!.tensor) }
        }

        /// Sets the gradients and learning rate of `step` and steps once.
        func run(step: Int, _ optimizer: any Optimizer) {
            let s = steps[step]
            if let lr = s.lr { optimizer.learningRate = lr }
            for p in optimizer.parameters { p.tensor.setGrad(s.grads[p.name]?.tensor) }
            optimizer.step()
        }
    }

    struct ScheduleCase: Decodable, CustomTestStringConvertible {
        var name: String
        var schedule: String
        var options: [String: Double]
        var base_lr: Double
        var lrs: [Double]
        var closed_form: [Double]
        var testDescription: String { name }

        var value: LearningRateSchedule {
            switch schedule {
            case "step": .step(stepSize: Int(options["step_size"]!), gamma: options["gamma"] ?? 0.1)
            case "cosine": .cosine(tMax: Int(options["T_max"]!), etaMin: options["eta_min"] ?? 0)
            default: fatalError("golden \(name): unknown schedule \(schedule)")
            }
        }
    }

    struct ClipCase: Decodable, CustomTestStringConvertible {
        var name: String
        var max_norm: Double
        var grads: [String: Values]
        var total_norm: Float
        var clipped: [String: Values]
        var testDescription: String { name }
    }

    struct GainCase: Decodable {
        var nonlinearity: String
        var param: Double?
        var gain: Double
    }

    struct InitializerCase: Decodable, CustomTestStringConvertible {
        var `init`: String
        var options: [String: Option]
        var shape: [Int]
        var fan_in: Int
        var fan_out: Int
        var bound: Double?
        var std: Double?
        var testDescription: String { "\(self.`init`) \(options.keys.sorted()) \(shape)" }
    }

    struct Cases: Decodable {
        var optimizers: [OptimizerCase]
        var schedules: [ScheduleCase]
        var clipping: [ClipCase]
        var gains: [GainCase]
        var initializers: [InitializerCase]
    }

    var cases: Cases

    static let shared: Cases = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Goldens/optim.json")
        do {
            return try JSONDecoder().decode(OptimGoldens.self, from: Data(contentsOf: url)).cases
        } catch {
            fatalError("cannot read golden file \(url.path): \(error)")
        }
    }()
}

/// |a - b| <= atol + rtol * |b| elementwise (as torch.allclose); reports the worst element.
func expectClose(_ a: [Float], _ b: [Float], rtol: Float, atol: Float, _ what: @autoclosure () -> String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    guard a.count == b.count else {
        Issue.record("\(what()): \(a.count) values, expected \(b.count)", sourceLocation: sourceLocation)
        return
    }
    var worst: Int?, worstExcess: Float = 0
    for i in a.indices {
        let excess = a[i].isNaN != b[i].isNaN ? .infinity : abs(a[i] - b[i]) - (atol + rtol * abs(b[i]))
        if excess > worstExcess { worst = i; worstExcess = excess }
    }
    if let w = worst {
        Issue.record("\(what()): element \(w) is \(a[w]), expected \(b[w]) (rtol \(rtol), atol \(atol))", sourceLocation: sourceLocation)
    }
}
