import Diagnostics
import SpecLanguage

extension Inference {
    /// The field that feeds an input must make the input's shape.
    mutating func checkField(of input: InputSpec) {
        guard !incomplete.data, !incomplete.fields.contains(input.name) else { return }
        guard let field = spec.data.field(named: input.name) else {
            let candidates = spec.data.fields.filter { !isLabel($0) }.map(\.name)
            var notes = [Note("an input is fed by the field of the same name in `data.fields`")]
            if let match = Suggestion.closest(to: input.name, among: candidates) { notes.append(Note("did you mean '\(match)'?")) }
            error(.inputWithoutField, "the input '\(input.name)' has no field in `data.fields`", at: input.nameRange, notes: notes)
            return
        }
        let declared = TensorShape(input.shape)
        let fieldNote = Note("the field '\(field.name)' is declared here", at: field.range)
        if isLabel(field) {
            error(.fieldShapeMismatch, "the input '\(input.name)' is fed by a label field, which is a class index per sample, not a tensor",
                  at: input.nameRange, notes: [fieldNote, Note("to feed the classes to the model, declare a field {onehot: \(field.name)}")])
            return
        }
        guard let made = shape(of: field) else { return }
        let message = "the input '\(input.name)' is declared \(declared), but its field makes \(made)"
        guard made.rank == declared.rank, made.concrete == nil || declared.concrete == nil else {
            if made != declared { error(.fieldShapeMismatch, message, at: input.shapeRange, notes: [fieldNote]) }
            return
        }
        guard made.rank == declared.rank else {
            error(.fieldShapeMismatch, message, at: input.shapeRange, notes: [fieldNote])
            return
        }
        for (i, (d, m)) in zip(declared.dims, made.dims).enumerated() {
            let range = i < input.dimensionRanges.count ? input.dimensionRanges[i] : input.shapeRange
            let template = "the input '\(input.name)' has {lhs} at axis \(i + 1), but its field makes {rhs} there"
            if !require(d, equals: m, .fieldShapeMismatch, template, at: range, notes: [fieldNote]) { return }
        }
    }

    /// Nodes that no output depends on (a warning) and inputs that no node reads (an error).
    /// Skipped when parts are incomplete, as their references are unknown.
    mutating func checkUse() {
        let model = spec.model
        guard !incomplete.model else { return }
        if incomplete.outputs.isEmpty && incomplete.nodes.isEmpty {
            var used = Set(model.outputs.map(\.from.name))
            var frontier = Array(used)
            while let name = frontier.popLast() {
                for source in model.nodes.first(where: { $0.name == name })?.sources ?? [] where !used.contains(source.name) {
                    used.insert(source.name)
                    frontier.append(source.name)
                }
            }
            for node in model.nodes where !used.contains(node.name) {
                error(.unusedNode, "the node '\(node.name)' is not used by any output", at: node.nameRange,
                      notes: [Note("its parameters would never be trained; connect it to an output or remove it")])
            }
        }
        if incomplete.nodes.isEmpty {
            let read = Set(model.nodes.flatMap(\.sources).map(\.name))
            for input in model.inputs where !read.contains(input.name) {
                error(.unusedInput, "the input '\(input.name)' is not read by any node", at: input.nameRange,
                      notes: [Note("read it with a node's `from`, or remove it")])
            }
        }
    }
}
