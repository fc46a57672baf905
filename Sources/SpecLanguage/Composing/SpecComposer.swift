import Diagnostics
import Foundation
import YAMLReader

/// Composes the YAML tree a spec is decoded from: the files its `extends` names, merged under its
/// own keys, then each `--set` argument on top (see `Overlay` for how trees merge). Each source
/// read on the way is kept, so a diagnostic can show the line it points into.
struct SpecComposer {
    let vocabulary: Vocabulary
    var diagnostics: [Diagnostic] = []
    /// The files extended and the arguments applied, in the order read.
    var sources: [SourceFile] = []
    /// Whether the tree differs from the spec file's own.
    var composed = false

    /// The most files one chain of `extends` may read.
    static let maxDepth = 16

    init(vocabulary: Vocabulary) { self.vocabulary = vocabulary }

    private var overlay: Overlay { Overlay(vocabulary: vocabulary) }

    private mutating func error(_ code: DiagnosticCode, _ message: String, at range: SourceRange?, notes: [Note] = []) {
        diagnostics.append(Diagnostic(code, message, at: range, notes: notes))
    }

    // MARK: extends

    /// The tree of the spec at `path` with the files it extends merged under it, without the
    /// `extends` key. `chain` holds the files already being read (their resolved paths).
    mutating func followExtends(_ root: YAMLNode, path: String, chain: [String] = []) -> YAMLNode {
        guard var pairs = root.mapping, let index = pairs.firstIndex(where: { $0.key == "extends" }) else { return root }
        let pair = pairs.remove(at: index)
        let own = YAMLNode(.mapping(pairs), range: root.range)
        composed = true
        guard let scalar = pair.value.scalar, !scalar.value.isEmpty, !PlainScalar.isNull(pair.value) else {
            error(.wrongType, "`extends` must be the path of a spec file, relative to this one, found \(pair.value.kindDescription)",
                  at: pair.value.range)
            return own
        }
        let basePath = Self.path(scalar.value, relativeTo: path)
        let resolved = Self.resolved(basePath)
        let chain = chain.isEmpty ? [Self.resolved(path)] : chain
        if let first = chain.firstIndex(of: resolved) {
            let loop = (chain[first...] + [resolved]).map { ($0 as NSString).lastPathComponent }.joined(separator: " -> ")
            error(.badComposition, "`extends` makes a cycle: \(loop)", at: pair.value.range,
                  notes: [Note("a spec cannot extend itself, directly or through other files")])
            return own
        }
        guard chain.count < Self.maxDepth else {
            error(.badComposition, "`extends` goes more than \(Self.maxDepth) files deep", at: pair.value.range)
            return own
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: basePath, isDirectory: &isDirectory), !isDirectory.boolValue,
              let data = FileManager.default.contents(atPath: basePath) else {
            let why = FileManager.default.fileExists(atPath: basePath) ? "it is a directory or not readable" : "no such file"
            error(.unreadableFile, "cannot read '\(basePath)', which `extends` names: \(why)", at: pair.value.range)
            return own
        }
        let document = YAMLReader.read(bytes: [UInt8](data), path: basePath, source: basePath)
        sources.append(document.file)
        diagnostics += document.diagnostics
        guard let baseRoot = document.root else {
            // An empty file adds nothing; a broken one has said why.
            return own
        }
        guard baseRoot.mapping != nil else {
            error(.emptySpec, "the top level of '\(basePath)', which `extends` names, must be a mapping, found \(baseRoot.kindDescription)",
                  at: baseRoot.range, notes: [Note("extended here", at: pair.value.range)])
            return own
        }
        let base = followExtends(baseRoot, path: basePath, chain: chain + [resolved])
        return overlay.merge(base, own, at: .spec)
    }

    /// A path named in a spec, relative to that spec's folder (an absolute path stays), with `.`
    /// and `..` taken out where they can be, so that messages show `specs/base.yaml`.
    static func path(_ named: String, relativeTo spec: String) -> String {
        guard !named.hasPrefix("/") else { return named }
        let folder = spec == "<stdin>" ? "" : (spec as NSString).deletingLastPathComponent
        var parts: [String] = []
        for part in (folder.isEmpty ? named : folder + "/" + named).split(separator: "/", omittingEmptySubsequences: false) {
            if part == "." || (part.isEmpty && !parts.isEmpty) { continue }
            if part == "..", let last = parts.last, last != "..", !last.isEmpty { parts.removeLast() } else { parts.append(String(part)) }
        }
        return parts.joined(separator: "/")
    }

    /// The file a path names, for recognising one file reached twice.
    static func resolved(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    // MARK: --set

    /// `root` with each setting applied in order; a setting that cannot be applied is reported
    /// and left out.
    mutating func apply(_ arguments: [String], to root: YAMLNode?) -> YAMLNode? {
        var tree = root
        var given: [String: SourceRange] = [:]
        for argument in arguments {
            guard let setting = SpecSetting(argument) else {
                // The command line checks this first; a library caller gets the same message.
                let source = SourceFile(path: "\(SpecSetting.flag) \(argument)", text: "\(SpecSetting.flag) \(argument)",
                                        origin: .argument(label: "\(SpecSetting.flag) \(argument)"))
                sources.append(source)
                error(.badComposition, SpecSetting.problem(argument) ?? "malformed", at: SourceRange(at: SourceLocation(line: 1, column: 1), source: source.path))
                continue
            }
            let source = setting.source
            sources.append(source)
            let whole = SourceRange(start: setting.keys[0].range.start, end: SourceLocation(line: 1, column: source.lineLength(1) + 1), source: source.path)
            if setting.keys[0].name == "extends" {
                error(.badComposition, "`extends` cannot be set from the command line: the files a spec extends are merged as they are read",
                      at: setting.keys[0].range)
                continue
            }
            if let first = given[setting.keyPath] {
                error(.duplicateKey, "`\(setting.keyPath)` is set twice", at: setting.keys.last!.range,
                      notes: [Note("first set here; each key is set once", at: first)])
                continue
            }
            given[setting.keyPath] = setting.keys.last!.range
            let document = setting.value(source: source.path)
            diagnostics += document.diagnostics
            if document.diagnostics.hasErrors { continue }
            let valueRange = SourceRange(start: setting.keys.last!.range.end.advanced(by: 1), end: whole.end, source: source.path)
            let value = document.root ?? YAMLNode(.scalar(YAMLScalar("")), range: valueRange)
            composed = true
            tree = set(setting.keys[...], to: value, in: tree, at: .spec, path: "", whole: whole)
        }
        return tree
    }

    /// The tree with each plain number a `--set` argument wrote (`3e-4`) spelt so that YAML 1.1
    /// readers read it as a number too (`0.0003`): the composed spec is saved as a file, which
    /// other tools read. Numbers written in files stay as written (and W019 says so there).
    func portable(_ node: YAMLNode) -> YAMLNode {
        switch node.content {
        case .scalar(let s):
            guard let source = node.range.source, sources.contains(where: { $0.path == source && $0.origin != .file }),
                  s.tag == nil, s.style == .plain, let spelling = PlainScalar.yaml11Spelling(of: s.value) else { return node }
            return YAMLNode(.scalar(YAMLScalar(spelling)), range: node.range)
        case .sequence(let items):
            return YAMLNode(.sequence(items.map(portable)), range: node.range)
        case .mapping(let pairs):
            return YAMLNode(.mapping(pairs.map { YAMLPair(key: $0.key, keyRange: $0.keyRange, value: portable($0.value)) }), range: node.range)
        }
    }

    /// `node` with the value at the key path `keys` set: mappings on the way are created where
    /// missing, an item of an existing list is reached by its index, and naming another family
    /// member than the spec's replaces it (`optimizer.sgd.lr=0.1` on an Adam spec).
    private mutating func set(_ keys: ArraySlice<SpecSetting.Key>, to value: YAMLNode, in node: YAMLNode?, at slot: Slot,
                              path: String, whole: SourceRange) -> YAMLNode {
        guard let key = keys.first else { return node.map { overlay.merge($0, value, at: slot) } ?? value }
        let rest = keys.dropFirst()
        let keyPath = path.isEmpty ? key.name : "\(path).\(key.name)"
        if let node, var items = node.sequence, let index = Int(key.name) {
            guard items.indices.contains(index) else {
                error(.badComposition, "`\(path)` is a list of \(items.count) item\(items.count == 1 ? "" : "s"): there is no item \(index) to set",
                      at: key.range, notes: [Note("the list is here", at: node.range)])
                return node
            }
            items[index] = set(rest, to: value, in: items[index], at: slot.element, path: keyPath, whole: whole)
            return YAMLNode(.sequence(items), range: node.range)
        }
        var pairs = node.flatMap { Overlay.pairs($0, at: slot, vocabulary) } ?? []
        let replaced = replacesMember(pairs, with: key.name, in: node, at: slot)
        if replaced { pairs = [] }
        let child = slot.child(key.name, vocabulary)
        if let i = pairs.firstIndex(where: { $0.key == key.name }) {
            pairs[i].value = set(rest, to: value, in: pairs[i].value, at: child, path: keyPath, whole: whole)
        } else {
            pairs.append(YAMLPair(key: key.name, keyRange: key.range, value: set(rest, to: value, in: nil, at: child, path: keyPath, whole: whole)))
        }
        // A mapping the spec has keeps its place; one the argument makes is the rest of the argument.
        let range = node?.mapping != nil && !replaced ? node!.range : SourceRange(start: key.range.start, end: whole.end, source: whole.source)
        return YAMLNode(.mapping(pairs), range: range)
    }

    /// Whether setting under `key` replaces the member (or the kind of model node) written here.
    private func replacesMember(_ pairs: [YAMLPair], with key: String, in node: YAMLNode?, at slot: Slot) -> Bool {
        guard let node, !pairs.isEmpty else { return false }
        if slot.isComponent { return !pairs.contains { $0.key == key } }
        guard case .value(.node) = slot else { return false }
        let settingMerge = vocabulary.kind(key, in: .merge) != nil
        let hasMerge = Overlay.isMergeNode(node, at: slot, vocabulary)
        return settingMerge != hasMerge || (settingMerge && !pairs.contains { $0.key == key })
    }
}

extension SourceLocation {
    /// The place `n` columns to the right.
    func advanced(by n: Int) -> SourceLocation { SourceLocation(line: line, column: column + n) }
}
