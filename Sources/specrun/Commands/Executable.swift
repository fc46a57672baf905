import Foundation

/// Programs named on the command line, found the way a shell finds them.
enum Executable {
    /// `name` itself when it contains a `/`, else the first executable `name` in the folders of
    /// `PATH`; nil when there is none.
    static func find(_ name: String, path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        let manager = FileManager.default
        if name.contains("/") { return manager.isExecutableFile(atPath: name) ? name : nil }
        for folder in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (folder.isEmpty ? "." : String(folder)) + "/" + name
            var isFolder: ObjCBool = false
            if manager.fileExists(atPath: candidate, isDirectory: &isFolder), !isFolder.boolValue, manager.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        return nil
    }
}
