import DataPipeline
import GraphIR
import SpecLanguage

/// A spec's data section as the data pipeline's configuration, each part made by its definition.
extension Catalogue {
    /// The pipeline configuration for a spec's data section.
    public func dataConfig(for data: DataSpec) -> DataConfig {
        DataConfig(source: source(data.source.name).source(data.source.options, data: data),
                   fields: data.fields.map { field($0.kind.name).field($0, data: data) },
                   split: SplitConfig(test: data.split.test, validation: data.split.validation,
                                      seed: UInt64(bitPattern: Int64(data.split.seed)), stratify: data.split.stratify),
                   augmentation: data.augment.map { transform($0.name).transform($0.options) })
    }

    /// The CSV column or folder level a label field reads (its class names are the pipeline's
    /// classes of that source); nil for fields that are not class indices.
    public func labelSource(of field: FieldSpec) -> String? {
        let definition = self.field(field.kind.name)
        return definition.value == .classIndex ? definition.reads(field.kind.options).first : nil
    }

    /// What `classes(<field>)` is for each field that has a class count, from the fitted
    /// statistics: a label's classes, a category field's indices.
    public func classCounts(for data: DataSpec, statistics: DataStatistics) -> [String: Int] {
        var counts: [String: Int] = [:]
        for field in data.fields {
            if let source = labelSource(of: field), let names = statistics.classes[source] { counts[field.name] = names.count }
            if let vocabulary = statistics.categories[field.name] { counts[field.name] = vocabulary.count }
        }
        return counts
    }
}
