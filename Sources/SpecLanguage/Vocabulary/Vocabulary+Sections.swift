extension Vocabulary {
    /// The sections of a spec, from the top level down: the language's grammar, which the
    /// families' members fill in.
    public static let sections: [RecordSpec] = [
        RecordSpec("spec", "The top level of a spec file.", [
            ParameterSpec("extends", .string, .optional("the spec is this file alone"),
                          "A spec file this one builds on, relative to this file. Its keys are merged under this file's: mappings key by key, a value written here wins, a list written here replaces the base's, and naming another member (`optimizer: {sgd: ...}` over the base's `adam`) replaces it. The base may extend another file in turn. See [Composing specs](#composing-specs)."),
            ParameterSpec("name", .string, .required, "The model's name, used for run directories and reports."),
            ParameterSpec("seed", .int, .defaultValue(.int(0)), "Seed of every random choice: initialisation, shuffling, dropout, the split (unless `data.split.seed` is given)."),
            ParameterSpec("data", .record("data"), .required, "Where the samples come from and how they are cut into fields."),
            ParameterSpec("model", .record("model"), .required, "Inputs, nodes and outputs."),
            ParameterSpec("optimizer", .component(.optimizer), .required, "The optimizer, with PyTorch's argument names and defaults."),
            ParameterSpec("schedule", .component(.schedule), .optional("a constant learning rate"), "Learning-rate schedule, stepped once per epoch."),
            ParameterSpec("train", .record("train"), .optional("every key at its default"), "How long and how to train."),
        ]),
        RecordSpec("data", "The data source and the fields each sample provides.", [
            ParameterSpec("source", .component(.source), .required, "The data source."),
            ParameterSpec("fields", .map(.component(.field), minCount: 1), .required,
                          "Named fields of a sample. Model inputs and output targets refer to fields by name."),
            ParameterSpec("preprocessing", .record("preprocessing"), .optional("every key at its default"), "Missing values and scaling, fitted on the training split only."),
            ParameterSpec("split", .record("split"), .optional("every key at its default: no held-out data"), "How samples are held out for testing and validation."),
            ParameterSpec("augment", .list(.component(.transform), minCount: 1), .optional("no augmentation"),
                          "Random transforms of the training split's images, applied in order to every image field of a training sample, freshly drawn every epoch; held-out splits, `eval` and `predict` see the images unchanged. See [Augmentation](#augmentation)."),
            ParameterSpec("batch_size", .int, .defaultValue(.int(32)), bounds: .atLeast(1), "Samples per training step."),
            ParameterSpec("shuffle", .bool, .defaultValue(.bool(true)), "Reshuffle the training samples every epoch."),
        ]),
        RecordSpec("preprocessing", "Missing values in CSV columns, and the scaling of `features` fields and of `image` fields that give no `mean` and `std`. Statistics (means, minima, maxima, deviations) come from the training split only and are saved with the run, so `eval` and `predict` scale as training did.", [
            ParameterSpec("missing", .choice(["error", "drop", "mean"]), .defaultValue(.string("error")),
                          "An empty cell in a column a field reads: `error` stops with its row and column, `drop` drops the row, `mean` fills in the training mean (features only; rows missing a label or target are dropped)."),
            ParameterSpec("normalize", .choice(["none", "minmax", "zscore"]), .defaultValue(.string("none")),
                          "Scaling of each `features` column, and of each channel of an `image` field without `mean` and `std` (over all the training split's pixels): `minmax` to [0, 1], `zscore` to mean 0 and standard deviation 1."),
        ]),
        RecordSpec("split", "Held-out fractions. Samples are permuted with `seed` and the first `test` fraction (rounded) is the test split, the next `validation` fraction the validation split.", [
            ParameterSpec("test", .float, .defaultValue(.float(0)), bounds: .interval(0, 1, upperInclusive: false), "Fraction held out for testing."),
            ParameterSpec("validation", .float, .defaultValue(.float(0)), bounds: .interval(0, 1, upperInclusive: false),
                          "Fraction held out for validation (early stopping, model selection)."),
            ParameterSpec("seed", .int, .optional("the spec's `seed`"), "Seed of the permutation."),
            ParameterSpec("stratify", .reference("a label field"), .optional("no stratification"),
                          "A label field whose class proportions every split keeps."),
        ]),
        RecordSpec("model", "The network: inputs, nodes and outputs.", [
            ParameterSpec("inputs", .map(.list(.size, minCount: 1), minCount: 1), .required,
                          "Each input's shape per sample (without the batch), e.g. `image: [1, 64, 64]`. An input is fed by the field of the same name."),
            ParameterSpec("nodes", .map(.node, minCount: 1), .required,
                          "Named nodes: a layer sequence `{from: <input or node>, layers: [...]}`, or a merge `{concat: [a, b]}` / `{add: [a, b]}`. Order does not matter; the graph is sorted."),
            ParameterSpec("outputs", .map(.record("output"), minCount: 1), .required, "Named outputs, each a node trained against a target field."),
        ]),
        RecordSpec("sequence", "A node that applies layers in order, like `nn.Sequential`.", [
            ParameterSpec("from", .reference("an input or node"), .required, "The input or node it reads."),
            ParameterSpec("layers", .list(.component(.layer), minCount: 1), .required, "The layers, in order."),
        ]),
        RecordSpec("output", "An output head: a node, its target, its loss and its weight in the objective.", [
            ParameterSpec("from", .reference("a node"), .required, "The node whose result is the prediction."),
            ParameterSpec("target", .reference("a field"), .required, "The field the prediction is compared with."),
            ParameterSpec("loss", .component(.loss), .required, "The loss."),
            ParameterSpec("weight", .float, .defaultValue(.float(1)), bounds: .atLeast(0),
                          "Weight of this loss in the objective: `loss = sum of weight * loss`."),
            ParameterSpec("metrics", .list(.component(.metric), minCount: 0), .defaultValue(.list([])), "Metrics reported for this output."),
        ]),
        RecordSpec("train", "The training loop.", [
            ParameterSpec("epochs", .int, .defaultValue(.int(10)), bounds: .atLeast(1), "Passes over the training split."),
            ParameterSpec("eval_every", .int, .defaultValue(.int(1)), bounds: .atLeast(1), "Evaluate on the held-out splits every this many epochs."),
            ParameterSpec("checkpoint_every", .int, .defaultValue(.int(0)), bounds: .atLeast(0),
                          "Also keep the checkpoint of every this many epochs; with 0, a run keeps those of its last and its best epoch (it writes one after every epoch)."),
            ParameterSpec("clip_grad_norm", .float, .optional("no clipping"), bounds: .above(0), pytorch: "max_norm",
                          "Clip the global gradient norm to this before each step, as `nn.utils.clip_grad_norm_`."),
            ParameterSpec("early_stopping", .record("early_stopping"), .optional("train all epochs"), "Stop when a metric stops improving."),
        ]),
        RecordSpec("early_stopping", "Stop training when a held-out metric has not improved for `patience` evaluations. It is measured on the validation split, or on the test split when there is no validation split; the best epoch's weights are then restored into weights.safetensors (Keras's `restore_best_weights`).", [
            ParameterSpec("metric", .reference("a metric"), .required,
                          "`loss` (the objective), `<output>.loss`, or `<output>.<metric>` such as `character.accuracy`."),
            ParameterSpec("patience", .int, .defaultValue(.int(5)), bounds: .atLeast(1), "Evaluations without improvement before stopping."),
            ParameterSpec("mode", .choice(["auto", "min", "max"]), .defaultValue(.string("auto")),
                          "Whether lower or higher is better; `auto`: lower for losses, higher for other metrics."),
            ParameterSpec("min_delta", .float, .defaultValue(.float(0)), bounds: .atLeast(0), "Smallest change that counts as improvement."),
        ]),
    ]
}
