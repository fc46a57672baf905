"""The benchmark zoo's PyTorch side: each zoo model written by hand in PyTorch (not specrun's
export), trained for timed steps on one synthetic batch, one JSON line out.

    python zoo_torch.py cifar_cnn --batch-size 64 --steps 30 --warmup 5 --threads 2 --variant best

`--variant default` is PyTorch as a user gets it on the CPU (the optimizer's default
implementation, contiguous NCHW tensors). `--variant best` times every setting PyTorch offers for
the model (fused optimizer step; channels-last for convolutional models) and reports the fastest,
with the setting it used. `--sgemm` instead times torch's (MKL's) and numpy's sgemm at 2048^3.

A step is what `specrun bench` times: forward and losses, backward, optimizer step and zero_grad,
each phase timed separately, medians over the timed steps. tools/bench/zoo.py runs this script
and `specrun bench` back to back; the models here must stay the same as the specs in specs/zoo.
To add a model, add a builder to MODELS (and its spec and an entry in zoo.py).
"""
import argparse, json, os, resource, statistics, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F


def lenet5():
    body = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    return body, (1, 28, 28), ["ce:10"], "sgd_momentum"


def cifar_cnn():
    layers = []
    for cin, cout in [(3, 32), (32, 64), (64, 128)]:
        layers += [nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
    body = nn.Sequential(*layers, nn.Flatten(), nn.Linear(2048, 256), nn.ReLU(), nn.Linear(256, 10))
    return body, (3, 32, 32), ["ce:10"], "sgd_momentum"


def separable_cnn():
    # Written from the description in specs/zoo/separable_cnn.yaml, not exported from it.
    layers = [nn.Conv2d(3, 32, 3, padding=1), nn.ReLU()]
    for cin, cout in [(32, 64), (64, 128), (128, 128)]:
        layers += [nn.Conv2d(cin, cin, 3, padding=1, groups=cin), nn.ReLU(), nn.Conv2d(cin, cout, 1), nn.ReLU(), nn.MaxPool2d(2)]
    body = nn.Sequential(*layers, nn.Flatten(), nn.Linear(2048, 10))
    return body, (3, 32, 32), ["ce:10"], "sgd_momentum"


def mlp_bn():
    body = nn.Sequential(
        nn.Linear(784, 1024), nn.BatchNorm1d(1024), nn.ReLU(),
        nn.Linear(1024, 1024), nn.BatchNorm1d(1024), nn.ReLU(), nn.Linear(1024, 10))
    return body, (784,), ["ce:10"], "adam"


class ResidualMLP(nn.Module):
    def __init__(self, width=512, blocks=4):
        super().__init__()
        self.stem = nn.Linear(784, width)
        self.blocks = nn.ModuleList(
            nn.Sequential(nn.ReLU(), nn.Linear(width, width), nn.ReLU(), nn.Linear(width, width)) for _ in range(blocks))
        self.head = nn.Sequential(nn.ReLU(), nn.Linear(width, 10))

    def forward(self, x):
        h = self.stem(x)
        for block in self.blocks:
            h = h + block(h)
        return self.head(h)


def residual_mlp():
    return ResidualMLP(), (784,), ["ce:10"], "adam"


def tiny_mlp():
    body = nn.Sequential(nn.Linear(9, 16), nn.ReLU(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 1), nn.Sigmoid())
    return body, (9,), ["bce"], "adam"


class TwoOutput(nn.Module):
    """The seed's two-output model: conv 1->16 3x3, 2x2 max pool, ELU, a 16384 -> 128 embedding,
    an alphabet head (8 classes) and a character head (242)."""

    def __init__(self):
        super().__init__()
        self.embedding = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.MaxPool2d(2), nn.ELU(), nn.Flatten(),
                                       nn.Linear(16384, 128))
        self.alphabet, self.character = nn.Linear(128, 8), nn.Linear(128, 242)

    def forward(self, x):
        h = self.embedding(x)
        return self.alphabet(h), self.character(h)


def omniglot_two_output():
    # The two cross-entropies summed; plain SGD at lr 0.01 as the shipped spec.
    return TwoOutput(), (1, 64, 64), ["ce:8", "ce:242"], "sgd"


MODELS = {f.__name__: f for f in [lenet5, cifar_cnn, separable_cnn, mlp_bn, residual_mlp, tiny_mlp, omniglot_two_output]}


def make_optimizer(kind, params, fused):
    extra = {"fused": True} if fused else {}
    if kind == "adam":
        return torch.optim.Adam(params, lr=1e-3, **extra)
    if kind == "sgd_momentum":
        return torch.optim.SGD(params, lr=0.01, momentum=0.9, **extra)
    return torch.optim.SGD(params, lr=0.01, **extra)


def time_steps(name, batch, steps, warmup, fused, channels_last):
    torch.manual_seed(0)
    model, shape, losses, optimizer_kind = MODELS[name]()
    x = torch.rand(batch, *shape)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    targets = []
    for loss in losses:
        if loss == "bce":
            targets.append(torch.randint(0, 2, (batch, 1)).float())
        else:
            targets.append(torch.randint(0, int(loss.split(":")[1]), (batch,)))
    optimizer = make_optimizer(optimizer_kind, model.parameters(), fused)
    model.train()
    total, forward, backward, update = [], [], [], []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        outputs = model(x)
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        loss = sum(F.binary_cross_entropy(y, t) if kind == "bce" else F.cross_entropy(y, t)
                   for y, t, kind in zip(outputs, targets, losses))
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        optimizer.step()
        optimizer.zero_grad()
        t3 = time.perf_counter()
        if i >= warmup:
            total.append(t3 - t0); forward.append(t1 - t0); backward.append(t2 - t1); update.append(t3 - t2)
    ms = lambda xs: statistics.median(xs) * 1000
    return {"ms_per_step_median": ms(total), "forward_ms_median": ms(forward), "backward_ms_median": ms(backward),
            "optimizer_ms_median": ms(update), "samples_per_s": batch * 1000 / ms(total), "loss": loss.item(),
            "fused_optimizer": fused, "channels_last": channels_last}


def sgemm(threads, repeats=7, n=2048):
    """Median GFLOP/s of an n^3 sgemm by torch (MKL) and by numpy (its OpenBLAS) on `threads` threads."""
    import numpy as np
    a, b = torch.rand(n, n), torch.rand(n, n)
    an, bn = a.numpy(), b.numpy()
    result = {}
    for label, mm in [("torch", lambda: torch.mm(a, b)), ("numpy", lambda: an @ bn)]:
        mm()
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter(); mm(); times.append(time.perf_counter() - t0)
        result[f"{label}_sgemm_gflops"] = 2 * n ** 3 / statistics.median(times) / 1e9
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", nargs="?", choices=sorted(MODELS))
    ap.add_argument("--batch-size", type=int)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--variant", choices=["default", "best"], default="default")
    ap.add_argument("--sgemm", action="store_true", help="time sgemm at 2048^3 instead of a model")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.sgemm:
        print(json.dumps({"threads": a.threads, "cpu_capability": torch.backends.cpu.get_cpu_capability(), **sgemm(a.threads)}))
        return
    if a.model is None or a.batch_size is None:
        ap.error("give a model and --batch-size (or --sgemm)")
    if a.variant == "default":
        result = time_steps(a.model, a.batch_size, a.steps, a.warmup, fused=False, channels_last=False)
    else:
        convolutional = len(MODELS[a.model]()[1]) == 3
        candidates = [(True, cl) for cl in ([False, True] if convolutional else [False])]
        tried = [time_steps(a.model, a.batch_size, a.steps, a.warmup, fused, cl) for fused, cl in candidates]
        result = min(tried, key=lambda r: r["ms_per_step_median"])
        result["tried_ms_per_step"] = {f"fused={r['fused_optimizer']},channels_last={r['channels_last']}": r["ms_per_step_median"]
                                       for r in tried}
    result.update(model=a.model, variant=a.variant, batch_size=a.batch_size, threads=torch.get_num_threads(),
                  torch=torch.__version__, peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
