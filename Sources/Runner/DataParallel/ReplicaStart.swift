import DataPipeline
import Kernels
import Foundation
import NN

/// What a run builds its model and data from, resolved from the command line and the files: in a
/// data-parallel run rank 0 reads the spec (and a resumed run's settings) and sends this to the
/// others, which then need nothing on their machines but the data.
struct RunPlan: Codable {
    var specPath: String
    /// The spec's text (nil when it cannot be read: compiling then says why).
    var specText: String?
    var overrides: SpecOverrides
    var dataRoot: String
    /// A resumed run's classes and normalisation, as it fitted them.
    var fitted: DataStatistics? = nil
}

extension Replicas {
    /// Rank 0's model, optimizer and loop state on every process: rank 0 encodes them as a
    /// checkpoint, and the others read it back with every check a checkpoint gets. For a fresh run
    /// this is the initial weights (every process made the same from the same seed, and a copy
    /// keeps them from ever starting apart); for a resumed one, the checkpoint only rank 0 read.
    func broadcastState(model: GraphModel, optimizer: any Optimizer, resumed: LoopState?) throws(RunError) -> LoopState? {
        let state = resumed ?? LoopState(epoch: 0, dropoutState: model.rng.state, best: nil, bestEpoch: nil, evaluationsWithoutImprovement: 0)
        let sent = isLeader ? Checkpoint.encode(model: model, optimizer: optimizer, state: state) : []
        var files: [String: Data] = [:]
        for (i, name) in (Checkpoint.tensorFiles + ["state.json"]).enumerated() {
            files[name] = communicator.broadcast(isLeader ? sent[i].bytes : Data(), from: 0)
        }
        guard !isLeader else { return resumed }
        let epoch = (try? JSON.decode(LoopState.self, from: files["state.json"]!))?.epoch ?? -1
        let received = try Checkpoint.decode(epoch: epoch, model: model, optimizer: optimizer,
                                             from: URL(fileURLWithPath: "(rank 0's state)")) { name throws(RunError) in files[name]! }
        model.rng = RandomGenerator(state: received.dropoutState)
        return received.epoch > 0 ? received : nil
    }
}

extension Optional where Wrapped == Replicas {
    /// `body`'s value, computed by rank 0 and sent to every process; a failure there stops every
    /// process (rank 0 reports it). Without replicas, `body`'s value.
    func fromLeader<T: Codable>(_ body: () throws(RunError) -> T) throws(RunError) -> T {
        guard let replicas = self else { return try body() }
        var value: T?
        var failure: RunError?
        if replicas.isLeader {
            do throws(RunError) { value = try body() } catch { failure = error }
        }
        let data = replicas.communicator.broadcast(value.map { JSON.encode($0, pretty: false) } ?? Data(), from: 0)
        if var failure {
            failure.isShared = true
            throw failure
        }
        if let value { return value }
        guard !data.isEmpty, let received = try? JSON.decode(T.self, from: data) else {
            var error = RunError(.file, "rank 0 could not start the run; see its message")
            error.isShared = true
            error.isSilent = true
            throw error
        }
        return received
    }

    /// `body`'s value on every process, or, when it failed on any, an error on all of them (see
    /// `Replicas.agree`). Without replicas, `body`'s value.
    func agree<T>(_ body: () throws(RunError) -> T) throws(RunError) -> T {
        guard let replicas = self else { return try body() }
        return try replicas.agree(body)
    }
}
