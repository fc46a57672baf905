extension DiagnosticCatalogue {
    static let files: [CatalogueEntry] = [
        CatalogueEntry(.unreadableFile, "the file cannot be read", """
            specrun could not open or read the file named on the command line, or a file named by a
            spec's `extends`: it does not exist, is a directory, or is not readable. Check the
            path; paths on the command line are relative to the current directory, and an
            `extends` path is relative to the spec that writes it.
            """),
        CatalogueEntry(.yamlSyntax, "YAML syntax error", """
            The file is not well-formed YAML. The message is libyaml's, at the place where libyaml
            gave up; a `note:` shows where the construct it was reading began. Common causes: a tab
            used for indentation, a missing space after `:`, an unclosed `[` or `{`, a value
            indented less than its key, or an alias `*name` with no `&name` anchor before it.

            ```yaml
            model:
              inputs:
                image: [1, 64, 64
            ```

            Here the flow sequence is never closed; write `[1, 64, 64]`.
            """),
        CatalogueEntry(.duplicateKey, "duplicate key", """
            A mapping has the same key twice. Most YAML libraries silently keep the last value, which
            hides edits that were meant to replace the first; specrun refuses the file instead. The
            note points at the first occurrence.

            ```yaml
            optimizer: {adam: {lr: 0.001}}
            optimizer: {sgd: {lr: 0.01}}
            ```
            """),
        CatalogueEntry(.aliasExpansion, "aliases expand too far", """
            YAML anchors (`&a`) and aliases (`*a`) let one node be reused. Nested aliases can make a
            tiny file stand for an enormous document (the "billion laughs" attack). specrun counts
            the nodes the document would have with every alias expanded and refuses it beyond
            100,000; a real spec has a few hundred.
            """),
        CatalogueEntry(.unsupportedTag, "unsupported tag", """
            The node carries a YAML tag other than the core-schema tags `!!str`, `!!int`,
            `!!float`, `!!bool`, `!!null`, `!!seq` and `!!map`. Application tags such as
            `!python/object` have no meaning in a spec. Remove the tag; use quotes (or `!!str`) to
            keep a value as text.
            """),
        CatalogueEntry(.multipleDocuments, "more than one document", """
            The file contains a second YAML document (after a `---` line). A spec is exactly one
            document; put each spec in its own file.
            """),
        CatalogueEntry(.notUTF8, "not UTF-8", """
            The file contains bytes that are not valid UTF-8 (it may be saved as Latin-1 or UTF-16).
            The location is the first invalid byte. Save the file as UTF-8.
            """),
        CatalogueEntry(.limitExceeded, "input too large", """
            The file is larger than 4 MiB or nests sequences and mappings more than 64 levels deep.
            A spec is a few kilobytes and a few levels deep; such input is refused before it can
            cost time or memory.
            """),
        CatalogueEntry(.complexKey, "mapping key is not a name", """
            A mapping key is itself a list or a mapping (YAML's `? [a, b]: value` form). Every key
            in a spec is a name.
            """),
        CatalogueEntry(.badComposition, "the spec cannot be composed", """
            A spec's `extends` or a `--set` argument cannot be applied. `extends` names one spec
            file, relative to the spec that writes it, whose keys this spec's own are merged onto;
            the files it names may not lead back to a file already in the chain (a cycle), nor go
            more than 16 files deep. `--set KEY=VALUE` sets one key, written as the path of keys
            from the top of the spec (`optimizer.adam.lr=0.01`, `model.nodes.mlp.layers.0.linear.out=32`):
            the argument needs the `=`, each key in the path a name (or the index of an item of
            a list the spec already has), and a key can be set once. `extends` itself cannot be
            set from the command line.

            ```yaml
            # a.yaml                 # b.yaml
            extends: b.yaml          extends: a.yaml     # a cycle
            ```
            """),
    ]

    static let structure: [CatalogueEntry] = [
        CatalogueEntry(.wrongType, "wrong type", """
            A value has the wrong type for its key: text where a number goes, a list where a
            mapping goes, and so on. Numbers are written plain (`0.001`, `1.0e-8`, `-5`, `0.5`); a
            quoted value (`"0.001"`) is always text. Booleans are `true` and `false`: the YAML 1.1
            spellings `yes`, `no`, `on` and `off` are refused, because they are read differently by
            different tools.

            ```yaml
            train: {epochs: ten}        # expected an integer
            data: {shuffle: yes}        # write true
            ```
            """),
        CatalogueEntry(.unknownKey, "unknown key", """
            A mapping has a key that is not part of the spec language at that place, usually a
            misspelling; the note suggests the closest valid key. Unknown keys are errors, not
            ignored, so that a typo such as `momentun: 0.9` cannot silently train with the default.
            docs/spec-language.md lists every key.
            """),
        CatalogueEntry(.missingKey, "missing required key", """
            A required key is absent. Required keys have no sensible default: the spec's `name`,
            `data`, `model` and `optimizer`, a data `source`, a linear layer's `out`, a conv2d's
            `out` and `kernel`, an output's `from`, `target` and `loss`, and the like.
            """),
        CatalogueEntry(.unknownName, "unknown name", """
            The name of a layer, initializer, loss, optimizer, schedule, metric, data source or
            field kind is not one specrun knows, or a key that takes one of a fixed set of words
            (`mode: fan_in`, `missing: drop`) has another; the note suggests the closest known
            name or lists them all.

            ```yaml
            layers: [{linaer: {out: 10}}]      # did you mean 'linear'?
            ```
            """),
        CatalogueEntry(.malformedOption, "malformed option", """
            Anything with options (a layer, an initializer, a loss, an optimizer, a schedule, a
            metric, a data source, a field) is written either as its bare name or as a mapping
            with exactly one key, the name, whose value is a mapping of options:

            ```yaml
            - elu
            - conv2d: {out: 16, kernel: 3, padding: 1}
            optimizer: {adam: {lr: 0.001}}
            ```

            This error means the mapping had no key or several (a common slip is an option written
            next to the name instead of inside its mapping), or the options were not a mapping.
            """),
        CatalogueEntry(.outOfRange, "value out of range", """
            A number is outside the values its key accepts: sizes, kernels and strides are at
            least 1, padding is at least 0 (and at most half the kernel for pooling), dropout's `p`
            is in [0, 1), a learning rate is greater than 0, a loss weight is at least 0, an image
            has 1 or 3 channels, a CSV delimiter is one character, and so on. The message gives the
            accepted range; docs/spec-language.md lists it for every key.
            """),
        CatalogueEntry(.badSize, "malformed size", """
            A size is a positive integer or a sum of terms, each an integer or an integer times
            `classes(<label field>)`: `10`, `classes(character)`, `128 + classes(alphabet)`,
            `2 * classes(alphabet)`. A product of two `classes(...)` terms is refused: every size
            in a spec must be linear in the class counts, so that it can be checked before the data
            is read; for the same reason a size may add class counts but not subtract them.
            """),
        CatalogueEntry(.emptySpec, "empty spec", """
            The file holds no YAML document, or its top level is not a mapping. A spec is a mapping
            with at least `name`, `data`, `model` and `optimizer`.
            """),
        CatalogueEntry(.conflictingOptions, "conflicting options", """
            Two options that cannot be used together, or an option whose value contradicts
            another's. Examples: SGD with `nesterov: true` needs `momentum` above 0 and
            `dampening: 0` (PyTorch raises the same error); a `features` field cannot have both
            `columns` and `exclude`; a `uniform` initializer needs `a` below `b`; a bias cannot take a
            fan-based initializer (`kaiming_*`, `xavier_*`), which needs a weight; an image's `mean`
            and `std` need one value per channel, and come together; an output lists a metric
            twice; `train.early_stopping` needs a held-out split to measure on.
            """),
        CatalogueEntry(.yaml11Number, "a number YAML 1.1 reads as text", """
            specrun reads YAML 1.2, where `1e-3` is a number. YAML 1.1, which PyYAML and many
            editors and schema checkers built on it still follow, reads a float only with a dot
            and a signed exponent, so there `1e-3`, `1.0e3` and `-.5` are strings, and `08` (a
            leading zero) is a string or an octal number. The spec still runs; the warning is for
            the other tools that read it, whose JSON Schema check would reject the value. The
            message gives the same number in a form every reader agrees on.

            ```yaml
            optimizer: {adam: {lr: 1e-3}}      # write 0.001
            optimizer: {adam: {eps: 1e-8}}     # write 1.0e-8
            ```
            """),
    ]
}
