import Catalogue
import GraphIR
import SpecLanguage

/// A spec that puts one member of a family to work on `ProbeData`, written as a user would write
/// it: the member's own example or defaults, with just enough model and data around it.
struct Probe {
    /// `layer linear`, for messages.
    var member: String
    var data = Probe.csvData
    var inputs = "x: [6]"
    var nodes: String
    var outputs = "kind: {from: head, target: kind, loss: cross_entropy}"
    var optimizer = "{sgd: {lr: 0.1}}"
    var schedule: String?
    /// Run a training step and compare parameters with PyTorch (losses, optimizers), or compare
    /// evaluation-mode outputs (everything else).
    var comparesStep = false

    var yaml: String {
        """
        name: probe
        seed: 1
        data:
        \(Self.indent(data, by: 2))
          split: {test: 0.25, seed: 1}
          batch_size: 4
        model:
          inputs: {\(inputs)}
          nodes:
        \(Self.indent(nodes, by: 4))
          outputs: {\(outputs)}
        optimizer: \(optimizer)
        \(schedule.map { "schedule: \($0)" } ?? "")
        train: {epochs: 1}
        """
    }

    static func indent(_ text: String, by n: Int) -> String {
        text.split(separator: "\n").map { String(repeating: " ", count: n) + $0 }.joined(separator: "\n")
    }

    static func csvData(features n: Int) -> String {
        let columns = "[" + (0..<n).map { "f\($0)" }.joined(separator: ", ") + "]"
        return "source: {csv: {path: probe.csv}}\nfields: {x: {features: \(columns)}, kind: {label: kind}, y: {column: y}, bin: {column: bin}}"
    }

    static let csvData = csvData(features: 6)

    static func imageData(channels: Int, height: Int, width: Int) -> String {
        "source: {image_folder: {root: images, levels: [kind]}}\n"
            + "fields: {x: {image: {channels: \(channels), size: [\(height), \(width)]}}, kind: {label: kind}}"
    }

    /// A classifier head on `from` for the `kind` target.
    static func head(from: String) -> String {
        "head: {from: \(from), layers: [flatten, {linear: {out: classes(kind)}}]}"
    }

    /// The member as a spec writes it with only its required options, given example values.
    static func written(_ kind: KindSpec) -> String {
        let required = kind.parameters.filter(\.isRequired)
        guard !required.isEmpty else { return kind.name }
        let values = required.map { p -> String in
            let value: String = switch p.type {
            case .int, .size, .intPair, .numbers: "1"
            case .float: "0.5"
            case .bool: "true"
            default: "x"
            }
            return "\(p.name): \(value)"
        }
        return "{\(kind.name): {\(values.joined(separator: ", "))}}"
    }

    // MARK: - One probe per member

    /// The example's input from a field that makes its shape: CSV columns for a vector, an image
    /// for one or three channels, CSV columns reshaped for any other shape of up to
    /// `ProbeData.featureCount` elements, and the index columns for a layer that reads indices.
    static func layer(_ definition: any LayerDefinition) -> Probe? {
        let example = definition.example, input = example.input
        let shape = "[" + input.map(String.init).joined(separator: ", ") + "]"
        let probed = "probe: {from: x, layers: [\(example.yaml)]}\n" + head(from: "probe")
        let member = "layer \(definition.kind.name)"
        if indexLayers.contains(definition.kind.name) {
            guard input.count == 1, input[0] <= ProbeData.indexColumns.count else { return nil }
            let columns = ProbeData.indexColumns.prefix(input[0]).joined(separator: ", ")
            return Probe(member: member, data: "source: {csv: {path: probe.csv}}\nfields: {x: {features: [\(columns)]}, kind: {label: kind}}",
                         inputs: "x: \(shape)", nodes: probed)
        }
        switch input.count {
        case 1: return Probe(member: member, data: csvData(features: input[0]), inputs: "x: \(shape)", nodes: probed)
        case 3 where [1, 3].contains(input[0]):
            return Probe(member: member, data: imageData(channels: input[0], height: input[1], width: input[2]), inputs: "x: \(shape)", nodes: probed)
        default:
            let count = input.reduce(1, *)
            guard count <= ProbeData.featureCount else { return nil }  // no field makes this shape: extend the probe
            return Probe(member: member, data: csvData(features: count), inputs: "x: [\(count)]",
                         nodes: "shaped: {from: x, layers: [{reshape: {shape: \(shape)}}]}\n"
                             + "probe: {from: shaped, layers: [\(example.yaml)]}\n" + head(from: "probe"))
        }
    }

    /// Layers whose input is indices, fed from the index columns of `ProbeData`.
    static let indexLayers: Set = ["embedding"]

    /// Options of layers that their examples do not reach, each run through every stage and
    /// compared with PyTorch like the examples: (layer kind, probe).
    static let layerVariants: [(kind: String, probe: Probe)] = [
        ("conv2d", Probe(member: "layer conv2d groups and depthwise", data: imageData(channels: 3, height: 6, width: 6), inputs: "x: [3, 6, 6]",
                         nodes: "probe: {from: x, layers: [{conv2d: {out: 4, kernel: 1}}, {conv2d: {out: 6, kernel: 3, padding: 1, groups: 2}}, "
                             + "{conv2d: {out: 6, kernel: 3, stride: 2, groups: 6, bias: false}}, {maxpool2d: {kernel: 2}}]}\n" + head(from: "probe"))),
        ("adaptive_max_pool2d", Probe(member: "layer global adaptive pooling", data: imageData(channels: 3, height: 5, width: 7), inputs: "x: [3, 5, 7]",
                                      nodes: "a: {from: x, layers: [{adaptive_max_pool2d: {output_size: 1}}]}\n"
                                          + "b: {from: x, layers: [{adaptive_avg_pool2d: {output_size: [7, 9]}}, {adaptive_avg_pool2d: {output_size: 1}}]}\n"
                                          + "joined: {add: [a, b]}\n" + head(from: "joined"))),
        ("layernorm", Probe(member: "layer norms without affine parts", data: imageData(channels: 3, height: 4, width: 4), inputs: "x: [3, 4, 4]",
                            nodes: "probe: {from: x, layers: [{layernorm: {normalized_shape: 4, elementwise_affine: false}}, "
                                + "{layernorm: {normalized_shape: [3, 4, 4], bias: false, eps: 0.001}}, {groupnorm: {num_groups: 1, affine: false}}, "
                                + "{groupnorm: {num_groups: 3, num_channels: 3}}]}\n" + head(from: "probe"))),
        ("unflatten", Probe(member: "layer unflatten from the end, reshape with -1", data: csvData(features: 12), inputs: "x: [12]",
                            nodes: "probe: {from: x, layers: [{unflatten: {dim: -1, sizes: [3, -1]}}, {reshape: {shape: [2, -1, 3]}}, "
                                + "{dropout2d: {p: 0.5}}, {unflatten: {dim: 2, sizes: [1, 2]}}]}\n" + head(from: "probe"))),
        ("embedding", Probe(member: "layer embedding, negative padding_idx, after a reshape", data: "source: {csv: {path: probe.csv}}\n"
                                + "fields: {x: {features: [i0, i1]}, kind: {label: kind}}", inputs: "x: [2]",
                            nodes: "probe: {from: x, layers: [{embedding: {num_embeddings: 5, embedding_dim: 3, padding_idx: -1, init: {uniform: {a: -1, b: 1}}}}, "
                                + "{reshape: {shape: [6]}}, silu, {softplus: {beta: 0.5}}]}\n" + head(from: "probe"))),
        // The examples set an activation's option (gelu's tanh form); this takes each default.
        ("gelu", Probe(member: "layer activations with their default options", data: csvData(features: 5), inputs: "x: [5]",
                       nodes: "probe: {from: x, layers: [{linear: {out: 6}}, gelu, {linear: {out: 6}}, leaky_relu, {linear: {out: 6}}, elu, "
                           + "{linear: {out: 6}}, softplus]}\n" + head(from: "probe"))),
        ("softplus", Probe(member: "layer softplus on both sides of its threshold",
                           nodes: "probe: {from: x, layers: [{linear: {out: 6, init: {uniform: {a: -3, b: 3}}, bias_init: {uniform: {a: -3, b: 3}}}}, "
                               + "{softplus: {beta: 2, threshold: 1}}]}\n" + head(from: "probe"))),
    ]

    static func merge(_ definition: any MergeDefinition) -> Probe {
        Probe(member: "merge \(definition.kind.name)",
              nodes: "a: {from: x, layers: [{linear: {out: 4}}]}\nb: {from: x, layers: [{linear: {out: 4}}, tanh]}\n"
                  + "joined: {\(definition.kind.name): [a, b]}\n" + head(from: "joined"))
    }

    static func initializer(_ definition: any InitializerDefinition) -> Probe {
        let written = written(definition.kind)
        let bias = definition.usesFans ? "" : ", bias_init: \(written)"
        return Probe(member: "initializer \(definition.kind.name)",
                     nodes: "probe: {from: x, layers: [{linear: {out: 4, init: \(written)\(bias)}}]}\n" + head(from: "probe"))
    }

    /// A head fit for a loss's target, with the target field.
    static func loss(_ definition: any LossDefinition, loss written: String? = nil, metrics: String = "") -> Probe {
        let loss = written ?? Probe.written(definition.kind)
        let (layers, target): (String, String) = switch definition.target {
        case .classIndex: ("[{linear: {out: classes(kind)}}]", "kind")
        case .probability: ("[{linear: {out: 1}}, sigmoid]", "bin")
        case .logit: ("[{linear: {out: 1}}]", "bin")
        case .value: ("[{linear: {out: 1}}]", "y")
        }
        return Probe(member: "loss \(definition.kind.name)", nodes: "head: {from: x, layers: \(layers)}",
                     outputs: "out: {from: head, target: \(target), loss: \(loss)\(metrics)}", comparesStep: true)
    }

    static func metric(_ definition: any MetricDefinition, losses: [any LossDefinition]) -> Probe? {
        guard let loss = losses.first(where: { definition.targets.contains($0.target) }) else { return nil }
        var probe = Self.loss(loss, metrics: ", metrics: [\(written(definition.kind))]")
        probe.member = "metric \(definition.kind.name)"
        probe.comparesStep = false
        return probe
    }

    static func optimizer(_ definition: any OptimizerDefinition) -> Probe {
        Probe(member: "optimizer \(definition.kind.name)",
              nodes: "hidden: {from: x, layers: [{linear: {out: 5}}, tanh]}\n" + head(from: "hidden"),
              optimizer: written(definition.kind), comparesStep: true)
    }

    /// An image model whose training batches go through the transform.
    static func transform(_ definition: any TransformDefinition) -> Probe {
        Probe(member: "transform \(definition.kind.name)",
              data: imageData(channels: 3, height: 5, width: 6) + "\naugment: [\(written(definition.kind))]", inputs: "x: [3, 5, 6]",
              nodes: head(from: "x"))
    }

    static func schedule(_ definition: any ScheduleDefinition) -> Probe {
        Probe(member: "schedule \(definition.kind.name)", nodes: head(from: "x"), schedule: written(definition.kind))
    }

    /// Data sources and field kinds need data laid out for them: each has its probe here, and a
    /// member without one fails the completeness test by name.
    static let sources: [String: Probe] = [
        "csv": Probe(member: "source csv", data: "source: {csv: {path: probe-semicolon.csv, delimiter: \";\"}}\n"
                         + "fields: {x: {features: [f0, f1, f2, f3, f4, f5]}, kind: {label: kind}}", nodes: head(from: "x")),
        "image_folder": Probe(member: "source image_folder", data: imageData(channels: 1, height: 4, width: 4),
                              inputs: "x: [1, 4, 4]", nodes: head(from: "x")),
    ]

    static let fields: [String: Probe] = [
        "features": Probe(member: "field features", data: "source: {csv: {path: probe.csv}}\n"
                              + "fields: {x: {features: {exclude: [y, bin, \(ProbeData.indexColumns.joined(separator: ", "))]}}, kind: {label: kind}}",
                          inputs: "x: [\(ProbeData.featureCount)]", nodes: head(from: "x")),
        "label": Probe(member: "field label", nodes: head(from: "x")),
        "column": Probe(member: "field column", nodes: "head: {from: x, layers: [{linear: {out: 1}}]}",
                        outputs: "y: {from: head, target: y, loss: mse}"),
        "onehot": Probe(member: "field onehot", data: "source: {csv: {path: probe.csv}}\n"
                            + "fields: {x: {features: [f0, f1]}, kind: {label: kind}, k1: {onehot: kind}}",
                        inputs: "x: [2], k1: [classes(kind)]", nodes: "joined: {concat: [x, k1]}\n" + head(from: "joined")),
        "image": Probe(member: "field image", data: imageData(channels: 3, height: 5, width: 6), inputs: "x: [3, 5, 6]",
                       nodes: head(from: "x")),
        // A category field fed to a linear layer (its indices are floats); `embedding` is its usual reader.
        "category": Probe(member: "field category", data: "source: {csv: {path: probe.csv}}\n"
                              + "fields: {x: {features: [f0, f1]}, kind: {label: kind}, c: {category: {columns: [bin], unknown: index}}}",
                          inputs: "x: [2], c: [1]", nodes: "joined: {concat: [x, c]}\n" + head(from: "joined")),
    ]
}
