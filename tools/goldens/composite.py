"""Composite goldens: the seed's models, end to end, in PyTorch.

For each model: the initial state_dict, one batch's loss and every parameter's gradient, then the
state_dict after ten optimizer steps over ten fixed batches (SGD with momentum, and Adam). The
Swift test builds the same model from the same weights and must reproduce all of it.

The two-output CNN keeps the seed's architecture (conv 3x3 pad 1 -> maxpool 2 -> ELU -> flatten
-> linear embedding -> two linear heads, weighted cross-entropies) at a reduced size (12x12
images, a 16-wide embedding) so the file stays small; water_mlp and water_bn are the seed's sizes.

    /tmp/torchenv/bin/python tools/goldens/composite.py
"""
import json
import os

import torch
import torch.nn as nn

from common import OUT_DIR

torch.set_num_threads(1)


def values(t):
    # 9 significant digits round-trip every float32 exactly.
    return [float("%.9g" % x) for x in t.detach().to(torch.float32).flatten().tolist()]


def state(model):
    return {k: {"shape": list(v.shape), "data": values(v)} for k, v in model.state_dict().items()}


def water_batches(n_batches, batch, seed):
    g = torch.Generator().manual_seed(seed)
    return [(torch.rand(batch, 9, generator=g), torch.randint(0, 2, (batch, 1), generator=g).float())
            for _ in range(n_batches)]


def cnn_batches(n_batches, batch, seed):
    g = torch.Generator().manual_seed(seed)
    return [(torch.rand(batch, 1, 12, 12, generator=g),
             torch.randint(0, 3, (batch,), generator=g), torch.randint(0, 5, (batch,), generator=g))
            for _ in range(n_batches)]


class TwoOutput(nn.Module):
    """The seed's two-output model, node names as specrun's spec gives them."""

    def __init__(self):
        super().__init__()
        self.embedding = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.MaxPool2d(2), nn.ELU(),
                                       nn.Flatten(), nn.Linear(16 * 6 * 6, 16))
        self.alphabet_logits = nn.Sequential(nn.Linear(16, 3))
        self.character_logits = nn.Sequential(nn.Linear(16, 5))

    def forward(self, x):
        e = self.embedding(x)
        return self.alphabet_logits(e), self.character_logits(e)


def make_water_mlp():
    return nn.Sequential(nn.Linear(9, 16), nn.ReLU(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 1), nn.Sigmoid())


def make_water_bn():
    m = nn.Sequential(nn.Linear(9, 16), nn.BatchNorm1d(16), nn.ELU(), nn.Linear(16, 8), nn.BatchNorm1d(8),
                      nn.ELU(), nn.Linear(8, 1), nn.Sigmoid())
    nn.init.kaiming_uniform_(m[0].weight)
    nn.init.kaiming_uniform_(m[3].weight)
    nn.init.kaiming_uniform_(m[6].weight, nonlinearity="sigmoid")
    return m


def run(name, make, batches, loss_fn, optimizers):
    torch.manual_seed(0)
    initial = make()
    init_state = {k: v.clone() for k, v in initial.state_dict().items()}
    case = {"name": name, "initial": state(initial), "batches": [], "runs": []}
    for b in batches:
        case["batches"].append({f"b{i}": {"shape": list(t.shape), "data": values(t)} for i, t in enumerate(b)})
    # One batch: loss and gradients in training mode.
    initial.train()
    loss = loss_fn(initial, batches[0])
    loss.backward()
    case["loss"] = loss.item()
    case["grads"] = {k: {"shape": list(p.grad.shape), "data": values(p.grad)} for k, p in initial.named_parameters()}
    for opt_name, make_opt in optimizers:
        model = make()
        model.load_state_dict(init_state)
        model.train()
        opt = make_opt(model.parameters())
        losses = []
        for b in batches:
            opt.zero_grad()
            loss = loss_fn(model, b)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        case["runs"].append({"optimizer": opt_name, "losses": losses, "final": state(model)})
    return case


def main():
    bce = nn.BCELoss()
    ce = nn.CrossEntropyLoss()
    water_loss = lambda m, b: bce(m(b[0]), b[1])

    def two_output_loss(m, b):
        a, c = m(b[0])
        return 0.5 * ce(a, b[1]) + 1.0 * ce(c, b[2])

    optimizers = [
        ("sgd", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
        ("adam", lambda p: torch.optim.Adam(p, lr=1e-3)),
    ]
    cases = [
        run("water_mlp", make_water_mlp, water_batches(10, 2, 1), water_loss, optimizers),
        run("water_bn", make_water_bn, water_batches(10, 16, 2), water_loss, optimizers),
        run("omniglot_two_output_small", TwoOutput, cnn_batches(10, 4, 3), two_output_loss, optimizers),
    ]
    path = os.path.join(OUT_DIR, "composite.json")
    with open(path, "w") as f:
        json.dump({"generator": "tools/goldens/composite.py", "torch": torch.__version__, "cases": cases}, f,
                  separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} models to {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
