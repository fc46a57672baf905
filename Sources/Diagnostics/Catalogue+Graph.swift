extension DiagnosticCatalogue {
    static let references: [CatalogueEntry] = [
        CatalogueEntry(.undefinedReference, "undefined reference", """
            A name refers to nothing: a node's `from` names no input or node, an output's `from`
            names no node, a `target` or `onehot:` names no field, `classes(x)` or
            `data.split.stratify` names no field, or `early_stopping.metric` names no metric an
            output reports. The same code marks a reference to the wrong kind of thing:
            `classes(x)`, `onehot:` and `stratify` need a `label` field. The note suggests the
            closest name.
            """),
        CatalogueEntry(.cycle, "cycle", """
            Nodes feed each other in a loop, so no order computes them. The message lists the
            nodes of the loop in order.

            ```yaml
            nodes:
              a: {from: b, layers: [relu]}
              b: {from: a, layers: [relu]}
            ```
            """),
        CatalogueEntry(.nameClash, "name used twice", """
            Inputs and nodes share one namespace (both can appear in `from`), so a node cannot
            have the name of an input. Rename one of them.
            """),
        CatalogueEntry(.unusedNode, "node not used by any output", """
            Warning. No output depends on the node, so it would be computed for nothing (its
            parameters would never receive a gradient). Either connect it to an output or remove
            it.
            """),
        CatalogueEntry(.unusedInput, "input not read by any node", """
            No node reads the model input, yet the data pipeline would load and batch it every
            step. Remove the input or read it with a node's `from`.
            """),
    ]

    static let shapes: [CatalogueEntry] = [
        CatalogueEntry(.sizeMismatch, "declared size does not match the incoming shape", """
            A layer declares the size of its input (`in` on `linear` and `conv2d`, PyTorch's
            `in_features` and `in_channels`) and shape inference finds a different size coming in. The message names the node and
            layer index and gives both sizes; a note shows the layer that produced the input.

            A classic case: a 64x64 image through `conv2d {kernel: 3, padding: 1}` and
            `maxpool2d {kernel: 3, stride: 2}` is 16 x 31 x 31, so after `flatten` the linear layer
            receives 15376 features, not 16 * 32 * 32 = 16384. The `in` keys are optional: leave
            them out and specrun infers them.
            """),
        CatalogueEntry(.windowTooLarge, "window larger than its input", """
            A conv2d or pooling window (its kernel, dilated, against the input padded on both
            sides) is larger than the input's height or width, so PyTorch would fail with
            "kernel size can't be greater than actual input size". The message gives both sizes.
            """),
        CatalogueEntry(.concatMismatch, "concat of mismatched shapes", """
            A `concat` node joins inputs whose ranks differ or whose sizes differ on an axis other
            than the concatenation axis (`dim`, counted as in `torch.cat`: 0 is the batch, 1 the
            features or channels). The message shows every shape.
            """),
        CatalogueEntry(.addMismatch, "add of mismatched shapes", """
            An `add` node sums inputs that do not all have the same shape. specrun does not
            broadcast in `add`: a residual connection adds tensors of one shape.
            """),
        CatalogueEntry(.rankMismatch, "layer applied to an input of the wrong rank", """
            A layer receives a tensor of a rank it does not accept: `linear` needs a vector per
            sample (add `flatten` after convolutions), `conv2d`, the pooling layers and `dropout2d`
            need channels x height x width (`reshape` turns CSV columns into that), `batchnorm` and
            `groupnorm` take (features), (channels, length) or (channels, height, width).
            """),
        CatalogueEntry(.uncomputableSize, "size cannot be computed before the data is read", """
            A size would depend on a class count in a way that cannot be written as a linear form:
            flattening two data-dependent dimensions, or a strided window over a data-dependent
            height. Use fixed sizes there.
            """),
        CatalogueEntry(.dimOutOfRange, "dimension out of range", """
            A `dim` (softmax, log_softmax, concat) or `start_dim`/`end_dim` (flatten) does not
            name an axis of its input. Axes are counted as in PyTorch, with the batch as axis 0,
            and negative values count from the end.
            """),
        CatalogueEntry(.indivisibleSize, "sizes that do not divide or multiply out", """
            A layer splits or rearranges its input in a way the sizes do not allow: `conv2d`
            `groups` must divide both the incoming channels and `out`, `groupnorm` `num_groups`
            must divide the channels, `layernorm` `normalized_shape` must be the input's last
            axes, and `reshape` or `unflatten` must keep the number of elements (PyTorch fails
            on each at run time). With a class count among the sizes, use fixed sizes there.
            """),
        CatalogueEntry(.indexInput, "indices not read from a model input", """
            `embedding` looks up rows by index, so its input must be indices: the first layer of
            a node whose `from` is a model input, fed by a field that holds whole numbers (until
            specrun has integer fields, a `features` or `column` field whose values are whole
            numbers; each is checked against `num_embeddings` when the data is loaded). The
            output of another layer holds floats, which PyTorch's `nn.Embedding` refuses too.
            """),
        CatalogueEntry(.tooLarge, "too large to train", """
            A layer would hold more parameters, or make more values per sample, than specrun trains:
            at most 2,147,483,648 of either (8 GiB as Float32) in one layer. Sizes this large are
            almost always a typo (an extra digit in `out`); the message says how many bytes the
            layer would need. Sizes that depend on class counts are checked again when the data is
            loaded, and a model that fits these limits but not in the machine's memory is refused
            when training starts, with the bytes it needs and the bytes there are.
            """),
    ]
}
