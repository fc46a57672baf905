"""Goldens for the NN target's optimizers, schedules, gradient clipping and initializer
arithmetic, written with PyTorch into Tests/NNTests/Goldens/optim.json:

    /tmp/torchenv/bin/python tools/goldens/optim.py

- optimizers: fixed initial parameters and a fixed sequence of 10 gradients (one parameter misses
  its gradient at some steps, one never has one; some cases change the learning rate mid-run),
  the parameters after every step and the final state_dict() state, for each optimizer and
  several option combinations. torch's CPU default is the single-tensor implementation; this
  script asserts that before running.
- schedules: the learning rate of every epoch with scheduler.step() once per epoch (PyTorch's
  recursive get_lr), and the closed form.
- clipping: clip_grad_norm_ on fixed gradients: the returned total norm and the clipped gradients.
- gains: calculate_gain for every nonlinearity; initializers: fans and the uniform bound or normal
  std that torch.nn.init computes for several shapes and options.
"""
import math
import os

import torch
from torch.optim.optimizer import _default_to_fused_or_foreach

from common import ROOT, tensor_json, write

OUT_DIR = os.path.join(ROOT, "Tests", "NNTests", "Goldens")
STEPS = 10
SHAPES = {"fc.weight": (5, 9), "fc.bias": (5,), "frozen.weight": (3,)}


def initial_parameters():
    g = torch.Generator().manual_seed(11)
    return {k: torch.randn(s, generator=g) for k, s in SHAPES.items()}


def gradient_sequence():
    """Per step: name -> gradient, or None (no gradient at that step)."""
    g = torch.Generator().manual_seed(12)
    steps = []
    for i in range(STEPS):
        scale = [0.1, 1.0, 3.0, 0.5, 0.01, 2.0, 1.0, 0.2, 5.0, 0.7][i]
        steps.append({
            "fc.weight": torch.randn(SHAPES["fc.weight"], generator=g) * scale,
            "fc.bias": None if i in (3, 7) else torch.randn(SHAPES["fc.bias"], generator=g) * scale,
            "frozen.weight": None,
        })
    return steps


def optimizer_case(name, algorithm, options, lr_changes=None, rtol=5e-7, atol=1e-8):
    cls = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
           "rmsprop": torch.optim.RMSprop, "adagrad": torch.optim.Adagrad}[algorithm]
    start = initial_parameters()
    params = {k: v.clone().requires_grad_(True) for k, v in start.items()}
    order = list(SHAPES)
    opt = cls([params[k] for k in order], **options)
    steps = []
    for i, grads in enumerate(gradient_sequence()):
        lr = (lr_changes or {}).get(i)
        if lr is not None:
            opt.param_groups[0]["lr"] = lr
        for k in order:
            params[k].grad = None if grads[k] is None else grads[k].clone()
        opt.step()
        steps.append({
            "lr": lr,
            "grads": {k: tensor_json(g) for k, g in grads.items() if g is not None},
            "params": {k: tensor_json(params[k]) for k in order},
        })
    state, scalars = {}, {}
    for index, per_param in opt.state_dict()["state"].items():
        pname = order[index]
        for key, value in per_param.items():
            if key == "step":
                scalars[f"{pname}.step"] = float(value)
            elif value is not None:
                state[f"{pname}.{key}"] = tensor_json(value)
    return {
        "name": name, "algorithm": algorithm, "options": options, "rtol": rtol, "atol": atol,
        "initial": {k: tensor_json(v) for k, v in start.items()}, "order": order,
        "steps": steps, "state": state, "scalars": scalars,
        "final_lr": opt.param_groups[0]["lr"],
    }


def optimizer_cases():
    probe = torch.zeros(1, requires_grad=True)
    assert _default_to_fused_or_foreach([probe], False, False) == (False, False), "CPU default is not single-tensor"
    return [
        optimizer_case("sgd_plain", "sgd", {"lr": 0.1}),
        optimizer_case("sgd_momentum_nesterov_weight_decay", "sgd",
                       {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}, lr_changes={5: 0.05}),
        optimizer_case("sgd_momentum_dampening", "sgd", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3}),
        optimizer_case("sgd_maximize_momentum", "sgd", {"lr": 0.02, "momentum": 0.5, "maximize": True}),
        optimizer_case("adam_defaults", "adam", {}),
        optimizer_case("adam_lr_change", "adam", {"lr": 0.01}, lr_changes={4: 0.003, 8: 0.02}),
        optimizer_case("adam_amsgrad_weight_decay", "adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}),
        optimizer_case("adam_low_beta1_maximize", "adam", {"lr": 0.01, "betas": (0.3, 0.9), "eps": 1e-6, "maximize": True}),
        optimizer_case("adamw_defaults", "adamw", {"lr": 0.01}),
        optimizer_case("adamw_amsgrad_strong_decay", "adamw", {"lr": 0.01, "weight_decay": 0.5, "amsgrad": True}),
        optimizer_case("rmsprop_defaults", "rmsprop", {}),
        optimizer_case("rmsprop_centered_momentum_weight_decay", "rmsprop",
                       {"lr": 0.01, "centered": True, "momentum": 0.9, "weight_decay": 0.01}),
        optimizer_case("rmsprop_momentum_maximize", "rmsprop", {"lr": 0.005, "alpha": 0.9, "momentum": 0.5, "maximize": True}),
        optimizer_case("rmsprop_centered", "rmsprop", {"lr": 0.01, "centered": True}),
        optimizer_case("adagrad_defaults", "adagrad", {"lr": 0.1}),
        optimizer_case("adagrad_lr_decay_initial_accumulator_weight_decay", "adagrad",
                       {"lr": 0.1, "lr_decay": 0.05, "initial_accumulator_value": 0.1, "weight_decay": 0.01}),
        optimizer_case("adagrad_maximize", "adagrad", {"lr": 0.05, "maximize": True}),
    ]


def schedule_case(name, kind, options, base_lr, epochs=25):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base_lr)
    if kind == "step":
        sched = torch.optim.lr_scheduler.StepLR(opt, **options)
    else:
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, **options)
    lrs = []
    for _ in range(epochs):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    closed = []
    for e in range(epochs):
        sched.last_epoch = e
        closed.append(sched._get_closed_form_lr()[0])
    return {"name": name, "schedule": kind, "options": options, "base_lr": base_lr, "lrs": lrs, "closed_form": closed}


def schedule_cases():
    return [
        schedule_case("step_3_half", "step", {"step_size": 3, "gamma": 0.5}, 0.1),
        schedule_case("step_default_gamma", "step", {"step_size": 2}, 0.05),
        schedule_case("cosine_10_eta_min", "cosine", {"T_max": 10, "eta_min": 0.001}, 0.1),
        schedule_case("cosine_4", "cosine", {"T_max": 4}, 0.01),
        schedule_case("cosine_7_past_t_max", "cosine", {"T_max": 7, "eta_min": 1e-4}, 0.3, epochs=40),
    ]


def clip_case(name, max_norm, scale):
    g = torch.Generator().manual_seed(13)
    grads = {"a": torch.randn(4, 3, generator=g) * scale, "b": torch.randn(7, generator=g) * scale, "c": None}
    params = {k: torch.zeros(s, requires_grad=True) for k, s in {"a": (4, 3), "b": (7,), "c": (2,)}.items()}
    for k, v in params.items():
        v.grad = None if grads[k] is None else grads[k].clone()
    total = torch.nn.utils.clip_grad_norm_([params[k] for k in grads], max_norm)
    return {"name": name, "max_norm": max_norm,
            "grads": {k: tensor_json(v) for k, v in grads.items() if v is not None},
            "total_norm": float(total), "clipped": {k: tensor_json(params[k].grad) for k in grads if grads[k] is not None}}


def gain_cases():
    cases = []
    for nl in ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
               "sigmoid", "tanh", "relu", "leaky_relu", "selu"]:
        cases.append({"nonlinearity": nl, "param": None, "gain": torch.nn.init.calculate_gain(nl)})
    for slope in [0.0, 0.2, math.sqrt(5)]:
        cases.append({"nonlinearity": "leaky_relu", "param": slope, "gain": torch.nn.init.calculate_gain("leaky_relu", slope)})
    return cases


def init_cases():
    """The bound or std torch.nn.init computes, from its own helpers and formulas."""
    init = torch.nn.init
    cases = []
    shapes = [(16, 9), (1, 16), (16, 1, 3, 3), (128, 16384), (8, 4, 2, 5, 3)]
    for shape in shapes:
        t = torch.empty(shape)
        fan_in, fan_out = init._calculate_fan_in_and_fan_out(t)
        for name, options in [("kaiming_uniform", {}), ("kaiming_uniform", {"a": math.sqrt(5)}),
                              ("kaiming_uniform", {"nonlinearity": "sigmoid"}),
                              ("kaiming_uniform", {"mode": "fan_out", "nonlinearity": "relu"}),
                              ("kaiming_normal", {}), ("kaiming_normal", {"a": 0.1, "mode": "fan_out"}),
                              ("xavier_uniform", {}), ("xavier_uniform", {"gain": 5.0 / 3}),
                              ("xavier_normal", {"gain": 2.0})]:
            a = options.get("a", 0)
            if name.startswith("kaiming"):
                fan = init._calculate_correct_fan(t, options.get("mode", "fan_in"))
                std = init.calculate_gain(options.get("nonlinearity", "leaky_relu"), a) / math.sqrt(fan)
            else:
                std = options.get("gain", 1.0) * math.sqrt(2.0 / float(fan_in + fan_out))
            case = {"init": name, "options": options, "shape": list(shape), "fan_in": fan_in, "fan_out": fan_out}
            if name.endswith("uniform"):
                bound = math.sqrt(3.0) * std
                getattr(init, name + "_")(t, **options)
                assert t.abs().max().item() <= bound  # torch's own samples respect the bound computed here
                case["bound"] = bound
            else:
                case["std"] = std
            cases.append(case)
        linear_bias_bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        cases.append({"init": "default_bias", "options": {}, "shape": list(shape), "fan_in": fan_in, "fan_out": fan_out,
                      "bound": linear_bias_bound})
    return cases


def main():
    doc = {
        "optimizers": optimizer_cases(),
        "schedules": schedule_cases(),
        "clipping": [clip_case("clips", 1.0, 1.0), clip_case("below_max", 100.0, 1.0), clip_case("large", 0.5, 1000.0)],
        "gains": gain_cases(),
        "initializers": init_cases(),
    }
    write("optim", doc, "tools/goldens/optim.py", out_dir=OUT_DIR)


if __name__ == "__main__":
    main()
