import Foundation
import TensorBoard

/// The run's scalars for TensorBoard, in `RUN/tensorboard/`: one event per epoch and split, at
/// step = epoch, tagged as PyTorch users name theirs (`loss/train`, `<output>/loss/validation`,
/// `<output>/accuracy/test`, and `lr` with the training split). `tensorboard --logdir runs` shows
/// every run under `<spec>/<timestamp>/tensorboard`.
final class TensorBoardLog {
    private let writer: EventFileWriter

    /// `resumedAfter`: the epoch of the checkpoint a resumed run continues from (0 for a new run);
    /// events of later epochs already in the folder are dropped, as metrics.jsonl drops its lines.
    init(run: RunDirectory, resumedAfter epoch: Int) {
        writer = EventFileWriter(folder: run.tensorboard, resumedAfter: Int64(epoch))
    }

    func append(_ results: [EpochResult]) throws(RunError) {
        let now = Date().timeIntervalSince1970
        let events = results.map { Event(wallTime: now, step: Int64($0.epoch), content: .scalars(Self.scalars($0))) }
        do { try writer.append(events) } catch { throw RunError(.file, error.description) }
    }

    /// The tags and values of one epoch's results on one split.
    static func scalars(_ result: EpochResult) -> [Event.Scalar] {
        let split = result.split
        var scalars = [Event.Scalar("loss/\(split)", Float(result.loss))]
        for head in result.heads {
            scalars.append(.init("\(head.name)/loss/\(split)", Float(head.loss)))
            for metric in head.metrics { scalars.append(.init("\(head.name)/\(metric.name)/\(split)", Float(metric.value))) }
        }
        if split == "train" { scalars.append(.init("lr", Float(result.learningRate))) }
        return scalars
    }
}
