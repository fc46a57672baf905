import DataPipeline
import Diagnostics

/// Why a run, an evaluation or a prediction stopped. The message is one line that says what and
/// where (the file, the spec location that named it, the epoch and batch); spec errors carry
/// their diagnostics for the full rendering.
public struct RunError: Error, CustomStringConvertible {
    public enum Kind: Sendable {
        /// The spec does not compile (or does not fit the data): see `diagnostics`.
        case spec
        /// Data missing, unreadable or not as the spec says.
        case data
        /// The loss became NaN or infinite.
        case divergence
        /// A file of the run (weights, checkpoint) could not be read or written.
        case file
        /// Ctrl-C.
        case interrupted
    }

    public var kind: Kind
    public var message: String
    /// For `.spec`: the file and every diagnostic, to render with `DiagnosticRenderer`.
    public var diagnostics: (file: SourceFile, list: [Diagnostic])?
    /// In a data-parallel run: whether every process stopped with this error at the same point (a
    /// divergence or stop they decided together, a failure they agreed on before training), so
    /// the job ends normally. Otherwise the process met it alone while the others wait for it, and
    /// the whole job must be ended.
    public var isShared = false
    /// Whether another process reports this shared error (only one does).
    public var isSilent = false

    public init(_ kind: Kind, _ message: String, diagnostics: (file: SourceFile, list: [Diagnostic])? = nil) {
        self.kind = kind
        self.message = message
        self.diagnostics = diagnostics
    }

    public var description: String { message }

    /// A data error with the spec location that named the data (`specs/x.yaml:7:5: `).
    static func data(_ error: DataError, file: SourceFile, range: SourceRange?) -> RunError {
        let place = range.map { file.place(of: $0) + ": " } ?? ""
        return RunError(.data, "\(place)\(error)")
    }

    static func file(_ error: FileError) -> RunError { RunError(.file, "\(error)") }
}
