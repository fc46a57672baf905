import Foundation

/// A Python interpreter with the modules an interop test needs; such tests run only where one exists.
public struct Python: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// The first candidate that runs and imports `modules` (`"torch, safetensors"`), if any.
    public static func first(of candidates: [String?], importing modules: String) -> Python? {
        candidates.compactMap { $0 }.lazy.map { Python(path: $0) }.first { python in
            FileManager.default.isExecutableFile(atPath: python.path) && (try? python.run(["-c", "import \(modules)"])) != nil
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var status: Int32
        public var stderr: String
        public var description: String { "python exited with \(status): \(stderr)" }
    }

    /// Runs it with these arguments: its standard output, or `Failure` with its standard error.
    public func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes before waiting, so a large output cannot block the child.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(status: process.terminationStatus, stderr: String(decoding: stderr, as: UTF8.self))
        }
        return String(decoding: stdout, as: UTF8.self)
    }
}

/// torch and safetensors: SPECRUN_TORCH_PYTHON, else /tmp/torchenv/bin/python.
public enum TorchPython {
    public static let python = Python.first(of: [ProcessInfo.processInfo.environment["SPECRUN_TORCH_PYTHON"], "/tmp/torchenv/bin/python"],
                                            importing: "torch, safetensors")
    public static var path: String? { python?.path }
    /// Runs a script given as text.
    public static func run(_ script: String) throws -> String { try python!.run(["-c", script]) }
    /// Runs with these arguments.
    public static func run(_ arguments: [String]) throws -> String { try python!.run(arguments) }
}

/// tensorboard: SPECRUN_TENSORBOARD_PYTHON, else /tmp/tbenv/bin/python, else python3 on PATH.
public enum TensorBoardPython {
    public static let python: Python? = {
        let onPath = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/python3" }
        return Python.first(of: [ProcessInfo.processInfo.environment["SPECRUN_TENSORBOARD_PYTHON"], "/tmp/tbenv/bin/python"] + onPath,
                            importing: "tensorboard")
    }()
}

/// torch with torchvision (`pip install --no-deps torchvision==0.28.0` beside torch 2.13):
/// SPECRUN_TORCH_PYTHON, else /tmp/torchenv/bin/python. PyPI's torchvision is built for CUDA, so
/// the check imports it as tools/goldens/augment.py does, with its compiled operators stubbed out.
public enum TorchvisionPython {
    public static let path: String? = {
        let stub = "import sys, types\nfor n in ('torchvision._meta_registrations', 'torchvision._autograd_registrations'): "
            + "sys.modules.setdefault(n, types.ModuleType(n))\nimport torchvision.transforms.v2"
        return [ProcessInfo.processInfo.environment["SPECRUN_TORCH_PYTHON"], "/tmp/torchenv/bin/python"].compactMap { $0 }.first { path in
            FileManager.default.isExecutableFile(atPath: path) && (try? Python(path: path).run(["-c", stub])) != nil
        }
    }()
}
