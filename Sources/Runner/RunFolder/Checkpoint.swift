import Diagnostics
import Autograd
import DataPipeline
import Datasets
import Foundation
import NN

/// The loop's own state at the end of an epoch, saved with each checkpoint so that `--resume`
/// continues bit for bit: the shuffling order of epoch k derives from (seed, k) and needs nothing.
struct LoopState: Codable, Equatable {
    /// Epochs completed.
    var epoch: Int
    /// The model's dropout generator.
    var dropoutState: [UInt64]
    /// Early stopping: the best value of the watched metric so far, its epoch, and how many
    /// evaluations since then did not improve on it.
    var best: Double?
    var bestEpoch: Int?
    var evaluationsWithoutImprovement: Int
    /// CRC-32 of each tensor file of the checkpoint (`model.safetensors`, `optimizer.safetensors`),
    /// so that resuming notices a damaged file instead of continuing with other weights. Absent in
    /// checkpoints written before checksums were kept.
    var checksums: [String: String]? = nil

    /// Why this state cannot be continued from, or nil; `epoch` is the one its folder names.
    func inconsistency(folderEpoch: Int) -> String? {
        if epoch != folderEpoch { return "epoch is \(epoch), the folder says \(folderEpoch)" }
        if dropoutState.count != 4 || dropoutState.allSatisfy({ $0 == 0 }) {
            return "dropout_state must be four numbers, not all zero"
        }
        if evaluationsWithoutImprovement < 0 { return "evaluations_without_improvement is \(evaluationsWithoutImprovement)" }
        if let best, !best.isFinite { return "best is \(best)" }
        if let bestEpoch, !(bestEpoch >= 1 && bestEpoch <= epoch) { return "best_epoch is \(bestEpoch), outside 1...\(epoch)" }
        return nil
    }
}

/// A checkpoint: `checkpoints/epoch-NNNN/` with `model.safetensors` (the state_dict),
/// `optimizer.safetensors` (its state tensors; algorithm and scalars in the metadata) and
/// `state.json` (the loop, and the checksums of the two tensor files). Written into a temporary
/// folder and renamed into place, so a checkpoint folder is either complete or absent; resuming
/// still checks, since a folder can be damaged or made by hand afterwards.
enum Checkpoint {
    static let tensorFiles = ["model.safetensors", "optimizer.safetensors"]

    static func write(model: GraphModel, optimizer: any Optimizer, state: LoopState, in run: RunDirectory) throws(RunError) {
        let final = run.checkpoints.appendingPathComponent(folderName(epoch: state.epoch))
        let temporary = run.checkpoints.appendingPathComponent(".tmp-" + final.lastPathComponent)
        let fm = FileManager.default
        do {
            try? fm.removeItem(at: temporary)
            try fm.createDirectory(at: temporary, withIntermediateDirectories: true)
        } catch {
            throw RunError(.file, "\(temporary.path): cannot create the checkpoint folder: \(SystemText.reason(error))")
        }
        for (name, bytes) in encode(model: model, optimizer: optimizer, state: state) {
            try run.write(bytes, to: temporary.appendingPathComponent(name))
        }
        try? fm.removeItem(at: final)
        guard rename(temporary.path, final.path) == 0 else {
            throw RunError(.file, "\(final.path): cannot move the checkpoint into place: \(String(cString: strerror(errno)))")
        }
    }

    /// The checkpoint's files: `tensorFiles`, then state.json with their checksums.
    static func encode(model: GraphModel, optimizer: any Optimizer, state: LoopState) -> [(name: String, bytes: Data)] {
        let optimizerState = optimizer.exportState()
        let optimizerFile = SafeTensors(
            entries: optimizerState.tensors.keys.sorted().map { key in
                let t = optimizerState.tensors[key]!
                return SafeTensors.Entry(name: key, shape: t.shape.dims, floats: t.values)
            },
            metadata: ["algorithm": optimizerState.algorithm,
                       "scalars": String(decoding: JSON.encode(optimizerState.scalars, pretty: false), as: UTF8.self)])
        let files = [SafeTensors(entries: StateDict.entries(of: model), metadata: ["format": "pt"]).encoded(), optimizerFile.encoded()]
        var state = state
        state.checksums = Dictionary(uniqueKeysWithValues: zip(tensorFiles, files.map(checksum)))
        return Array(zip(tensorFiles, files)) + [("state.json", JSON.encode(state))]
    }

    static func folderName(epoch: Int) -> String { String(format: "epoch-%04d", epoch) }

    /// The checkpoint folders of a run, newest first, with the epoch each name says (epoch-0000
    /// holds the initial state); other names (a temporary folder, a stray file) are not checkpoints.
    static func folders(in run: RunDirectory) -> [(url: URL, epoch: Int)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: run.checkpoints.path)) ?? []
        return names.compactMap { name -> (URL, Int)? in
            guard name.hasPrefix("epoch-"), let epoch = Int(name.dropFirst(6)), epoch >= 0, name == folderName(epoch: epoch) else { return nil }
            return (run.checkpoints.appendingPathComponent(name), epoch)
        }.sorted { $0.1 > $1.1 }
    }

    /// Removes the checkpoints whose epoch `keep` refuses. Each is first renamed out of the
    /// checkpoint names, so that a crash half-way through deleting one leaves no damaged folder
    /// that looks like a checkpoint.
    static func prune(in run: RunDirectory, keeping keep: (Int) -> Bool) {
        for folder in folders(in: run) where !keep(folder.epoch) {
            let doomed = run.checkpoints.appendingPathComponent(".old-" + folder.url.lastPathComponent)
            try? FileManager.default.removeItem(at: doomed)
            guard rename(folder.url.path, doomed.path) == 0 else { continue }
            try? FileManager.default.removeItem(at: doomed)
        }
    }

    /// The newest checkpoint folder that has all its files, for messages (`--resume` verifies).
    static func latest(in run: RunDirectory) -> URL? {
        folders(in: run).first { folder in
            (tensorFiles + ["state.json"]).allSatisfy { FileManager.default.fileExists(atPath: folder.url.appendingPathComponent($0).path) }
        }?.url
    }

    /// Restores model, optimizer and loop state from the newest checkpoint that is complete and
    /// verified, and says which newer ones were passed over and why.
    static func restoreLatest(in run: RunDirectory, model: GraphModel, optimizer: any Optimizer) throws(RunError) -> (state: LoopState, notes: [String]) {
        let candidates = folders(in: run)
        guard !candidates.isEmpty else { throw RunError(.file, "\(run.url.path): has no checkpoint to resume from") }
        var skipped: [String] = []
        for candidate in candidates {
            do {
                let state = try read(candidate.url, epoch: candidate.epoch, model: model, optimizer: optimizer)
                let notes = skipped.map { "note: skipped checkpoint \($0); resuming from \(candidate.url.lastPathComponent)" }
                return (state, notes)
            } catch {
                skipped.append("\(candidate.url.lastPathComponent) (\(error.message.replacingOccurrences(of: candidate.url.path + "/", with: "")))")
            }
        }
        let reasons = skipped.prefix(2).joined(separator: "; ") + (skipped.count > 2 ? "; and \(skipped.count - 2) more" : "")
        throw RunError(.file, "\(run.url.path): no complete, verified checkpoint to resume from: \(reasons)")
    }

    /// Restores model, optimizer and loop state from a checkpoint folder, after checking every file:
    /// the tensor files against the checksums in state.json, the loop state against its folder, the
    /// tensors against the model and the optimizer. On error the optimizer is unchanged; the model
    /// may hold part of the checkpoint (an older one restored afterwards replaces all of it).
    static func read(_ folder: URL, epoch: Int, model: GraphModel, optimizer: any Optimizer) throws(RunError) -> LoopState {
        try decode(epoch: epoch, model: model, optimizer: optimizer, from: folder) { name throws(RunError) in
            do { return try FileContents.read(folder.appendingPathComponent(name)) } catch { throw RunError(.file, "\(error)") }
        }
    }

    /// `read` over files that `bytes` gives by name; messages name them as in `folder`.
    static func decode(epoch: Int, model: GraphModel, optimizer: any Optimizer, from folder: URL,
                       bytes: (String) throws(RunError) -> Data) throws(RunError) -> LoopState {
        let statePath = folder.appendingPathComponent("state.json").path
        let state: LoopState
        do { state = try JSON.decode(LoopState.self, from: try bytes("state.json")) } catch let error as RunError { throw error } catch {
            throw RunError(.file, "\(statePath): \(JSONProblem.describe(error))")
        }
        if let problem = state.inconsistency(folderEpoch: epoch) { throw RunError(.file, "\(statePath): \(problem)") }
        var files: [String: SafeTensors] = [:]
        for name in tensorFiles {
            let data = try bytes(name)
            let path = folder.appendingPathComponent(name).path
            if let expected = state.checksums?[name], checksum(data) != expected {
                throw RunError(.file, "\(path): checksum \(checksum(data)) does not match \(excerpt(expected)) in state.json: the file is damaged")
            }
            do { files[name] = try SafeTensors(decoding: data) } catch { throw RunError(.file, "\(path): \(error)") }
        }
        try StateDict.load(files["model.safetensors"]!, into: model, source: folder.appendingPathComponent("model.safetensors").path)
        let file = files["optimizer.safetensors"]!
        var stateTensors: [String: Tensor] = [:]
        for e in file.entries {
            guard let values = e.floats else {
                throw RunError(.file, "\(folder.appendingPathComponent("optimizer.safetensors").path): \(excerpt(e.name)) is \(e.dtype.rawValue), optimizer state is F32")
            }
            stateTensors[e.name] = Tensor(shape: Shape(e.shape), values: values)
        }
        guard let scalars = try? JSON.decode([String: Double].self, from: Data((file.metadata["scalars"] ?? "").utf8)) else {
            throw RunError(.file, "\(folder.appendingPathComponent("optimizer.safetensors").path): metadata `scalars` is not a JSON object of numbers")
        }
        do {
            try optimizer.importState(OptimizerState(algorithm: file.metadata["algorithm"] ?? "", tensors: stateTensors, scalars: scalars))
        } catch {
            throw RunError(.file, "\(folder.path): \(error)")
        }
        return state
    }

    /// `crc32:` and eight hex digits.
    static func checksum(_ data: Data) -> String {
        var crc = CRC32()
        data.withUnsafeBytes { crc.update($0) }
        let hex = String(crc.value, radix: 16)
        return "crc32:" + String(repeating: "0", count: 8 - hex.count) + hex
    }
}
