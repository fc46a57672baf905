extension LanguageGuide {
    static let composing = #"""

        ## Composing specs

        Two ways change a spec without copying it: a file that `extends` another, and `--set` on the
        command line. Both are merged into the spec's YAML before it is checked, so the result is
        checked exactly as a file is, and every message points where the value was written: into
        the file that wrote it, or at the `--set` argument.

        **`extends`.** A spec names one file it builds on, relative to itself:

        ```yaml
        # specs/water_bn_sgd.yaml
        extends: water_bn.yaml
        name: water_bn_sgd
        optimizer: {sgd: {lr: 0.05, momentum: 0.9}}
        train: {epochs: 20}
        ```

        The base's keys are merged under the file's own: mappings key by key (the base's other
        `train` keys stay), a value written in the file wins, a list written in the file replaces
        the base's whole list, and naming another member than the base's (`sgd` where the base has
        `adam`, a `concat` node where it has a layer sequence) replaces it, while naming the same
        one merges its options (`optimizer: {adam: {lr: 0.01}}` keeps the base's other Adam
        options). A base may extend another file in turn; a chain that comes back to a file is
        an error (E009), as is a missing base (E000), both reported at the `extends` line.
        `specrun validate` follows `extends`; `validate` of a base on its own checks it as a
        spec.

        **`--set`.** `train`, `validate`, `summary`, `graph`, `export-torch` and `bench` take
        `--set KEY=VALUE` (repeatable), where the key is the path of keys from the top of the spec
        and the value is YAML:

            specrun train specs/water_bn.yaml --set optimizer.adam.lr=3e-4 --set data.batch_size=64
            specrun validate specs/water_bn.yaml --set 'optimizer={sgd: {lr: 0.1}}'
            specrun summary specs/water_bn.yaml --set model.nodes.mlp.layers.0.linear.out=32

        A setting merges as a file that `extends` the spec would: keys missing from the spec are
        created, `optimizer.sgd.lr=0.1` on an Adam spec replaces the optimizer, and a number key
        reaches an item of a list the spec has (`layers.0`). A wrong key or value is reported at
        the argument, with the same checks and suggestions as in a file:

            --set optimizer.adam.lr: error[E015]: `optimizer.adam.lr` must be > 0, found -1
               | --set optimizer.adam.lr=-1
               |                         ^~

        `--epochs`, `--batch-size`, `--seed` and `--lr` still work, and apply after `--set`. A run
        saves the spec as composed in its folder as `spec.yaml` (which `--resume` trains, so a
        resumed run takes no `--set`), the file as written as `spec.original.yaml`, and the
        settings and extended files in `settings.json`.

        """#
}
