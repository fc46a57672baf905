import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Foundation's errors as the short reason a person can act on.
///
/// Foundation on Linux describes most file failures as "The operation could not be completed.
/// (NSCocoaErrorDomain error 256.)": the real reason (the system's `Is a directory`) sits in the
/// underlying error. (Downloads go through libcurl, whose messages are plain text already.) specrun's
/// messages use this instead of `localizedDescription`, so no Foundation domain or code reaches
/// the user.
public enum SystemText {
    /// `Is a directory`, `No such file or directory`, `permission denied`, ...
    public static func reason(_ error: any Error) -> String {
        if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
        if let cocoa = error as? CocoaError {
            if let underlying = cocoa.underlying as NSError?, underlying.domain == NSPOSIXErrorDomain {
                return String(cString: strerror(Int32(truncatingIfNeeded: underlying.code)))
            }
            return reason(cocoa.code)
        }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(truncatingIfNeeded: ns.code))) }
        // Not a Foundation error: its own description, on one line and short.
        let text = String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
        return text.count > 200 ? String(text.prefix(200)) + "..." : text
    }

    private static func reason(_ code: CocoaError.Code) -> String {
        switch code {
        case .fileNoSuchFile, .fileReadNoSuchFile: "no such file or folder"
        case .fileReadNoPermission, .fileWriteNoPermission: "permission denied"
        case .fileWriteOutOfSpace: "no space left on the device"
        case .fileWriteVolumeReadOnly: "read-only file system"
        case .fileWriteFileExists: "already exists"
        case .fileReadTooLarge: "too large to read"
        case .fileReadCorruptFile, .fileReadInapplicableStringEncoding: "not readable as expected"
        default: "the file operation failed"
        }
    }
}
