extension Registry {
    private static let positive = Bounds.atLeast(1)

    static let weightInit = ParameterSpec("init", .component(.initializer), .optional("PyTorch's default for the layer"),
                                          "Initializer of the weight.")
    static let biasInit = ParameterSpec("bias_init", .component(.initializer), .optional("PyTorch's default for the layer"),
                                        "Initializer of the bias.")
    static let bias = ParameterSpec("bias", .bool, .defaultValue(.bool(true)), "Whether the layer adds a learned bias.")

    private static func window(stride defaultsToKernel: Bool, padding: String) -> [ParameterSpec] {
        [
            ParameterSpec("kernel", .intPair, .required, bounds: positive, pytorch: "kernel_size",
                          "Window height and width: `3` or `[3, 5]`."),
            defaultsToKernel
                ? ParameterSpec("stride", .intPair, .optional("`kernel`"), bounds: positive, "Step between windows.")
                : ParameterSpec("stride", .intPair, .defaultValue(.pair(1, 1)), bounds: positive, "Step between windows."),
            ParameterSpec("padding", .intPair, .defaultValue(.pair(0, 0)), bounds: .atLeast(0), padding),
        ]
    }

    private static let dilation = ParameterSpec("dilation", .intPair, .defaultValue(.pair(1, 1)), bounds: positive,
                                                "Spacing between the window's taps.")
    private static let dim = ParameterSpec("dim", .int, .defaultValue(.int(1)),
                                           "The axis, counted as in PyTorch: 0 is the batch, 1 the features or channels; negative counts from the end.")

    static let layers: [KindSpec] = [
        KindSpec("linear", .layer, pytorch: "nn.Linear", "Fully connected layer on a vector per sample: `y = x W^T + b`.", [
            ParameterSpec("in", .size, .optional("inferred from the incoming shape"), bounds: positive, pytorch: "in_features",
                          "Input features. Optional; when given it is checked against the incoming shape."),
            ParameterSpec("out", .size, .required, bounds: positive, pytorch: "out_features",
                          "Output features; may be a class count such as `classes(character)`."),
            bias, weightInit, biasInit,
        ]),
        KindSpec("conv2d", .layer, pytorch: "nn.Conv2d", "2-d convolution over channels x height x width.", [
            ParameterSpec("in", .size, .optional("inferred from the incoming shape"), bounds: positive, pytorch: "in_channels",
                          "Input channels. Optional; when given it is checked against the incoming shape."),
            ParameterSpec("out", .size, .required, bounds: positive, pytorch: "out_channels", "Output channels."),
        ] + window(stride: false, padding: "Zeros added on each side.") + [dilation, bias, weightInit, biasInit]),
        KindSpec("maxpool2d", .layer, pytorch: "nn.MaxPool2d", "2-d max pooling.",
                 window(stride: true, padding: "Cells added on each side, never the maximum; at most half the kernel.")),
        KindSpec("avgpool2d", .layer, pytorch: "nn.AvgPool2d", "2-d average pooling.",
                 window(stride: true, padding: "Zeros added on each side and counted in the average's divisor (PyTorch's default); at most half the kernel.")),
        KindSpec("flatten", .layer, pytorch: "nn.Flatten", "Flattens the axes from `start_dim` to `end_dim` into one.", [
            ParameterSpec("start_dim", .int, .defaultValue(.int(1)), "First axis to flatten (0 is the batch)."),
            ParameterSpec("end_dim", .int, .defaultValue(.int(-1)), "Last axis to flatten; negative counts from the end."),
        ]),
        KindSpec("relu", .layer, pytorch: "nn.ReLU", "max(0, x)."),
        KindSpec("leaky_relu", .layer, pytorch: "nn.LeakyReLU", "x for x >= 0, negative_slope * x below.", [
            ParameterSpec("negative_slope", .float, .defaultValue(.float(0.01)), "Slope for negative inputs."),
        ]),
        KindSpec("elu", .layer, pytorch: "nn.ELU", "x for x > 0, alpha * (exp(x) - 1) below.", [
            ParameterSpec("alpha", .float, .defaultValue(.float(1.0)), "Scale of the negative part."),
        ]),
        KindSpec("sigmoid", .layer, pytorch: "nn.Sigmoid", "1 / (1 + exp(-x))."),
        KindSpec("tanh", .layer, pytorch: "nn.Tanh", "Hyperbolic tangent."),
        KindSpec("softmax", .layer, pytorch: "nn.Softmax", "Normalises exp(x) along `dim` to sum to 1.", [dim]),
        KindSpec("log_softmax", .layer, pytorch: "nn.LogSoftmax", "log(softmax(x)) along `dim`, computed stably.", [dim]),
        KindSpec("batchnorm", .layer, pytorch: "nn.BatchNorm1d / nn.BatchNorm2d",
                 "Batch normalisation: BatchNorm1d on (features) or (channels, length), BatchNorm2d on (channels, height, width).", [
            ParameterSpec("eps", .float, .defaultValue(.float(1e-5)), bounds: .above(0), "Added to the variance for stability."),
            ParameterSpec("momentum", .float, .defaultValue(.float(0.1)), bounds: .interval(0, 1),
                          "Weight of the current batch in the running statistics."),
            ParameterSpec("affine", .bool, .defaultValue(.bool(true)), "Whether the layer learns a scale and a shift."),
        ]),
        KindSpec("dropout", .layer, pytorch: "nn.Dropout", "Zeroes each element with probability `p` in training and scales the rest by 1/(1-p).", [
            ParameterSpec("p", .float, .defaultValue(.float(0.5)), bounds: .interval(0, 1, upperInclusive: false), "Probability of zeroing."),
        ]),
        KindSpec("identity", .layer, pytorch: "nn.Identity", "Passes its input through."),
    ]

    static let merges: [KindSpec] = [
        KindSpec("concat", .merge, pytorch: "torch.cat", shorthand: "from",
                 "Concatenates several nodes or inputs along `dim`; every other axis must match.", [
            ParameterSpec("from", .list(.reference("inputs or nodes"), minCount: 2), .required, "The inputs or nodes to join, in order."),
            dim,
        ]),
        KindSpec("add", .merge, pytorch: "torch.add", shorthand: "from",
                 "Sums several nodes or inputs of one shape (a residual connection).", [
            ParameterSpec("from", .list(.reference("inputs or nodes"), minCount: 2), .required, "The inputs or nodes to add."),
        ]),
    ]

    private static let nonlinearities = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                                         "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"]

    private static func kaiming(_ name: String, _ pytorch: String, _ doc: String) -> KindSpec {
        KindSpec(name, .initializer, pytorch: pytorch, doc, [
            ParameterSpec("a", .float, .defaultValue(.float(0)), "Negative slope of the rectifier that follows (leaky_relu only)."),
            ParameterSpec("mode", .choice(["fan_in", "fan_out"]), .defaultValue(.string("fan_in")),
                          "Preserve the variance in the forward (`fan_in`) or backward (`fan_out`) pass."),
            ParameterSpec("nonlinearity", .choice(nonlinearities), .defaultValue(.string("leaky_relu")),
                          "The nonlinearity that follows, which sets the gain."),
        ])
    }

    private static let gain = ParameterSpec("gain", .float, .defaultValue(.float(1.0)), bounds: .above(0), "Scale factor.")

    static let initializers: [KindSpec] = [
        kaiming("kaiming_uniform", "nn.init.kaiming_uniform_", "He initialisation, uniform."),
        kaiming("kaiming_normal", "nn.init.kaiming_normal_", "He initialisation, normal."),
        KindSpec("xavier_uniform", .initializer, pytorch: "nn.init.xavier_uniform_", "Glorot initialisation, uniform.", [gain]),
        KindSpec("xavier_normal", .initializer, pytorch: "nn.init.xavier_normal_", "Glorot initialisation, normal.", [gain]),
        KindSpec("uniform", .initializer, pytorch: "nn.init.uniform_", "Uniform on [a, b].", [
            ParameterSpec("a", .float, .defaultValue(.float(0)), "Lower bound."),
            ParameterSpec("b", .float, .defaultValue(.float(1)), "Upper bound."),
        ]),
        KindSpec("normal", .initializer, pytorch: "nn.init.normal_", "Normal with the given mean and standard deviation.", [
            ParameterSpec("mean", .float, .defaultValue(.float(0)), "Mean."),
            ParameterSpec("std", .float, .defaultValue(.float(1)), bounds: .atLeast(0), "Standard deviation."),
        ]),
        KindSpec("constant", .initializer, pytorch: "nn.init.constant_", shorthand: "val", "Every element set to `val`.", [
            ParameterSpec("val", .float, .required, "The value."),
        ]),
        KindSpec("zeros", .initializer, pytorch: "nn.init.zeros_", "Every element 0."),
        KindSpec("ones", .initializer, pytorch: "nn.init.ones_", "Every element 1."),
    ]
}
