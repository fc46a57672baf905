/// The images under a folder whose directory levels are labels, found in sorted order.
///
/// Classes of level k are the distinct paths of the first k + 1 directories, numbered in the
/// order of a sorted walk: for Omniglot's `[alphabet, character]` the character classes are the
/// pairs (alphabet, character) in sorted alphabet, then sorted character order, exactly as the
/// reference's `omniglot_samples` numbers them (folder names like `character01` repeat across
/// alphabets). As there, a directory counts as a class even when it holds no image.
struct ImageFolderIndex: Sendable {
    let root: String
    let levels: [String]
    /// Full paths of the image files, in walk order.
    var files: [String] = []
    /// For each level, the class index of each file.
    var classOfFile: [[Int32]]
    /// For each level, the class names (`Alphabet/character01`) in index order.
    var classNames: [[String]]

    init(scanning source: ImageFolderSource, root: String) throws(DataError) {
        self.root = root
        self.levels = source.levels
        classOfFile = Array(repeating: [], count: source.levels.count)
        classNames = Array(repeating: [], count: source.levels.count)
        switch FileSystem.kind(of: root) {
        case nil: throw DataError("no such folder", path: root)
        case .directory?: break
        default: throw DataError("is a file, expected a folder of images", path: root)
        }
        guard !(try FileSystem.list(root)).isEmpty else { throw DataError("empty folder", path: root) }
        let extensions = Set(source.extensions.map { $0.lowercased().trimmingPrefix(".") })
        var classes = [Int32](repeating: -1, count: levels.count)
        try walk(root, relative: "", depth: 0, extensions: extensions, classes: &classes)
        if files.isEmpty {
            throw DataError(noImagesMessage(extensions: extensions), path: root)
        }
    }

    private mutating func walk(_ directory: String, relative: String, depth: Int, extensions: Set<Substring>,
                               classes: inout [Int32]) throws(DataError) {
        for name in try FileSystem.list(directory) {
            let path = FileSystem.join(directory, name)
            if depth == levels.count {
                if isImage(name, extensions), FileSystem.kind(of: path) == .file {
                    files.append(path)
                    for level in levels.indices { classOfFile[level].append(classes[level]) }
                }
            } else if FileSystem.kind(of: path) == .directory {
                let classPath = relative.isEmpty ? name : relative + "/" + name
                classes[depth] = Int32(classNames[depth].count)
                classNames[depth].append(classPath)
                try walk(path, relative: classPath, depth: depth + 1, extensions: extensions, classes: &classes)
            }
        }
    }

    private func isImage(_ name: String, _ extensions: Set<Substring>) -> Bool {
        guard let dot = name.lastIndex(of: ".") else { return false }
        return extensions.contains(Substring(name[name.index(after: dot)...].lowercased()))
    }

    /// Why nothing was found, with where images do sit when they are at another depth.
    private func noImagesMessage(extensions: Set<Substring>) -> String {
        let pattern = (levels.map { "<\($0)>/" } + ["*." + (extensions.sorted().first.map(String.init) ?? "png")]).joined()
        var message = "no images at depth \(levels.count) (\(pattern))"
        var counts: [Int: Int] = [:]
        countImages(root, depth: 0, limit: levels.count + 2, extensions: extensions, into: &counts)
        if let (depth, count) = counts.min(by: { $0.key < $1.key }) {
            message += "; found \(count) at depth \(depth): check the levels"
        }
        return message
    }

    private func countImages(_ directory: String, depth: Int, limit: Int, extensions: Set<Substring>, into counts: inout [Int: Int]) {
        guard depth <= limit, let names = try? FileSystem.list(directory) else { return }
        for name in names {
            let path = FileSystem.join(directory, name)
            if isImage(name, extensions) {
                counts[depth, default: 0] += 1
            } else if FileSystem.kind(of: path) == .directory {
                countImages(path, depth: depth + 1, limit: limit, extensions: extensions, into: &counts)
            }
        }
    }
}
