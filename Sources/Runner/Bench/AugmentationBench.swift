import DataPipeline
import Foundation
import Kernels

/// `specrun bench --augmentation`: how fast the data pipeline assembles augmented training
/// batches of a spec's images (decoded and cached first, as after the first epoch), against
/// torchvision.transforms.v2 applying the same transforms to the same images one at a time, as a
/// DataLoader worker does (one thread per worker).
public enum AugmentationBench {
    public struct Report: Codable {
        public var spec: String
        public var images: Int
        /// `[channels, height, width]`.
        public var shape: [Int]
        public var transforms: [String]
        public var threads: Int
        public var rounds: Int
        /// Assembling augmented batches (copy, transforms, normalisation).
        public var imagesPerS: Double
        /// The same batches without augmentation (copy and normalisation only).
        public var plainImagesPerS: Double
        public var torchvision: String?
        /// torchvision's Compose of the same transforms, one image at a time, on one thread.
        public var torchImagesPerS: Double?
        public var torchCompose: String?
    }

    /// Times `rounds` epochs of the training split's augmented batches (of the spec with `settings`, `--set`).
    public static func run(specPath: String, dataRoot: String, torchPython: String?, rounds: Int = 5, settings: [String] = []) throws(RunError) -> Report {
        let prepared = try PreparedModel.prepare(path: specPath, overrides: SpecOverrides(settings: settings), dataRoot: dataRoot)
        let dataset = prepared.data.dataset
        guard let image = dataset.fields.first(where: { $0.shape.count == 3 }), !dataset.config.augmentation.isEmpty else {
            throw RunError(.spec, "\(specPath): --augmentation needs a spec with an image field and `data.augment`")
        }
        let train = dataset.splits.train, batchSize = prepared.spec.data.batchSize
        let batches = stride(from: 0, to: train.count, by: batchSize).map { Array(train[$0..<min($0 + batchSize, train.count)]) }
        func epochs(augment: Bool) throws(RunError) -> Double {
            let started = MonotonicClock.seconds()
            for round in 0..<rounds {
                for batch in batches {
                    do { _ = try dataset.batch(batch, augmentation: augment ? AugmentationDraw(seed: 0, epoch: round) : nil) } catch {
                        throw prepared.data.error(error)
                    }
                }
            }
            return Double(train.count * rounds) / (MonotonicClock.seconds() - started)
        }
        _ = try epochs(augment: true)  // warm-up: the buffer pool, the caches
        var report = Report(spec: prepared.spec.name, images: train.count, shape: image.shape,
                            transforms: prepared.spec.data.augment.map(\.name), threads: Parallel.threadCount, rounds: rounds,
                            imagesPerS: try epochs(augment: true), plainImagesPerS: try epochs(augment: false))
        guard let python = torchPython else { return report }

        // The same images (as the model would get them without augmentation) for torchvision.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("specrun-augment-bench-\(getpid())")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let values: [Float]
        do { values = try dataset.batch(train)[image.name]!.floats!.array } catch { throw prepared.data.error(error) }
        let file = folder.appendingPathComponent("images.f32")
        let compose = "v2.Compose([" + dataset.config.augmentation.map { $0.torchvision(height: image.shape[1], width: image.shape[2]) }
            .joined(separator: ", ") + "])"
        do {
            try values.withUnsafeBytes { try Data($0).write(to: file) }
            let arguments = String(decoding: try JSONSerialization.data(withJSONObject: [
                "file": file.path, "shape": [train.count] + image.shape, "rounds": rounds, "compose": compose,
            ]), as: UTF8.self)
            let output = try runPython(python, script: script, arguments: [arguments])
            guard let line = output.split(separator: "\n").last,
                  let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw RunError(.file, "torchvision printed no result: \(output.suffix(300))")
            }
            report.torchvision = object["torchvision"] as? String
            report.torchImagesPerS = object["images_per_s"] as? Double
            report.torchCompose = compose
        } catch let error as RunError {
            throw error
        } catch {
            throw RunError(.file, "\(python): \(error)")
        }
        return report
    }

    /// Runs `script` with `python`, returning what it printed; an exit other than 0 is an error
    /// with the end of its error output.
    private static func runPython(_ python: String, script: String, arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile(), errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw RunError(.file, "\(python) failed: " + String(decoding: errors, as: UTF8.self).split(separator: "\n").suffix(3).joined(separator: " | "))
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The torchvision side. PyPI's torchvision wheel is built for CUDA: beside a CPU torch its
    /// compiled extension (detection operators, unused by the transforms) cannot load, so the two
    /// modules that register its operators are stubbed out before the import.
    static let script = #"""
        import json, sys, time, types
        for name in ("torchvision._meta_registrations", "torchvision._autograd_registrations"):
            sys.modules.setdefault(name, types.ModuleType(name))
        import numpy as np
        import torch
        import torchvision
        from torchvision.transforms import v2
        torch.set_num_threads(1)
        torch.manual_seed(0)
        args = json.loads(sys.argv[1])
        images = list(torch.from_numpy(np.fromfile(args["file"], dtype=np.float32).reshape(args["shape"])))
        compose = eval(args["compose"])
        for image in images[:64]:
            compose(image)
        start = time.perf_counter()
        for _ in range(args["rounds"]):
            for image in images:
                compose(image)
        seconds = time.perf_counter() - start
        print(json.dumps({"torchvision": torchvision.__version__, "images_per_s": len(images) * args["rounds"] / seconds}))
        """#
}

extension ImageTransform {
    /// The torchvision.transforms.v2 transform with these parameters, as Python source.
    func torchvision(height: Int, width: Int) -> String {
        func list(_ values: [Double]) -> String { "[" + values.map { "\($0)" }.joined(separator: ", ") + "]" }
        func fill(_ values: [Float]) -> String { values.count == 1 ? "\(values[0])" : "[" + values.map { "\($0)" }.joined(separator: ", ") + "]" }
        func mode(_ i: Interpolation) -> String { "v2.InterpolationMode.\(i == .nearest ? "NEAREST" : "BILINEAR")" }
        func range(_ values: [Double]?) -> String { values.map(list) ?? "None" }
        switch self {
        case .randomCrop(let c):
            return "v2.RandomCrop(size=(\(height), \(width)), padding=\(c.padding), fill=\(fill(c.fill)), padding_mode='\(c.mode.rawValue)')"
        case .horizontalFlip(let p): return "v2.RandomHorizontalFlip(p=\(p))"
        case .verticalFlip(let p): return "v2.RandomVerticalFlip(p=\(p))"
        case .randomRotation(let r):
            return "v2.RandomRotation(degrees=\(list(r.degrees)), interpolation=\(mode(r.interpolation)), fill=\(fill(r.fill)))"
        case .randomAffine(let a):
            return "v2.RandomAffine(degrees=\(list(a.degrees)), translate=\(range(a.translate)), scale=\(range(a.scale)), "
                + "shear=\(range(a.shear)), interpolation=\(mode(a.interpolation)), fill=\(fill(a.fill)))"
        case .colorJitter(let j):
            return "v2.ColorJitter(brightness=\(range(j.brightness)), contrast=\(range(j.contrast)), saturation=\(range(j.saturation)))"
        case .randomErasing(let e):
            return "v2.RandomErasing(p=\(e.p), scale=\(list(e.scale)), ratio=\(list(e.ratio)), value=\(fill(e.value)))"
        }
    }
}
