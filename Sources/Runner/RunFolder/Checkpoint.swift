import Autograd
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
}

/// A checkpoint: `checkpoints/epoch-NNNN/` with `model.safetensors` (the state_dict),
/// `optimizer.safetensors` (its state tensors; algorithm and scalars in the metadata) and
/// `state.json` (the loop). Written into a temporary folder and renamed into place, so a
/// checkpoint folder is either complete or absent.
enum Checkpoint {
    static func write(model: GraphModel, optimizer: any Optimizer, state: LoopState, in run: RunDirectory) throws(RunError) {
        let final = run.checkpoints.appendingPathComponent(String(format: "epoch-%04d", state.epoch))
        let temporary = run.checkpoints.appendingPathComponent(".tmp-" + final.lastPathComponent)
        let fm = FileManager.default
        do {
            try? fm.removeItem(at: temporary)
            try fm.createDirectory(at: temporary, withIntermediateDirectories: true)
        } catch {
            throw RunError(.file, "\(temporary.path): cannot create the checkpoint folder: \(error.localizedDescription)")
        }
        let optimizerState = optimizer.exportState()
        let optimizerFile = SafeTensors(
            entries: optimizerState.tensors.keys.sorted().map { key in
                let t = optimizerState.tensors[key]!
                return SafeTensors.Entry(name: key, shape: t.shape.dims, floats: t.values)
            },
            metadata: ["algorithm": optimizerState.algorithm,
                       "scalars": String(decoding: JSON.encode(optimizerState.scalars, pretty: false), as: UTF8.self)])
        try run.write(SafeTensors(entries: StateDict.entries(of: model), metadata: ["format": "pt"]).encoded(),
                      to: temporary.appendingPathComponent("model.safetensors"))
        try run.write(optimizerFile.encoded(), to: temporary.appendingPathComponent("optimizer.safetensors"))
        try run.write(JSON.encode(state), to: temporary.appendingPathComponent("state.json"))
        try? fm.removeItem(at: final)
        guard rename(temporary.path, final.path) == 0 else {
            throw RunError(.file, "\(final.path): cannot move the checkpoint into place: \(String(cString: strerror(errno)))")
        }
    }

    /// The newest complete checkpoint of a run, if any.
    static func latest(in run: RunDirectory) -> URL? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: run.checkpoints.path)) ?? []
        return names.filter { $0.hasPrefix("epoch-") }.sorted().last.map { run.checkpoints.appendingPathComponent($0) }
    }

    /// Restores model, optimizer and loop state from a checkpoint folder.
    static func read(_ folder: URL, model: GraphModel, optimizer: any Optimizer) throws(RunError) -> LoopState {
        func data(_ name: String) throws(RunError) -> Data {
            do { return try Data(contentsOf: folder.appendingPathComponent(name)) } catch {
                throw RunError(.file, "\(folder.appendingPathComponent(name).path): cannot read: \(error.localizedDescription)")
            }
        }
        func tensors(_ name: String) throws(RunError) -> SafeTensors {
            do { return try SafeTensors(decoding: try data(name)) } catch let error as SafeTensorsError {
                throw RunError(.file, "\(folder.appendingPathComponent(name).path): \(error)")
            } catch let error as RunError { throw error } catch { throw RunError(.file, "\(error)") }
        }
        try StateDict.load(try tensors("model.safetensors"), into: model, source: folder.appendingPathComponent("model.safetensors").path)
        let file = try tensors("optimizer.safetensors")
        var stateTensors: [String: Tensor] = [:]
        for e in file.entries { stateTensors[e.name] = Tensor(shape: Shape(e.shape), values: e.floats ?? []) }
        let scalars = (try? JSON.decode([String: Double].self, from: Data((file.metadata["scalars"] ?? "{}").utf8))) ?? [:]
        do {
            try optimizer.importState(OptimizerState(algorithm: file.metadata["algorithm"] ?? "", tensors: stateTensors, scalars: scalars))
        } catch {
            throw RunError(.file, "\(folder.path): \(error)")
        }
        do {
            return try JSON.decode(LoopState.self, from: try data("state.json"))
        } catch let error as RunError { throw error } catch {
            throw RunError(.file, "\(folder.appendingPathComponent("state.json").path): \(error)")
        }
    }
}
