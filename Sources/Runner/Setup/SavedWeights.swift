import DataPipeline
import Foundation
import NN

/// A `weights.safetensors` written by `specrun train`: the state_dict, and in its metadata the
/// classes and fitted normalisation of the data it was trained on.
public struct SavedWeights {
    public let path: String
    public let file: SafeTensors
    /// The data statistics the weights were trained with (nil for weights from elsewhere).
    public let dataStatistics: DataStatistics?

    public init(path: String) throws(RunError) {
        let data: Data
        do { data = try FileContents.read(URL(fileURLWithPath: path)) } catch {
            throw RunError(.file, "\(error)")
        }
        do { file = try SafeTensors(decoding: data) } catch { throw RunError(.file, "\(path): \(error)") }
        self.path = path
        // Metadata that is there but damaged must not quietly become "no metadata": eval would
        // then fit new classes and normalisation and report numbers for other inputs.
        if let text = file.metadata["specrun.data"] {
            let stats: DataStatistics
            do { stats = try JSON.decode(DataStatistics.self, from: Data(text.utf8)) } catch {
                throw RunError(.file, "\(path): metadata specrun.data: \(JSONProblem.describe(error))")
            }
            if let problem = stats.inconsistency { throw RunError(.file, "\(path): metadata specrun.data: \(problem)") }
            dataStatistics = stats
        } else {
            dataStatistics = nil
        }
    }

    /// The spec name the weights were trained from.
    public var specName: String? { file.metadata["specrun.spec"] }

    public func load(into model: GraphModel) throws(RunError) {
        try StateDict.load(file, into: model, source: path)
    }
}
