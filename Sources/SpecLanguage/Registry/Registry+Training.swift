extension Registry {
    private static let classWeights = ParameterSpec("class_weights", .list(.float, minCount: 1), .optional("every class weighs 1"),
                                                    bounds: .atLeast(0), pytorch: "weight",
                                                    "One weight per class, in class order; the list's length must be the class count.")

    static let losses: [KindSpec] = [
        KindSpec("cross_entropy", .loss, pytorch: "nn.CrossEntropyLoss",
                 "Softmax cross-entropy on raw scores (logits) against class indices (a `label` target).", [
            ParameterSpec("label_smoothing", .float, .defaultValue(.float(0)), bounds: .interval(0, 1),
                          "Share of the target mass spread evenly over all classes."),
            classWeights,
        ]),
        KindSpec("nll", .loss, pytorch: "nn.NLLLoss", "Negative log-likelihood on log-probabilities (after `log_softmax`) against class indices.", [
            classWeights,
        ]),
        KindSpec("bce", .loss, pytorch: "nn.BCELoss", "Binary cross-entropy on probabilities (after `sigmoid`) against 0/1 float targets."),
        KindSpec("bce_with_logits", .loss, pytorch: "nn.BCEWithLogitsLoss",
                 "Binary cross-entropy on raw scores; applies the sigmoid itself, stably.", [
            ParameterSpec("pos_weight", .float, .optional("1"), bounds: .above(0), "Weight of positive examples."),
        ]),
        KindSpec("mse", .loss, pytorch: "nn.MSELoss", "Mean squared error against float targets."),
        KindSpec("l1", .loss, pytorch: "nn.L1Loss", "Mean absolute error against float targets."),
    ]

    private static func lr(_ d: Double) -> ParameterSpec {
        ParameterSpec("lr", .float, .defaultValue(.float(d)), bounds: .above(0), "Learning rate.")
    }

    private static func weightDecay(_ d: Double) -> ParameterSpec {
        ParameterSpec("weight_decay", .float, .defaultValue(.float(d)), bounds: .atLeast(0), "L2 penalty coefficient.")
    }

    private static func eps(_ d: Double) -> ParameterSpec {
        ParameterSpec("eps", .float, .defaultValue(.float(d)), bounds: .atLeast(0), "Added to the denominator for stability.")
    }

    private static let maximize = ParameterSpec("maximize", .bool, .defaultValue(.bool(false)), "Maximise the objective instead of minimising it.")
    private static let betas = ParameterSpec("betas", .floatPair, .defaultValue(.floatPair(0.9, 0.999)), bounds: .interval(0, 1, upperInclusive: false),
                                             "Decay rates of the first and second moment estimates.")
    private static let amsgrad = ParameterSpec("amsgrad", .bool, .defaultValue(.bool(false)), "Use the AMSGrad variant.")
    private static let momentum = ParameterSpec("momentum", .float, .defaultValue(.float(0)), bounds: .atLeast(0), "Momentum factor.")

    static let optimizers: [KindSpec] = [
        KindSpec("sgd", .optimizer, pytorch: "optim.SGD", "Stochastic gradient descent, with optional momentum.", [
            lr(1e-3), momentum,
            ParameterSpec("dampening", .float, .defaultValue(.float(0)), bounds: .atLeast(0), "Dampening for momentum."),
            weightDecay(0),
            ParameterSpec("nesterov", .bool, .defaultValue(.bool(false)), "Nesterov momentum (needs momentum > 0 and dampening 0)."),
            maximize,
        ]),
        KindSpec("adam", .optimizer, pytorch: "optim.Adam", "Adam.", [
            lr(1e-3), betas, eps(1e-8), weightDecay(0), amsgrad, maximize,
            ParameterSpec("decoupled_weight_decay", .bool, .defaultValue(.bool(false)), "Apply weight decay as AdamW does."),
        ]),
        KindSpec("adamw", .optimizer, pytorch: "optim.AdamW", "Adam with decoupled weight decay.", [
            lr(1e-3), betas, eps(1e-8), weightDecay(1e-2), amsgrad, maximize,
        ]),
        KindSpec("rmsprop", .optimizer, pytorch: "optim.RMSprop", "RMSprop.", [
            lr(1e-2),
            ParameterSpec("alpha", .float, .defaultValue(.float(0.99)), bounds: .atLeast(0), "Smoothing constant."),
            eps(1e-8), weightDecay(0), momentum,
            ParameterSpec("centered", .bool, .defaultValue(.bool(false)), "Normalise by an estimate of the gradient's variance."),
            maximize,
        ]),
        KindSpec("adagrad", .optimizer, pytorch: "optim.Adagrad", "Adagrad.", [
            lr(1e-2),
            ParameterSpec("lr_decay", .float, .defaultValue(.float(0)), bounds: .atLeast(0), "Learning-rate decay."),
            weightDecay(0),
            ParameterSpec("initial_accumulator_value", .float, .defaultValue(.float(0)), bounds: .atLeast(0),
                          "Starting value of the squared-gradient sums."),
            eps(1e-10), maximize,
        ]),
    ]

    static let schedules: [KindSpec] = [
        KindSpec("step", .schedule, pytorch: "optim.lr_scheduler.StepLR", "Multiplies the learning rate by `gamma` every `step_size` epochs.", [
            ParameterSpec("step_size", .int, .required, bounds: .atLeast(1), "Epochs between decays."),
            ParameterSpec("gamma", .float, .defaultValue(.float(0.1)), bounds: .above(0), "Decay factor."),
        ]),
        KindSpec("cosine", .schedule, pytorch: "optim.lr_scheduler.CosineAnnealingLR",
                 "Anneals the learning rate from its initial value to `eta_min` along a half cosine over `t_max` epochs.", [
            ParameterSpec("t_max", .int, .optional("`train.epochs`"), bounds: .atLeast(1), pytorch: "T_max", "Epochs of one half period."),
            ParameterSpec("eta_min", .float, .defaultValue(.float(0)), bounds: .atLeast(0), "Smallest learning rate."),
        ]),
    ]

    private static let threshold = ParameterSpec("threshold", .float, .defaultValue(.float(0.5)), bounds: .interval(0, 1, upperInclusive: false, lowerInclusive: false),
                                                 "For a one-unit output: predict positive when the probability is at least this (for `bce_with_logits`, the sigmoid of the output).")
    private static let average = ParameterSpec("average", .choice(["binary", "macro"]),
                                               .optional("`binary` for a one-unit output, `macro` for a multi-class one"),
                                               "`binary`: of the positive class; `macro`: the unweighted mean over classes.")

    static let metrics: [KindSpec] = [
        KindSpec("accuracy", .metric, pytorch: nil, "Share of correct predictions: by threshold for a one-unit output, by argmax otherwise.", [threshold]),
        KindSpec("precision", .metric, pytorch: nil, "True positives over predicted positives.", [average, threshold]),
        KindSpec("recall", .metric, pytorch: nil, "True positives over actual positives.", [average, threshold]),
        KindSpec("f1", .metric, pytorch: nil, "Harmonic mean of precision and recall.", [average, threshold]),
    ]
}
