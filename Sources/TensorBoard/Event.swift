import ProtobufWire

/// One record of an event file, the subset of TensorFlow's `Event` message that scalar logs use.
/// Field numbers are those of tensorflow/core/util/event.proto and framework/summary.proto.
public struct Event: Sendable, Equatable {
    public enum Content: Sendable, Equatable {
        /// The first record of every file: the format version, `brain.Event:2`.
        case fileVersion(String)
        /// Scalar summaries: `(tag, value)` pairs, stored as `simple_value` (a float).
        case scalars([Scalar])
        /// `SessionLog.START`: a restart. Readers drop what they hold at this step and after it,
        /// which is how a run resumed from a checkpoint replaces the epochs it trains again.
        case sessionStart
    }

    public struct Scalar: Sendable, Equatable {
        public var tag: String
        public var value: Float
        public init(_ tag: String, _ value: Float) {
            self.tag = tag
            self.value = value
        }
    }

    /// Seconds since 1970.
    public var wallTime: Double
    public var step: Int64
    public var content: Content

    public init(wallTime: Double, step: Int64, content: Content) {
        self.wallTime = wallTime
        self.step = step
        self.content = content
    }

    /// `brain.Event:2`: version 2 tells readers to purge on `SessionLog.START` rather than on any
    /// step that goes backwards.
    public static let fileVersion = "brain.Event:2"

    // event.proto: Event
    private enum Field {
        static let wallTime = 1, step = 2, fileVersion = 3, summary = 5, sessionLog = 7
        // summary.proto: Summary.value, Summary.Value.tag and .simple_value
        static let summaryValue = 1, tag = 1, simpleValue = 2
        // event.proto: SessionLog.status, and its START value
        static let status = 1, start: Int32 = 1
    }

    /// The serialized message.
    public func encoded() -> [UInt8] {
        var w = ProtobufWriter()
        w.double(Field.wallTime, wallTime)
        w.int64(Field.step, step)
        switch content {
        case .fileVersion(let version):
            w.string(Field.fileVersion, version)
        case .scalars(let scalars):
            w.message(Field.summary) { summary in
                for s in scalars {
                    summary.message(Field.summaryValue) { value in
                        value.string(Field.tag, s.tag)
                        value.float(Field.simpleValue, s.value)
                    }
                }
            }
        case .sessionStart:
            w.message(Field.sessionLog) { $0.int32(Field.status, Field.start) }
        }
        return w.bytes
    }

    /// The step of an encoded event of any kind, without decoding the rest.
    public static func step(of bytes: [UInt8]) throws(ProtobufError) -> Int64 {
        var reader = ProtobufReader(bytes)
        var step: Int64 = 0
        for field in try reader.fields() where field.number == Field.step { step = field.value.int64 ?? 0 }
        return step
    }

    /// Reads back an event this type wrote; nil for any other kind of event.
    public init?(decoding bytes: [UInt8]) throws(ProtobufError) {
        var reader = ProtobufReader(bytes)
        var wallTime = 0.0, step: Int64 = 0
        var content: Content?
        while let field = try reader.next() {
            switch field.number {
            case Field.wallTime: wallTime = field.value.double ?? 0
            case Field.step: step = field.value.int64 ?? 0
            case Field.fileVersion: content = field.value.string.map(Content.fileVersion)
            case Field.summary:
                var scalars: [Scalar] = []
                var summary = ProtobufReader(field.value.bytes ?? [])
                for value in try summary.fields() where value.number == Field.summaryValue {
                    var inner = ProtobufReader(value.value.bytes ?? [])
                    let fields = try inner.fields()
                    if let tag = fields.last(where: { $0.number == Field.tag })?.value.string,
                       let number = fields.last(where: { $0.number == Field.simpleValue })?.value.float {
                        scalars.append(Scalar(tag, number))
                    }
                }
                content = .scalars(scalars)
            case Field.sessionLog:
                var log = ProtobufReader(field.value.bytes ?? [])
                if try log.fields().contains(where: { $0.number == Field.status && $0.value.int64 == Int64(Field.start) }) {
                    content = .sessionStart
                }
            default: break
            }
        }
        guard let content else { return nil }
        self.init(wallTime: wallTime, step: step, content: content)
    }
}
