import Foundation
import ONNX

/// onnx and onnxruntime (`pip install onnx onnxruntime numpy`): SPECRUN_ONNX_PYTHON, else
/// /tmp/onnxenv/bin/python.
public enum ONNXRuntimePython {
    public static let python = Python.first(of: [ProcessInfo.processInfo.environment["SPECRUN_ONNX_PYTHON"], "/tmp/onnxenv/bin/python"],
                                            importing: "onnx, onnxruntime, numpy")
    public static var path: String? { python?.path }
}

/// A tensor for an ONNX case: its shape (batch first) and values.
public struct CaseTensor: Sendable {
    public var shape: [Int]
    public var values: [Float]
    public init(shape: [Int], values: [Float]) {
        self.shape = shape
        self.values = values
    }
}

/// An exported model, the inputs it is run on and what specrun computed for them, in a folder of
/// its own; `ONNXCase.run` runs many such folders in one Python process.
public struct ONNXCase {
    public var directory: URL

    /// Writes model.onnx, one raw little-endian float32 file per tensor, and case.json naming them.
    public init(directory: URL, model: [UInt8], inputs: [String: CaseTensor], expected: [String: CaseTensor]) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(model).write(to: directory.appendingPathComponent("model.onnx"))
        func save(_ tensors: [String: CaseTensor], _ prefix: String) throws -> [String: Any] {
            var listing: [String: Any] = [:]
            for (k, (name, t)) in tensors.sorted(by: { $0.key < $1.key }).enumerated() {
                let file = "\(prefix)\(k).f32"
                var bytes = Data(capacity: t.values.count * 4)
                for v in t.values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
                try bytes.write(to: directory.appendingPathComponent(file))
                listing[name] = ["file": file, "shape": t.shape]
            }
            return listing
        }
        let meta: [String: Any] = ["inputs": try save(inputs, "input"), "expected": try save(expected, "expected")]
        try JSONSerialization.data(withJSONObject: meta).write(to: directory.appendingPathComponent("case.json"))
    }

    /// What ONNX's tools said about one case.
    public struct Result: Decodable, Sendable {
        public var `case`: String
        /// "ok", or the checker's complaint.
        public var checker: String
        /// The model's output names, as ONNX Runtime lists them.
        public var names: [String]?
        public var outputs: [String: Output]?
        /// Why ONNX Runtime could not run it.
        public var error: String?

        public struct Output: Decodable, Sendable {
            /// Largest |ONNX Runtime - specrun|.
            public var abs: Double
            /// The largest |specrun| value, at least 1: `abs / scale` is the relative difference.
            public var scale: Double
            public var shape: [Int]
            /// Largest difference between the first sample run alone and the first row of the batch.
            public var batch1: Double
        }
    }

    /// Runs `onnx.checker` (full check) and ONNX Runtime on every case; results by directory path.
    public static func run(_ cases: [ONNXCase]) throws -> [String: Result] {
        guard let python = ONNXRuntimePython.python else { return [:] }
        let output = try python.run(["-c", script] + cases.map(\.directory.path))
        var results: [String: Result] = [:]
        for line in output.split(separator: "\n") {
            let result = try JSONDecoder().decode(Result.self, from: Data(line.utf8))
            results[result.case] = result
        }
        return results
    }

    static let script = """
        import json, sys
        import numpy as np, onnx, onnxruntime as ort

        def load(d, entry):
            return np.fromfile(f"{d}/{entry['file']}", dtype="<f4").reshape(entry["shape"])

        for d in sys.argv[1:]:
            meta = json.load(open(f"{d}/case.json"))
            result = {"case": d}
            try:
                onnx.checker.check_model(onnx.load(f"{d}/model.onnx"), full_check=True)
                result["checker"] = "ok"
            except Exception as e:
                result["checker"] = f"{type(e).__name__}: {e}"
            try:
                session = ort.InferenceSession(f"{d}/model.onnx", providers=["CPUExecutionProvider"])
                feeds = {name: load(d, entry) for name, entry in meta["inputs"].items()}
                names = [o.name for o in session.get_outputs()]
                result["names"] = names
                got = dict(zip(names, session.run(None, feeds)))
                first = dict(zip(names, session.run(None, {k: v[:1] for k, v in feeds.items()})))
                outputs = {}
                for name, entry in meta["expected"].items():
                    want, have = load(d, entry), got[name]
                    outputs[name] = {"abs": float(np.max(np.abs(have - want))), "scale": float(max(1.0, np.max(np.abs(want)))),
                                     "shape": list(have.shape), "batch1": float(np.max(np.abs(first[name] - have[:1])))}
                result["outputs"] = outputs
            except Exception as e:
                result["error"] = f"{type(e).__name__}: {e}"
            print(json.dumps(result), flush=True)
        """
}

/// The structure of an exported model, read back from its bytes with specrun's own decoder: what
/// can be checked without ONNX's tools.
public enum ONNXStructure {
    /// Problems with `bytes` as the export of a model with these inputs and outputs (per-sample
    /// shapes) and these weights (state-dict names): the opset, the interface's names and shapes
    /// with a dynamic batch, every weight an initializer of the same name and values, and the
    /// graph's own structural checks.
    public static func problems(_ bytes: [UInt8], inputs: [(String, [Int])], outputs: [(String, [Int])],
                                weights: [(name: String, values: [Float])]) -> [String] {
        let model: ONNXModel
        do { model = try ONNXModel(decoding: bytes) } catch { return ["does not decode: \(error)"] }
        var problems: [String] = []
        if model.irVersion != 8 || model.opsetImports != [.init(domain: "", version: 17)] {
            problems.append("IR \(model.irVersion), opsets \(model.opsetImports), not IR 8 with opset 17")
        }
        func interface(_ list: [ONNXValueInfo]) -> [String] { list.map { "\($0.name) \($0.dims)" } }
        let wanted = { (list: [(String, [Int])]) in list.map { "\($0.0) \([ONNXValueInfo.Dimension.named("batch")] + $0.1.map { .fixed($0) })" } }
        if interface(model.graph.inputs) != wanted(inputs) { problems.append("inputs \(interface(model.graph.inputs)), not \(wanted(inputs))") }
        if interface(model.graph.outputs) != wanted(outputs) { problems.append("outputs \(interface(model.graph.outputs)), not \(wanted(outputs))") }
        let initializers = Dictionary(model.graph.initializers.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for (name, values) in weights {
            guard let tensor = initializers[name] else { problems.append("no initializer \(name)"); continue }
            if tensor.elementType != .float || tensor.elementCount != values.count || tensor.floats != values {
                problems.append("initializer \(name): \(tensor.elementCount) values, not the weight's \(values.count)")
            }
        }
        return problems + model.graph.structuralProblems
    }
}

/// Values of a saved tensor moved off their initial ones, deterministically, so that a lowering
/// that ignored or swapped weights would show: running variances to 0.5 to 0.9, everything else
/// by up to 0.1 (batchnorm starts with a mean of 0, a variance and scale of 1 that hide mistakes).
public func movedOffInitialValues(_ name: String, _ values: [Float]) -> [Float] {
    values.enumerated().map { i, v in
        let wobble = Float(sin(Double(i) * 0.7 + Double(name.count)))
        return name.hasSuffix("running_var") ? 0.5 + 0.4 * abs(wobble) : v + 0.1 * wobble
    }
}
