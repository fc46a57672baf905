import DataPipeline
import Diagnostics
import GraphIR
import SpecLanguage

/// `features`: a float vector of CSV columns.
struct FeaturesField: RunnableField {
    let kind = KindSpec("features", .field, pytorch: nil, shorthand: "columns",
                        "Float vector of CSV columns, shape `[number of columns]`. `{features: [a, b]}` lists the columns; a bare `features` takes every column that no other field reads.", [
        ParameterSpec("columns", .list(.string, minCount: 1), .optional("every column no other field reads"), "The columns, in order."),
        ParameterSpec("exclude", .list(.string, minCount: 1), .optional("nothing excluded"),
                      "Columns to leave out of \"every column no other field reads\"; not with `columns`."),
    ], overview: ["floats from CSV columns", "`[number of columns]`"])
    let noun = "a features field (CSV columns)"
    let value = FieldValue.floats

    func shape(_ options: SpecOptions) -> TensorShape? { options.strings("columns").map { TensorShape([SymbolicSize($0.count)]) } }

    func reads(_ options: SpecOptions) -> [String] { options.strings("columns") ?? [] }

    func check(_ field: FieldSpec, _ data: inout DataCheck) {
        let a = field.kind.options
        if a.isGiven("columns") && a.isGiven("exclude") {
            data.error(.conflictingOptions, "field '\(field.name)' has both `columns` and `exclude`; give the columns, or what to leave out of the rest",
                       at: a.range(of: "exclude"))
        }
    }

    func describe(_ options: SpecOptions, levels: [String]?) -> String {
        if let c = options.strings("columns") { return "features: \(c.count) column\(c.count == 1 ? "" : "s")" }
        let excluded = options.strings("exclude") ?? []
        return "features: every other column" + (excluded.isEmpty ? "" : " except " + excluded.joined(separator: ", "))
    }

    func field(_ field: FieldSpec, data: DataSpec) -> FieldConfig {
        let o = field.kind.options
        let columns: FeatureField.Columns = o.strings("columns").map { .named($0) } ?? .allExcept(o.strings("exclude") ?? [])
        return FieldConfig(field.name, .features(FeatureField(columns: columns,
                                                              normalization: Normalization(rawValue: data.preprocessing.normalize) ?? .none)))
    }

    /// The columns training used, normalised as training fitted them.
    func predictionInput(_ field: FieldSpec, data: DataSpec, statistics: DataStatistics) -> PredictionInput {
        let fitted = statistics.features[field.name]
        return .read(FieldConfig(field.name, .features(FeatureField(columns: .named(fitted?.columns ?? []),
                                                                    normalization: fitted?.normalization ?? .none))))
    }
}

/// `label`: a class index from a CSV column or an image-folder level.
struct LabelField: RunnableField {
    let kind = KindSpec("label", .field, pytorch: nil, shorthand: "from",
                        "Class index (an integer per sample) from a CSV column or an image-folder level; its class count is `classes(<field>)`. Classes are the distinct values in sorted order (numeric order when every value is a number); for a folder level, the distinct directory paths down to that level, in sorted order.", [
        ParameterSpec("from", .string, .required, "The CSV column or image-folder level."),
    ], overview: ["a class index (integer)", "none; `classes(<field>)` classes"])
    let noun = "a label field"
    let value = FieldValue.classIndex

    func shape(_ options: SpecOptions) -> TensorShape? { nil }

    func reads(_ options: SpecOptions) -> [String] { [options.string("from") ?? ""] }

    /// A label from an image folder names one of its levels.
    func check(_ field: FieldSpec, _ data: inout DataCheck) {
        let a = field.kind.options
        let from = a.string("from") ?? ""
        guard let levels = data.labelSources, !levels.contains(from) else { return }
        data.fail(field, .fieldSourceMismatch, "field '\(field.name)' takes its label from the level '\(from)', but the image folder's levels are "
                  + levels.map { "'\($0)'" }.joined(separator: ", "), at: a.range(of: "from"),
                  notes: [Suggestion.closest(to: from, among: levels).map { Note("did you mean '\($0)'?") }].compactMap { $0 })
    }

    func describe(_ options: SpecOptions, levels: [String]?) -> String {
        "label: \(levels != nil ? "level" : "column") \(options.string("from") ?? "")"
    }

    func field(_ field: FieldSpec, data: DataSpec) -> FieldConfig { FieldConfig(field.name, .label(field.kind.options.string("from") ?? "")) }

    func predictionInput(_ field: FieldSpec, data: DataSpec, statistics: DataStatistics) -> PredictionInput { .unavailable }
}

/// `column`: one CSV column as a float, shape [1].
struct ColumnField: RunnableField {
    let kind = KindSpec("column", .field, pytorch: nil, shorthand: "from",
                        "One CSV column as a float, shape `[1]`: the target of `bce`, `bce_with_logits`, `mse` or `l1`.", [
        ParameterSpec("from", .string, .required, "The CSV column."),
        ParameterSpec("normalize", .choice(["none", "minmax", "zscore"]), .defaultValue(.string("none")),
                      "Scaling of a regression target, fitted on the training split and saved with the run: the model learns the scaled value, and its metrics and `predict` report predictions and targets on the column's own scale. `minmax` to [0, 1], `zscore` to mean 0 and standard deviation 1. Not for `bce` targets, which must stay 0 or 1."),
    ], overview: ["one CSV column as a float", "`[1]`"])
    let noun = "a column field"
    let value = FieldValue.floats

    func shape(_ options: SpecOptions) -> TensorShape? { TensorShape([1]) }

    func reads(_ options: SpecOptions) -> [String] { [options.string("from") ?? ""] }

    func check(_ field: FieldSpec, _ data: inout DataCheck) {}

    func describe(_ options: SpecOptions, levels: [String]?) -> String {
        let normalize = options.string("normalize") ?? "none"
        return "column \(options.string("from") ?? "") as a float" + (normalize == "none" ? "" : ", \(normalize)-normalised")
    }

    func field(_ field: FieldSpec, data: DataSpec) -> FieldConfig {
        let o = field.kind.options
        return FieldConfig(field.name, .target(column: o.string("from") ?? "", normalization: Normalization(rawValue: o.string("normalize") ?? "none") ?? .none))
    }

    func predictionInput(_ field: FieldSpec, data: DataSpec, statistics: DataStatistics) -> PredictionInput { .unavailable }
}

/// `onehot`: a label field as a float one-hot vector.
struct OnehotField: RunnableField {
    let kind = KindSpec("onehot", .field, pytorch: "F.one_hot", shorthand: "label",
                        "A label field as a float one-hot vector, shape `[classes(<label>)]`.", [
        ParameterSpec("label", .reference("a label field"), .required, "The label field."),
    ], overview: ["a label as a one-hot float vector", "`[classes(<label>)]`"])
    let noun = "a onehot field"
    let value = FieldValue.floats

    func shape(_ options: SpecOptions) -> TensorShape? { TensorShape([.classes(options.string("label") ?? "")]) }

    func reads(_ options: SpecOptions) -> [String] { [] }

    /// `onehot: x` names a label field.
    func check(_ field: FieldSpec, _ data: inout DataCheck) {
        let a = field.kind.options
        let label = a.string("label") ?? ""
        guard !data.isIncomplete(label) else { return }
        let range = a.range(of: "label")
        guard let target = data.field(named: label) else {
            data.error(.undefinedReference, "field '\(field.name)' is the one-hot of '\(label)', which is no field", at: range,
                       notes: [Suggestion.note(for: label, among: data.labelNames)].compactMap { $0 })
            return
        }
        if !data.isLabel(target) {
            data.error(.undefinedReference, "field '\(field.name)' is the one-hot of '\(label)', which is a \(target.kind.name) field, not a label",
                       at: range, notes: [Note("'\(label)' is declared here", at: target.nameRange)])
        }
    }

    func describe(_ options: SpecOptions, levels: [String]?) -> String { "onehot of \(options.string("label") ?? "")" }

    func field(_ field: FieldSpec, data: DataSpec) -> FieldConfig {
        let label = field.kind.options.string("label") ?? ""
        let source = data.field(named: label)?.kind.options.string("from") ?? label
        return FieldConfig(field.name, .onehot(source))
    }

    func predictionInput(_ field: FieldSpec, data: DataSpec, statistics: DataStatistics) -> PredictionInput {
        let label = field.kind.options.string("label") ?? ""
        guard let source = data.field(named: label)?.kind.options.string("from") else { return .unavailable }
        return .classOf(labelField: label, source: source)
    }
}

/// `image`: the sample's image, decoded, resized and scaled.
struct ImageFieldDefinition: RunnableField {
    let kind = KindSpec("image", .field, pytorch: nil,
                        "The sample's image (PNG or JPEG, decoded as PIL decodes it) from an image folder, or from the file a CSV column names: converted to `channels`, resized to `size` (bilinear, antialiased, as torchvision), scaled to [0, 1], augmented in training (`data.augment`), then normalised by `mean` and `std` if given, else as `data.preprocessing.normalize` says (per channel, fitted on the training split). Shape `[channels, height, width]`.", [
        ParameterSpec("from", .string, .optional("required with a CSV source; not with an image folder"),
                      "With a CSV source: the column holding the image file's path, relative to the CSV file's folder."),
        ParameterSpec("channels", .int, .defaultValue(.int(1)), bounds: .interval(1, 3), "1 (grey) or 3 (RGB)."),
        ParameterSpec("size", .list(.int, minCount: 2, maxCount: 2), .required, bounds: .atLeast(1), "`[height, width]` after resizing."),
        ParameterSpec("mean", .list(.float, minCount: 1), .optional("no normalisation"), "Per-channel mean to subtract."),
        ParameterSpec("std", .list(.float, minCount: 1), .optional("no normalisation"), bounds: .above(0), "Per-channel standard deviation to divide by."),
    ], overview: ["an image, scaled to [0, 1]", "`[channels, height, width]`"])
    let noun = "an image field"
    let value = FieldValue.floats

    func shape(_ options: SpecOptions) -> TensorShape? {
        guard let size = options.ints("size"), size.count == 2 else { return nil }
        return TensorShape([SymbolicSize(options.int("channels") ?? 1), SymbolicSize(size[0]), SymbolicSize(size[1])])
    }

    func reads(_ options: SpecOptions) -> [String] { options.string("from").map { [$0] } ?? [] }

    var isImage: Bool { true }

    func check(_ field: FieldSpec, _ data: inout DataCheck) {
        let a = field.kind.options, name = field.name
        let channels = a.int("channels") ?? 1
        // A source whose labels are known from the spec (an image folder) finds its images by
        // walking; a table names them in a column.
        if let source = data.definitions.source(data.data.source.name) {
            let fromFolder = source.labelSources(data.data.source.options) != nil
            if fromFolder && a.isGiven("from") {
                data.error(.fieldSourceMismatch, "`data.fields.\(name).image.from` names a CSV column, but the source is \(source.noun), "
                           + "whose images are its files", at: a.range(of: "from"))
            } else if !fromFolder && !a.isGiven("from") {
                data.fail(field, .fieldSourceMismatch, "image field '\(name)' needs `from`: the column of \(source.noun) that holds each image's path",
                          at: field.kind.nameRange)
            }
        }
        if channels == 2 {
            data.error(.outOfRange, "`data.fields.\(name).image.channels` must be 1 or 3, found 2", at: a.range(of: "channels"))
        }
        for key in ["mean", "std"] {
            if let values = a.doubles(key), values.count != channels {
                data.error(.conflictingOptions, "`data.fields.\(name).image.\(key)` has \(values.count) "
                    + "value\(values.count == 1 ? "" : "s") for \(channels) channel\(channels == 1 ? "" : "s")",
                           at: a.range(of: key))
            }
        }
        if a.isGiven("mean") != a.isGiven("std") {
            let missing = a.isGiven("mean") ? "std" : "mean"
            data.error(.conflictingOptions, "`data.fields.\(name).image` normalises with both `mean` and `std`; `\(missing)` is missing",
                       at: a.range(of: a.isGiven("mean") ? "mean" : "std"))
        }
    }

    func describe(_ options: SpecOptions, levels: [String]?) -> String {
        let size = options.ints("size") ?? [0, 0]
        return "image" + (options.string("from").map { " (column \($0))" } ?? "") + ": \(options.int("channels") ?? 1) x \(size[0]) x \(size[1])"
            + (options.isGiven("mean") ? ", normalised" : "")
    }

    func field(_ field: FieldSpec, data: DataSpec) -> FieldConfig {
        let o = field.kind.options
        let size = o.ints("size") ?? []
        return FieldConfig(field.name, .image(ImageField(channels: o.int("channels") ?? 1, size: size.count == 2 ? size : nil,
                                                         mean: o.doubles("mean")?.map(Float.init), std: o.doubles("std")?.map(Float.init),
                                                         normalization: Normalization(rawValue: data.preprocessing.normalize) ?? .none,
                                                         column: o.string("from"))))
    }

    func predictionInput(_ field: FieldSpec, data: DataSpec, statistics: DataStatistics) -> PredictionInput { .read(self.field(field, data: data)) }
}

/// `category`: text columns as category indices, an embedding's input.
struct CategoryFieldDefinition: RunnableField {
    let kind = KindSpec("category", .field, pytorch: nil, shorthand: "columns",
                        "CSV columns of categories (any text, or numbers used as names) as indices: Float32 values holding whole numbers, shape `[number of columns]`, the input of an `embedding` layer whose `num_embeddings` is `classes(<field>)`. The vocabulary is the distinct values in the training split's rows, shared by all the columns, in sorted order (numeric order when every value is a number); it is saved with the run, so `eval` and `predict` number values as training did.", [
        ParameterSpec("columns", .list(.string, minCount: 1), .required, "The columns, in order."),
        ParameterSpec("unknown", .choice(["error", "index"]), .defaultValue(.string("error")),
                      "A value the training split does not have (met in a held-out split, by `eval` or by `predict`): `error` stops, naming its line, column and value; `index` gives it index 0 and numbers the training split's values from 1."),
    ], overview: ["category indices of CSV columns (whole numbers, as floats)", "`[number of columns]`; `classes(<field>)` indices"])
    let noun = "a category field (CSV columns)"
    let value = FieldValue.floats

    func shape(_ options: SpecOptions) -> TensorShape? { options.strings("columns").map { TensorShape([SymbolicSize($0.count)]) } }

    func reads(_ options: SpecOptions) -> [String] { options.strings("columns") ?? [] }

    var hasClassCount: Bool { true }

    func check(_ field: FieldSpec, _ data: inout DataCheck) {}

    func describe(_ options: SpecOptions, levels: [String]?) -> String {
        let columns = options.strings("columns") ?? []
        return "category: \(columns.count) column\(columns.count == 1 ? "" : "s"), unknown values \(options.string("unknown") == "index" ? "index 0" : "an error")"
    }

    func field(_ field: FieldSpec, data: DataSpec) -> FieldConfig {
        let o = field.kind.options
        return FieldConfig(field.name, .category(CategoryField(columns: o.strings("columns") ?? [],
                                                               unknown: UnknownCategory(rawValue: o.string("unknown") ?? "error") ?? .error)))
    }

    /// The same columns, numbered by the vocabulary training saved.
    func predictionInput(_ field: FieldSpec, data: DataSpec, statistics: DataStatistics) -> PredictionInput { .read(self.field(field, data: data)) }
}
