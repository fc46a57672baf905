import Autograd
import Foundation
import Testing

/// One case from a golden file written by tools/goldens/<family>.py with PyTorch.
struct GoldenCase: Decodable, CustomTestStringConvertible {
    struct Values: Decodable {
        var shape: [Int]
        var data: [Float]
    }

    var name: String
    var op: String
    var params: [String: JSONValue]
    var rtol: Float
    var atol: Float
    var inputs: [String: Values]
    var outputs: [String: Values]
    var upstream: [String: Values]
    var grads: [String: Values]

    var testDescription: String { name }

    /// Input `key` as a tensor that requires a gradient when the golden has one for it.
    func input(_ key: String) -> Tensor {
        guard let v = inputs[key] else { fatalError("golden \(name) has no input \(key)") }
        return Tensor(shape: Shape(v.shape), values: v.data, requiresGrad: grads[key] != nil)
    }

    /// Integer input `key` (class indices are stored as floats).
    func indices(_ key: String) -> [Int] {
        guard let v = inputs[key] else { fatalError("golden \(name) has no input \(key)") }
        return v.data.map { Int($0) }
    }

    /// Class-index input `key` in the form the losses take.
    func classIndices(_ key: String) -> [Int32] { indices(key).map { Int32($0) } }

    /// Input `key` when the case has it (optional inputs such as class weights).
    func optionalInput(_ key: String) -> Tensor? { inputs[key] == nil ? nil : input(key) }

    func param(_ key: String) -> JSONValue? { params[key] }

    /// Checks every gradient the golden has against the tensor given for its input, and that
    /// each given tensor with a golden gradient got one.
    func checkGradients(_ tensors: [String: Tensor], sourceLocation: SourceLocation = #_sourceLocation) {
        for key in grads.keys.sorted() {
            guard let t = tensors[key] else {
                Issue.record("\(name): the test does not check the gradient of \(key)", sourceLocation: sourceLocation)
                continue
            }
            checkGradient(t, key: key, sourceLocation: sourceLocation)
        }
    }

    /// Checks `output` against the golden's output `key` and runs backward with its upstream gradient.
    func checkForwardAndBackward(_ output: Tensor, key: String = "y", sourceLocation: SourceLocation = #_sourceLocation) {
        guard let expected = outputs[key] else { fatalError("golden \(name) has no output \(key)") }
        #expect(output.shape.dims == expected.shape, "\(name): output shape", sourceLocation: sourceLocation)
        expectClose(output.values, expected.data, rtol: rtol, atol: atol, "\(name): forward \(key)", sourceLocation: sourceLocation)
        if let up = upstream[key] {
            output.backward(gradient: Tensor(shape: Shape(up.shape), values: up.data))
        }
    }

    /// Checks the gradient accumulated on `tensor` against the golden's gradient for input `key`.
    func checkGradient(_ tensor: Tensor, key: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let expected = grads[key] else { fatalError("golden \(name) has no gradient for \(key)") }
        guard let grad = tensor.grad else {
            Issue.record("\(name): no gradient reached \(key)", sourceLocation: sourceLocation)
            return
        }
        expectClose(grad.values, expected.data, rtol: rtol, atol: atol, "\(name): grad \(key)", sourceLocation: sourceLocation)
    }
}

/// A parameter value in a golden case.
enum JSONValue: Decodable {
    case number(Double), bool(Bool), string(String), array([JSONValue]), null

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else { self = .array(try c.decode([JSONValue].self)) }
    }

    var int: Int? { if case .number(let d) = self { return Int(d) }; return nil }
    var float: Float? { if case .number(let d) = self { return Float(d) }; return nil }
    var bool: Bool? { if case .bool(let b) = self { return b }; return nil }
    var string: String? { if case .string(let s) = self { return s }; return nil }
    var ints: [Int]? { if case .array(let a) = self { return a.compactMap(\.int) }; return nil }
    var floats: [Float]? { if case .array(let a) = self { return a.compactMap(\.float) }; return nil }
}

enum Golden {
    /// The cases of Tests/AutogradTests/Goldens/<family>.json.
    static func cases(_ family: String, op: String? = nil) -> [GoldenCase] {
        struct File: Decodable { var cases: [GoldenCase] }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Goldens/\(family).json")
        do {
            let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
            return file.cases.filter { op == nil || $0.op == op }
        } catch {
            fatalError("cannot read golden file \(url.path): \(error)")
        }
    }
}

/// |a - b| <= atol + rtol * |b| elementwise, as torch.allclose.
func expectClose(_ a: [Float], _ b: [Float], rtol: Float = 1e-5, atol: Float = 1e-6, _ what: String = "",
                 sourceLocation: SourceLocation = #_sourceLocation) {
    guard a.count == b.count else {
        Issue.record("\(what): \(a.count) values, expected \(b.count)", sourceLocation: sourceLocation)
        return
    }
    var worst = 0, worstExcess: Float = 0
    for i in a.indices {
        let excess = abs(a[i] - b[i]) - (atol + rtol * abs(b[i]))
        if excess > worstExcess || a[i].isNaN != b[i].isNaN { worst = i; worstExcess = max(excess, .infinity * (a[i].isNaN != b[i].isNaN ? 1 : 0)) }
    }
    if worstExcess > 0 {
        Issue.record("\(what): element \(worst) is \(a[worst]), expected \(b[worst]) (rtol \(rtol), atol \(atol))", sourceLocation: sourceLocation)
    }
}
