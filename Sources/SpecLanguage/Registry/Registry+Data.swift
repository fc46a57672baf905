extension Registry {
    static let sources: [KindSpec] = [
        KindSpec("csv", .source, pytorch: nil, "A CSV file with a header row; each row is a sample.", [
            ParameterSpec("path", .string, .required, "The file, relative to the data root (`--data-root`, default `./data`)."),
            ParameterSpec("delimiter", .string, .defaultValue(.string(",")), "The column separator, one character."),
        ]),
        KindSpec("image_folder", .source, pytorch: "torchvision.datasets.ImageFolder",
                 "A folder tree of images whose directory names are labels: `<root>/<level 1>/<level 2>/.../<file>`.", [
            ParameterSpec("root", .string, .required, "The folder, relative to the data root."),
            ParameterSpec("levels", .list(.string, minCount: 1), .required,
                          "Names for the directory levels below the root, outermost first; each becomes a possible `label`."),
            ParameterSpec("extensions", .list(.string, minCount: 1), .defaultValue(.list([LocatedValue(.string("png"), at: nil)])),
                          "File extensions to read, without the dot."),
        ]),
    ]

    static let fields: [KindSpec] = [
        KindSpec("features", .field, pytorch: nil, shorthand: "columns",
                 "Float vector of CSV columns, shape `[number of columns]`. `{features: [a, b]}` lists the columns; a bare `features` takes every column that no other field reads.", [
            ParameterSpec("columns", .list(.string, minCount: 1), .optional("every column no other field reads"), "The columns, in order."),
            ParameterSpec("exclude", .list(.string, minCount: 1), .optional("nothing excluded"),
                          "Columns to leave out of \"every column no other field reads\"; not with `columns`."),
        ]),
        KindSpec("label", .field, pytorch: nil, shorthand: "from",
                 "Class index (an integer per sample) from a CSV column or an image-folder level; its class count is `classes(<field>)`. Classes are the distinct values in sorted order (numeric order when every value is a number); for a folder level, the distinct directory paths down to that level, in sorted order.", [
            ParameterSpec("from", .string, .required, "The CSV column or image-folder level."),
        ]),
        KindSpec("column", .field, pytorch: nil, shorthand: "from",
                 "One CSV column as a float, shape `[1]`: the target of `bce`, `bce_with_logits`, `mse` or `l1`.", [
            ParameterSpec("from", .string, .required, "The CSV column."),
        ]),
        KindSpec("onehot", .field, pytorch: "F.one_hot", shorthand: "label",
                 "A label field as a float one-hot vector, shape `[classes(<label>)]`.", [
            ParameterSpec("label", .reference("a label field"), .required, "The label field."),
        ]),
        KindSpec("image", .field, pytorch: nil,
                 "The sample's image from an image folder: decoded, converted to `channels`, resized to `size` (bilinear, antialiased, as torchvision), scaled to [0, 1], then normalised by `mean` and `std` if given. Shape `[channels, height, width]`.", [
            ParameterSpec("channels", .int, .defaultValue(.int(1)), bounds: .interval(1, 3), "1 (grey) or 3 (RGB)."),
            ParameterSpec("size", .list(.int, minCount: 2, maxCount: 2), .required, bounds: .atLeast(1), "`[height, width]` after resizing."),
            ParameterSpec("mean", .list(.float, minCount: 1), .optional("no normalisation"), "Per-channel mean to subtract."),
            ParameterSpec("std", .list(.float, minCount: 1), .optional("no normalisation"), bounds: .above(0), "Per-channel standard deviation to divide by."),
        ]),
    ]
}
