import DataPipeline
import Diagnostics
import GraphIR
import SpecLanguage

/// `csv`: a CSV file with a header row; each row is a sample, which may name its image files.
struct CSVSourceDefinition: RunnableSource {
    let kind = KindSpec("csv", .source, pytorch: nil,
                        "A CSV file with a header row; each row is a sample. Columns become features, labels, float targets and categories; an `image` field with `from: <column>` reads the PNG or JPEG file that column names, relative to the CSV file's folder (a manifest, as Ludwig lays image data out).", [
        ParameterSpec("path", .string, .required, "The file, relative to the data root (`--data-root`, default `./data`)."),
        ParameterSpec("delimiter", .string, .defaultValue(.string(",")), "The column separator, one character (`;`, or a tab written \"\\t\")."),
    ])
    let noun = "a CSV file"
    let fieldKinds: Set<String> = ["features", "label", "column", "onehot", "image", "category"]

    func labelSources(_ options: SpecOptions) -> [String]? { nil }

    func check(_ source: SpecComponent, _ sink: inout DiagnosticSink) {
        let a = source.options
        let delimiter = a.string("delimiter") ?? ","
        if delimiter.count != 1 {
            sink.error(.outOfRange, "`data.source.csv.delimiter` must be one character, found '\(delimiter)'", at: a.range(of: "delimiter"))
        } else if delimiter.utf8.count != 1 || ["\"", "\n", "\r"].contains(delimiter) {
            sink.error(.outOfRange, "`data.source.csv.delimiter` must be one ASCII character other than a quote or a line end, found '\(delimiter)'",
                       at: a.range(of: "delimiter"))
        }
    }

    func describe(_ options: SpecOptions) -> String {
        let delimiter = options.string("delimiter") ?? ","
        return "csv \(options.string("path") ?? "")" + (delimiter == "," ? "" : " (delimiter '\(delimiter)')")
    }

    func source(_ options: SpecOptions, data: DataSpec) -> DataSource {
        .csv(CSVSource(path: options.string("path") ?? "", missing: MissingValues(rawValue: data.preprocessing.missing) ?? .error,
                       delimiter: (options.string("delimiter") ?? ",").utf8.first ?? UInt8(ascii: ",")))
    }

    /// One CSV file like the training file (image paths relative to it), or, for a spec whose
    /// rows name images, the image files themselves.
    func predictionSource(_ files: [String], data: DataSpec) throws(PredictionError) -> DataSource {
        let readsImages = data.fields.contains { $0.kind.name == "image" }
        if readsImages && !(files.count == 1 && files[0].lowercased().hasSuffix(".csv")) { return .imageFiles(files) }
        guard files.count == 1 else { throw PredictionError("a CSV spec predicts for one CSV file at a time, got \(files.count) inputs") }
        return .csv(CSVSource(path: files[0], missing: .error))
    }
}

/// `image_folder`: a tree of images whose directory names are labels.
struct ImageFolderSourceDefinition: RunnableSource {
    let kind = KindSpec("image_folder", .source, pytorch: "torchvision.datasets.ImageFolder",
                        "A folder tree of images whose directory names are labels: `<root>/<level 1>/<level 2>/.../<file>`.", [
        ParameterSpec("root", .string, .required, "The folder, relative to the data root."),
        ParameterSpec("levels", .list(.string, minCount: 1), .required,
                      "Names for the directory levels below the root, outermost first; each becomes a possible `label`."),
        ParameterSpec("extensions", .list(.string, minCount: 1),
                      .defaultValue(.list(["png", "jpg", "jpeg"].map { LocatedValue(.string($0), at: nil) })),
                      "File extensions to read, without the dot, ignoring case (PNG and JPEG files are told apart by their bytes)."),
    ])
    let noun = "an image folder"
    let fieldKinds: Set<String> = ["image", "label", "onehot"]

    func labelSources(_ options: SpecOptions) -> [String]? { options.strings("levels") ?? [] }

    func check(_ source: SpecComponent, _ sink: inout DiagnosticSink) {}

    func describe(_ options: SpecOptions) -> String {
        "image_folder \(options.string("root") ?? "") (levels \((options.strings("levels") ?? []).joined(separator: ", ")))"
    }

    func source(_ options: SpecOptions, data: DataSpec) -> DataSource {
        .imageFolder(ImageFolderSource(root: options.string("root") ?? "", levels: options.strings("levels") ?? [],
                                       extensions: (options.strings("extensions") ?? []).map { $0.lowercased() }))
    }

    func predictionSource(_ files: [String], data: DataSpec) throws(PredictionError) -> DataSource { .imageFiles(files) }
}
