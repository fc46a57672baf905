import Foundation
import Runner
import TensorBoard
import TestSupport
import Testing

/// A run's TensorBoard event files hold every scalar of metrics.jsonl, once, under the tags
/// PyTorch users expect, also after a resume that trains epochs again; and, where tensorboard is
/// installed, TensorBoard's own reader says the same.
@Suite(.serialized) struct TensorBoardLogTests {
    /// `(tag, step)` -> float32 bits, as metrics.jsonl says they should be.
    static func expectedScalars(_ run: URL) throws -> [Key: UInt32] {
        var expected: [Key: UInt32] = [:]
        func number(_ any: Any?) -> Float {
            if let d = any as? Double { return Float(d) }
            return Float(any as? String ?? "") ?? .nan  // "nan", "inf", "-inf"
        }
        let text = try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        for line in text.split(separator: "\n") {
            let row = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let epoch = row["epoch"] as! Int, split = row["split"] as! String
            expected[Key("loss/\(split)", epoch)] = number(row["loss"]).bitPattern
            for (head, values) in row["outputs"] as! [String: [String: Any]] {
                for (name, value) in values { expected[Key("\(head)/\(name)/\(split)", epoch)] = number(value).bitPattern }
            }
            if split == "train" { expected[Key("lr", epoch)] = number(row["lr"]).bitPattern }
        }
        return expected
    }

    struct Key: Hashable, CustomStringConvertible {
        var tag: String
        var step: Int
        init(_ tag: String, _ step: Int) { self.tag = tag; self.step = step }
        var description: String { "\(tag)@\(step)" }
    }

    /// Every scalar in a folder's event files, read with specrun's own reader; a (tag, step)
    /// written twice is a failure.
    static func writtenScalars(_ folder: URL) throws -> [Key: UInt32] {
        var found: [Key: UInt32] = [:]
        for name in EventFileWriter.eventFiles(in: folder) {
            let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
            let (records, good, problem) = TFRecord.records(in: bytes)
            #expect(good == bytes.count, "\(name): \(problem ?? "")")
            for record in records {
                guard let event = try Event(decoding: record), case .scalars(let scalars) = event.content else { continue }
                for s in scalars {
                    let key = Key(s.tag, Int(event.step))
                    #expect(found[key] == nil, "\(key) written twice")
                    found[key] = s.value.bitPattern
                }
            }
        }
        return found
    }

    /// A two-epoch-checkpoint water_bn run of four epochs whose last checkpoint was lost, as if it
    /// crashed after epoch 4's metrics were written: resuming trains epochs 3 and 4 again.
    /// Returns the run folder and a copy of its event files from before the resume.
    static func crashedAndResumedRun(_ root: FixtureRoot) throws -> (run: URL, before: URL) {
        let base = temporaryFolder("tensorboard")
        let spec = base.appendingPathComponent("water_bn.yaml")
        try String(contentsOfFile: shippedSpec("water_bn"), encoding: .utf8)
            .replacingOccurrences(of: "train: {epochs: 10}", with: "train: {epochs: 4, checkpoint_every: 2}")
            .write(to: spec, atomically: true, encoding: .utf8)
        let run = base.appendingPathComponent("run")
        var options = TrainSession.Options(specPath: spec.path)
        options.dataRoot = root.path
        options.out = run.path
        options.overrides = SpecOverrides(batchSize: 16)
        _ = try TrainSession.run(options, reporter: RecordingReporter())
        try FileManager.default.removeItem(at: run.appendingPathComponent("checkpoints/epoch-0004"))
        let before = base.appendingPathComponent("before")
        try FileManager.default.copyItem(at: run.appendingPathComponent("tensorboard"), to: before)

        var resume = TrainSession.Options()
        resume.resume = run.path
        _ = try TrainSession.run(resume, reporter: RecordingReporter())
        return (run, before)
    }

    @Test func eventFilesHoldEveryScalarOfMetricsOnceAfterAResume() throws {
        let root = try FixtureRoot()
        defer { root.remove() }
        let (run, before) = try Self.crashedAndResumedRun(root)
        defer { try? FileManager.default.removeItem(at: run.deletingLastPathComponent()) }

        let expected = try Self.expectedScalars(run)
        #expect(Set(expected.keys.map(\.tag)) == ["loss/train", "loss/test", "potability/loss/train", "potability/loss/test",
                                                  "potability/accuracy/train", "potability/accuracy/test",
                                                  "potability/f1/train", "potability/f1/test", "lr"])
        #expect(Set(expected.keys.map(\.step)) == [1, 2, 3, 4])
        #expect(try Self.writtenScalars(run.appendingPathComponent("tensorboard")) == expected)
        // Before the resume the folder held epochs 3 and 4 of the first attempt; the resume kept
        // that file's epochs 1 and 2 and wrote the rest in a second file that starts the session again.
        #expect(EventFileWriter.eventFiles(in: before).count == 1)
        #expect(EventFileWriter.eventFiles(in: run.appendingPathComponent("tensorboard")).count == 2)
    }

    @Test(.enabled(if: TensorBoardPython.python != nil)) func tensorBoardReadsEveryScalarBackExactly() throws {
        let root = try FixtureRoot()
        defer { root.remove() }
        let (run, before) = try Self.crashedAndResumedRun(root)
        defer { try? FileManager.default.removeItem(at: run.deletingLastPathComponent()) }
        let expected = try Self.expectedScalars(run)

        // As a TensorBoard that had loaded the first attempt's whole file before the resume sees it:
        // that file untrimmed, then the new one, whose SessionLog.START drops steps 3 and 4.
        let live = run.deletingLastPathComponent().appendingPathComponent("live")
        try FileManager.default.copyItem(at: before, to: live)
        let newFile = EventFileWriter.eventFiles(in: run.appendingPathComponent("tensorboard")).last!
        try FileManager.default.copyItem(at: run.appendingPathComponent("tensorboard/\(newFile)"), to: live.appendingPathComponent(newFile))

        let folders = [run.appendingPathComponent("tensorboard").path, live.path]
        let script = repositoryRoot.appendingPathComponent("tools/tensorboard/read_scalars.py").path
        let output = try TensorBoardPython.python!.run([script] + folders)
        let read = try JSONSerialization.jsonObject(with: Data(output.utf8)) as! [String: [String: [[Int]]]]
        for folder in folders {
            var found: [Key: UInt32] = [:]
            for (tag, points) in read[folder] ?? [:] {
                #expect(points.map { $0[0] } == points.map { $0[0] }.sorted() && Set(points.map { $0[0] }).count == points.count,
                        "\(tag): steps \(points.map { $0[0] }) in \(folder)")
                for p in points { found[Key(tag, p[0])] = UInt32(p[1]) }
            }
            #expect(found == expected, "\(folder)")
        }
    }
}
