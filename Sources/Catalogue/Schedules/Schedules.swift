import GraphIR
import NN
import SpecLanguage

/// `step`: `StepLR`, the rate times `gamma` every `step_size` epochs.
struct StepSchedule: RunnableSchedule {
    let kind = KindSpec("step", .schedule, pytorch: "optim.lr_scheduler.StepLR", "Multiplies the learning rate by `gamma` every `step_size` epochs.", [
        ParameterSpec("step_size", .int, .required, bounds: .atLeast(1), "Epochs between decays."),
        ParameterSpec("gamma", .float, .defaultValue(.float(0.1)), bounds: .above(0), "Decay factor."),
    ])

    func describe(_ o: SpecOptions, epochs: Int) -> String {
        "step(every \(o.int("step_size") ?? 1) epochs x \(SpecValue.number(o.number("gamma"))))"
    }

    func schedule(_ o: SpecOptions, epochs: Int) -> LearningRateSchedule { .step(stepSize: o.int("step_size") ?? 1, gamma: o.number("gamma")) }
}

/// `cosine`: `CosineAnnealingLR` over `t_max` epochs (the run's epochs when not given).
struct CosineSchedule: RunnableSchedule {
    let kind = KindSpec("cosine", .schedule, pytorch: "optim.lr_scheduler.CosineAnnealingLR",
                        "Anneals the learning rate from its initial value to `eta_min` along a half cosine over `t_max` epochs.", [
        ParameterSpec("t_max", .int, .optional("`train.epochs`"), bounds: .atLeast(1), pytorch: "T_max", "Epochs of one half period."),
        ParameterSpec("eta_min", .float, .defaultValue(.float(0)), bounds: .atLeast(0), "Smallest learning rate."),
    ])

    func describe(_ o: SpecOptions, epochs: Int) -> String {
        "cosine(t_max \(o.int("t_max") ?? epochs), eta_min \(SpecValue.number(o.number("eta_min"))))"
    }

    func schedule(_ o: SpecOptions, epochs: Int) -> LearningRateSchedule { .cosine(tMax: o.int("t_max") ?? epochs, etaMin: o.number("eta_min")) }
}
