import DataPipeline
import Foundation
import NN

/// A `weights.safetensors` written by `specrun train`: the state_dict, and in its metadata the
/// classes and fitted normalisation of the data it was trained on.
public struct SavedWeights {
    public let path: String
    public let file: SafeTensors

    public init(path: String) throws(RunError) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw RunError(.file, "\(path): cannot read the weights: \(error.localizedDescription)")
        }
        do { file = try SafeTensors(decoding: data) } catch { throw RunError(.file, "\(path): \(error)") }
        self.path = path
    }

    /// The data statistics the weights were trained with (nil for weights from elsewhere).
    public var dataStatistics: DataStatistics? {
        guard let text = file.metadata["specrun.data"] else { return nil }
        return try? JSON.decode(DataStatistics.self, from: Data(text.utf8))
    }

    /// The spec name the weights were trained from.
    public var specName: String? { file.metadata["specrun.spec"] }

    public func load(into model: GraphModel) throws(RunError) {
        try StateDict.load(file, into: model, source: path)
    }
}
