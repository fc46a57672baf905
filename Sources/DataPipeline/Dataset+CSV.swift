import Diagnostics

/// Loading a CSV source: columns resolved by name, missing values handled by the source's policy,
/// labels numbered, the split made; then features imputed and normalised, targets normalised and
/// category vocabularies built with statistics fitted on the training split, and image fields read
/// from the files the rows name.
extension DatasetParts {
    init(csv source: CSVSource, path: String, config: DataConfig, fitted: DataStatistics?) throws(DataError) {
        let table = try CSVTable.read(path, delimiter: source.delimiter)
        let columns = try CSVColumns(table: table, config: config, fitted: fitted)
        let kept = try columns.keptRows(table, missing: source.missing)
        self.init(count: kept.count, splits: DataSplits(train: [], validation: [], test: []),
                  origins: .csv(path: path, lines: kept.map { table.lines[$0] }))
        statistics = fitted ?? DataStatistics()

        var labels: [String: ClassLabels] = [:]
        for column in columns.labels {
            let c = try table.column(column)
            var numbered = ClassLabels(texts: kept.map { table.rows[$0][c].trimmingBlanks() })
            if let names = fitted?.classes[column] {
                numbered = try numbered.renumbered(as: names, source: column, path: path, lines: kept.map { table.lines[$0] })
            }
            labels[column] = numbered
            statistics.classes[column] = numbered.names
        }
        var targets: [String: [Float]] = [:]
        for column in columns.targets {
            targets[column] = kept.map { Float(columns.numbers[column]![$0]) }
        }
        let strata = try Self.strata(for: config.split.stratify, config: config, path: path,
                                     labels: { labels[$0]?.indices }, targets: { targets[$0] })
        splits = DataSplits(count: count, config: config.split, strata: strata)

        for field in config.fields {
            switch field.kind {
            case .features(let features):
                let names = columns.features[field.name]!
                let (values, stats) = try fitFeatures(names, numbers: columns.numbers, rows: kept, lines: kept.map { table.lines[$0] },
                                                      missing: source.missing,
                                                      normalization: features.normalization,
                                                      fitted: fitted?.features[field.name], path: path)
                statistics.features[field.name] = stats
                fields.append(FieldInfo(name: field.name, type: .float32, shape: [names.count]))
                stores.append(.floats(width: names.count, values: values))
            case .target(let column, let normalization):
                fields.append(FieldInfo(name: field.name, type: .float32, shape: [1]))
                if normalization == .none {
                    stores.append(.floats(width: 1, values: targets[column]!))
                } else {
                    let values = try normalizedTarget(field.name, column: column, values: kept.map { columns.numbers[column]![$0] },
                                                      normalization: normalization, fitted: fitted, lines: kept.map { table.lines[$0] }, path: path)
                    stores.append(.floats(width: 1, values: values))
                }
            case .label(let column), .onehot(let column):
                addClassField(field.name, labels: labels[column]!, onehot: field.kind == .onehot(column))
            case .image(let image):
                let files = try Self.imageFiles(column: image.column!, table: table, rows: kept, csvPath: path)
                try addImageField(field.name, image, files: files, limits: config.imageLimits, path: path, fitted: fitted)
            case .category(let category):
                try addCategoryField(field.name, category, table: table, rows: kept, fitted: fitted, path: path)
            }
        }
    }

    /// A target column scaled by `normalization`, fitted on the training split (or as `fitted`
    /// saved it); the statistics go with the run so metrics and predictions can undo it.
    private mutating func normalizedTarget(_ name: String, column: String, values: [Double], normalization: Normalization,
                                           fitted: DataStatistics?, lines: [Int], path: String) throws(DataError) -> [Float] {
        let stats: FeatureStatistics
        if let fitted {
            guard let saved = fitted.targets[name], saved.shift.count == 1 else {
                throw DataError("target field '\(name)' is normalised (\(normalization.rawValue)), but the saved statistics have no "
                                + "normalisation for it: were the weights trained with another spec?", path: path)
            }
            stats = saved
        } else {
            stats = .fit(columns: [column], normalization: normalization, imputed: nil, values: splits.train.map { values[$0] },
                         rows: splits.train.count)
        }
        statistics.targets[name] = stats
        let scaled = values.map { Float(($0 - stats.shift[0]) / stats.scale[0]) }
        if let bad = scaled.firstIndex(where: { !$0.isFinite }) {
            throw DataError("line \(lines[bad]), column \(excerpt(column)): \(values[bad]) becomes \(scaled[bad]) after \(stats.normalization.rawValue) "
                            + "normalisation (shift \(stats.shift[0]), scale \(stats.scale[0]))", path: path)
        }
        return scaled
    }

    /// A category field: each row's values as indices into the vocabulary of the training split's
    /// rows (or the one `fitted` saved). An unseen value is index 0 with `unknown: index`, else an
    /// error naming its line, column and value.
    private mutating func addCategoryField(_ name: String, _ category: CategoryField, table: CSVTable, rows kept: [Int],
                                           fitted: DataStatistics?, path: String) throws(DataError) {
        var columns: [Int] = []
        for column in category.columns { columns.append(try table.column(column)) }
        let vocabulary: CategoryVocabulary
        if let fitted {
            guard let saved = fitted.categories[name], saved.columns == category.columns else {
                throw DataError("category field '\(name)' has no vocabulary over the columns \(quotedList(category.columns)) in the saved "
                                + "statistics: were the weights trained with another spec?", path: path)
            }
            vocabulary = saved
        } else {
            var seen = Set<String>()
            for r in splits.train { for c in columns { seen.insert(table.rows[kept[r]][c].trimmingBlanks()) } }
            vocabulary = CategoryVocabulary(columns: category.columns, values: ClassLabels(texts: Array(seen)).names, unknown: category.unknown)
        }
        let index = vocabulary.indices()
        var values: [Float] = []
        values.reserveCapacity(kept.count * columns.count)
        for row in kept {
            for (k, c) in columns.enumerated() {
                let text = table.rows[row][c].trimmingBlanks()
                if let i = index[text] {
                    values.append(Float(i))
                } else if vocabulary.unknown == .index {
                    values.append(0)
                } else {
                    throw DataError("line \(table.lines[row]), column \(excerpt(category.columns[k])): \(excerpt(text)) is not among the "
                                    + "\(vocabulary.values.count) values of the training split (unknown: error; `unknown: index` maps "
                                    + "unseen values to index 0)", path: path)
                }
            }
        }
        statistics.categories[name] = vocabulary
        fields.append(FieldInfo(name: name, type: .float32, shape: [columns.count]))
        stores.append(.floats(width: columns.count, values: values))
    }

    /// The image file of each row: the path in `column`, relative to the CSV file's folder (or
    /// absolute). A missing file is reported now, with its line, rather than mid-epoch.
    static func imageFiles(column: String, table: CSVTable, rows: [Int], csvPath: String) throws(DataError) -> [String] {
        let c = try table.column(column)
        let folder = csvPath.lastIndex(of: "/").map { String(csvPath[..<$0]) } ?? ""
        var files: [String] = []
        files.reserveCapacity(rows.count)
        for row in rows {
            let text = table.rows[row][c].trimmingBlanks()
            let file = FileSystem.join(folder, text)
            guard FileSystem.kind(of: file) == .file else {
                let what = FileSystem.kind(of: file) == nil ? "no such image file" : "not a file"
                throw DataError("line \(table.lines[row]), column \(excerpt(column)): \(what) \(excerpt(text)) (image paths are relative to the CSV file's folder)",
                                path: csvPath)
            }
            files.append(file)
        }
        return files
    }

    /// The features of `rows` as Float32s after imputation and normalisation, and the statistics
    /// used (fitted on the training split unless `fitted` is given).
    private func fitFeatures(_ names: [String], numbers: [String: [Double]], rows: [Int], lines: [Int], missing: MissingValues,
                             normalization: Normalization, fitted: FeatureStatistics?,
                             path: String) throws(DataError) -> ([Float], FeatureStatistics) {
        let width = names.count
        var matrix = [Double](repeating: 0, count: rows.count * width)
        for (c, name) in names.enumerated() {
            let column = numbers[name]!
            for (r, row) in rows.enumerated() { matrix[r * width + c] = column[row] }
        }
        var imputed: [Double]? = nil
        if missing == .mean {
            if let fitted {
                imputed = fitted.imputed
            } else {
                imputed = try names.indices.map { (c) throws(DataError) -> Double in
                    var sum = 0.0, n = 0
                    for r in splits.train where !matrix[r * width + c].isNaN { sum += matrix[r * width + c]; n += 1 }
                    guard n > 0 else {
                        throw DataError("column \(excerpt(names[c])) has no numeric value in the training split to impute missing values from", path: path)
                    }
                    return sum / Double(n)
                }
            }
        }
        for i in matrix.indices where matrix[i].isNaN {
            guard let imputed else {
                throw DataError("column \(excerpt(names[i % width])) has a missing value and training saved no means to impute it with", path: path)
            }
            matrix[i] = imputed[i % width]
        }
        let stats: FeatureStatistics
        if let fitted {
            stats = fitted
        } else {
            var train = [Double]()
            train.reserveCapacity(splits.train.count * width)
            for r in splits.train { train += matrix[(r * width)..<(r * width + width)] }
            stats = .fit(columns: names, normalization: normalization, imputed: imputed, values: train, rows: splits.train.count)
        }
        let values = matrix.indices.map { i in Float((matrix[i] - stats.shift[i % width]) / stats.scale[i % width]) }
        // Each value fits a Float32 (checked at load), but scaling can still push one past it:
        // a tiny fitted spread, or a value far outside the training split's range.
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            let (r, c) = bad.quotientAndRemainder(dividingBy: width)
            throw DataError("line \(lines[r]), column \(excerpt(names[c])): \(matrix[bad]) becomes \(values[bad]) after \(stats.normalization.rawValue) "
                            + "normalisation (shift \(stats.shift[c]), scale \(stats.scale[c]))", path: path)
        }
        return (values, stats)
    }
}

/// The columns a config uses, resolved against the header, and their numeric values.
private struct CSVColumns {
    /// Columns read as class labels (text), and as float targets.
    var labels: [String] = []
    var targets: [String] = []
    /// Other columns read as text: image paths and categories.
    var texts: [String] = []
    /// The columns of each features field, by field name.
    var features: [String: [String]] = [:]
    /// The value of each numeric column in every table row; NaN where missing or not a number.
    var numbers: [String: [Double]] = [:]

    init(table: CSVTable, config: DataConfig, fitted: DataStatistics?) throws(DataError) {
        for field in config.fields {
            switch field.kind {
            case .label(let column), .onehot(let column):
                _ = try table.column(column)
                if !labels.contains(column) { labels.append(column) }
            case .target(let column, _):
                _ = try table.column(column)
                if !targets.contains(column) { targets.append(column) }
            case .image(let image):
                guard let column = image.column else {
                    throw DataError("field '\(field.name)' is an image, but names no column of the CSV file with its path", path: table.path)
                }
                _ = try table.column(column)
                if !texts.contains(column) { texts.append(column) }
            case .category(let category):
                for column in category.columns where !texts.contains(column) {
                    _ = try table.column(column)
                    texts.append(column)
                }
            case .features:
                break
            }
        }
        for field in config.fields {
            guard case .features(let spec) = field.kind else { continue }
            var names: [String]
            if let stats = fitted?.features[field.name] {
                names = stats.columns
            } else {
                switch spec.columns {
                case .named(let given):
                    names = given
                case .allExcept(let excluded):
                    for name in excluded { _ = try table.column(name) }
                    let skip = Set(excluded + labels + targets + texts)
                    names = table.header.filter { !skip.contains($0) }
                }
            }
            for name in names { _ = try table.column(name) }
            guard !names.isEmpty else {
                throw DataError("features field '\(field.name)' has no columns left", path: table.path)
            }
            features[field.name] = names
        }
        for name in Set(targets + features.values.joined()) {
            let c = try table.column(name)
            numbers[name] = table.rows.map { row in
                if case .number(let v) = CSVCell(row[c]) { return v }
                return .nan
            }
        }
    }

    /// The table rows that become samples: all of them, or (`drop`) those with every used cell
    /// present; otherwise the first problem in file order is an error naming line and column.
    func keptRows(_ table: CSVTable, missing: MissingValues) throws(DataError) -> [Int] {
        let strict = Set(labels + targets + texts)
        let used = Set(strict.union(features.values.joined())).map { table.header.firstIndex(of: $0)! }.sorted()
        var kept: [Int] = []
        kept.reserveCapacity(table.rows.count)
        rows: for (r, row) in table.rows.enumerated() {
            for c in used {
                let name = table.header[c]
                let cell = CSVCell(row[c])
                let isLabel = labels.contains(name) || texts.contains(name)
                if case .number = cell { continue }
                if isLabel, cell != .missing { continue }  // a label may be any text
                let what = cell.problem(for: labels.contains(name) ? "label" : targets.contains(name) ? "target" : nil)
                if case .outOfRange = cell {
                    // A number, not a missing value: no `missing` policy applies.
                    throw DataError("line \(table.lines[r]), column \(excerpt(name)): \(what)", path: table.path)
                }
                if missing == .drop { continue rows }
                if strict.contains(name) {
                    throw DataError("line \(table.lines[r]), column \(excerpt(name)): \(what), which cannot be imputed (missing: drop leaves such rows out)", path: table.path)
                }
                if missing == .error {
                    throw DataError("line \(table.lines[r]), column \(excerpt(name)): \(what) (missing: error)", path: table.path)
                }
            }
            kept.append(r)
        }
        guard !kept.isEmpty else {
            throw DataError(table.rows.isEmpty ? "no data rows below the header"
                                               : "all \(table.rows.count) rows have a missing value in the columns used (missing: drop)",
                            path: table.path)
        }
        return kept
    }
}

/// One cell read as a number.
enum CSVCell: Equatable {
    /// A number that fits a Float32 (what the model computes in).
    case number(Double)
    case missing
    case invalid(String)
    /// A finite number too large for a Float32 (`1e39`), which would become infinity in a batch.
    case outOfRange(String)

    /// The spellings of "no value" that pandas also reads as missing.
    static let missingTokens: Set<String> = ["", "NA", "N/A", "n/a", "NaN", "nan", "-nan", "NULL", "null", "None", "#N/A", "<NA>"]

    init(_ text: String) {
        let trimmed = text.trimmingBlanks()
        if Self.missingTokens.contains(trimmed) {
            self = .missing
        } else if Self.isDecimal(trimmed), let value = Double(trimmed), value.isFinite {
            self = Float(value).isFinite ? .number(value) : .outOfRange(trimmed)
        } else {
            self = .invalid(trimmed)
        }
    }

    /// Whether the text is a plain decimal number, `-1.5e-3`: `Double(_:)` reads C strings, so it
    /// stops at a NUL byte (`"0.5\0garbage"` would read as 0.5) and takes hexadecimal floats and
    /// `inf`; a data file means neither.
    static func isDecimal(_ text: String) -> Bool {
        var digits = false, sawE = false, previous: UInt8 = 0
        for c in text.utf8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits = true
            case UInt8(ascii: "."): if sawE { return false }
            case UInt8(ascii: "e"), UInt8(ascii: "E"): if sawE || !digits { return false }; sawE = true
            case UInt8(ascii: "+"), UInt8(ascii: "-"): if previous != 0 && previous != UInt8(ascii: "e") && previous != UInt8(ascii: "E") { return false }
            default: return false
            }
            previous = c
        }
        return digits
    }

    /// `missing value`, `non-numeric target value 'x'`, ...
    func problem(for role: String?) -> String {
        let noun = role.map { "\($0) value" } ?? "value"
        switch self {
        case .number: return "a number"
        case .missing: return "missing \(noun)"
        case .invalid(let text): return "non-numeric \(noun) \(excerpt(text))"
        case .outOfRange(let text): return "\(noun) \(excerpt(text)) is beyond what a Float32 holds (about 3.4e38)"
        }
    }
}

extension ClassLabels {
    /// Numbers the distinct `texts` in sorted order: by value when every one is a number (so
    /// `2` comes before `10`), else by code point.
    init(texts: [String]) {
        let distinct = Array(Set(texts))
        let values = distinct.map { Double($0) }
        let names: [String]
        if values.allSatisfy({ $0 != nil }) {
            names = zip(distinct, values).sorted { a, b in a.1! != b.1! ? a.1! < b.1! : utf8Order(a.0, b.0) }.map(\.0)
        } else {
            names = distinct.sorted(by: utf8Order)
        }
        var position: [String: Int32] = [:]
        for (i, name) in names.enumerated() { position[name] = Int32(i) }
        self.init(indices: texts.map { position[$0]! }, names: names)
    }
}
