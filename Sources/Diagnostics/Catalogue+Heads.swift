extension DiagnosticCatalogue {
    static let heads: [CatalogueEntry] = [
        CatalogueEntry(.classCountMismatch, "output width is not the class count", """
            A `cross_entropy` or `nll` output must produce one score per class of its target: its
            last layer's width must be `classes(<target>)`. The check is symbolic:
            `classes(character)` matches `classes(character)` and not `classes(alphabet)`; a fixed
            width such as `10` is checked against the class count once the data is loaded. Class
            weights are checked against the class count the same way.

            ```yaml
            character_logits: {from: embedding, layers: [{linear: {out: classes(alphabet)}}]}
            outputs:
              character: {from: character_logits, target: character, loss: cross_entropy}
            ```
            """),
        CatalogueEntry(.bceHead, "bce output is not one probability", """
            `bce` (PyTorch's `BCELoss`) takes probabilities: the output must be one unit per
            sample and its node must end with `sigmoid`. For raw scores use `bce_with_logits`,
            which applies the sigmoid itself (and is numerically safer).
            """),
        CatalogueEntry(.doubleSigmoid, "bce_with_logits after a sigmoid", """
            Warning. `bce_with_logits` applies a sigmoid to its input, and the node already ends
            with `sigmoid`, so the output is squashed twice and the gradients shrink. Remove the
            final `sigmoid`, or use `bce`.
            """),
        CatalogueEntry(.softmaxBeforeLoss, "softmax before a loss that expects scores", """
            Warning. `cross_entropy` applies log-softmax to its input, and the node already ends
            with `softmax` (or `log_softmax`), so the probabilities are normalised twice; `nll`
            expects log-probabilities, and the node ends with `softmax` instead of `log_softmax`.
            Remove the final layer, or pair `log_softmax` with `nll`.
            """),
        CatalogueEntry(.sharedTarget, "two outputs on one target", """
            Warning. Two outputs train against the same target field, which is usually a
            copy-paste slip (the second head was meant for another target). An output with
            `weight: 0` trains against nothing and draws no warning: that is how a spec reports
            another loss or more metrics on a target (an `l1` output with weight 0 beside the `mse`
            one) without changing what is trained.
            """),
        CatalogueEntry(.targetKind, "target field does not suit the loss", """
            `cross_entropy` and `nll` need a class index per sample: a `label` field. `bce`,
            `bce_with_logits`, `mse` and `l1` need float targets: a `column`, `features` or
            `onehot` field. A label used with `bce` (a label used as a float target) is refused;
            for a 0/1 column, declare it as `{column: Potability}`.
            """),
        CatalogueEntry(.targetShape, "output shape does not match the target", """
            For `mse`, `l1`, `bce` and `bce_with_logits` the output must have the target's shape:
            a `column` target is one value per sample, a `features` target one value per column,
            a `onehot` target `classes(<label>)` values.
            """),
        CatalogueEntry(.metricMismatch, "metric does not suit the output", """
            A metric does not measure its kind of output, or its options contradict the output:
            regression outputs (`mse`, `l1`) take `mae`, `mse`, `rmse` and `r2`, and classification
            outputs take none of them; `top_k_accuracy` needs a multi-class output and `auroc` a
            one-unit binary one (`bce`, `bce_with_logits`); `average: binary` needs a one-unit
            output, and a `threshold` means nothing on an output that is classified by argmax.
            """),
    ]

    static let data: [CatalogueEntry] = [
        CatalogueEntry(.inputWithoutField, "input has no field", """
            Every model input is fed by the data field of the same name, and there is none.
            Declare the field under `data.fields` or rename the input.
            """),
        CatalogueEntry(.fieldShapeMismatch, "field shape contradicts the input shape", """
            The shape a data field produces differs from the shape the model input declares: an
            image field of `channels: 1, size: [64, 64]` is `[1, 64, 64]`; a features field of
            nine columns is `[9]`; a onehot field is `[classes(<label>)]`. A `label` field cannot
            feed an input at all: it is a class index, not a tensor (use `{onehot: <label>}`). The
            note shows where the field is declared.
            """),
        CatalogueEntry(.splitTooLarge, "split leaves nothing to train on", """
            The `test` and `validation` fractions of `data.split` add up to 1 or more, so the
            training split would be empty.
            """),
        CatalogueEntry(.fieldSourceMismatch, "field does not suit the data source", """
            The field asks for something its source cannot provide: an `image` field from a CSV
            file, a `features` or `column` field from an image folder, a `label` that names no
            level of the image folder, preprocessing on an image folder, or a CSV column used by
            two fields.
            """),
        CatalogueEntry(.badBinding, "class counts do not fit the model", """
            Reported when the data is loaded and the class counts are bound to the graph: a count
            is missing or below 1, or a size checked against a class count (a fixed head width, a
            linear `in`, a onehot input) turns out not to match it.
            """),
    ]
}
