"""Shared helpers for the golden generators: each family script (dense.py, spatial.py, optim.py, ...)
builds cases with `Case` and writes them with `write`. Run from the repository root with a Python
that has torch (CPU wheel):

    /tmp/torchenv/bin/python tools/goldens/dense.py

Every tensor is stored with its shape and its float32 values written as exact decimals (the repr
of the double that equals the float32), so the Swift tests read back the same bits torch produced.
"""
import json
import os

import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_DIR = os.path.join(ROOT, "Tests", "AutogradTests", "Goldens")


def tensor_json(t):
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [float(x) for x in t.flatten().tolist()]}


def case(name, op, inputs, fn, params=None, rtol=1e-5, atol=1e-6, grad_inputs=None, seed=0, note=None):
    """Runs `fn(**inputs)` in torch, then backward with a random upstream gradient per output.

    inputs: name -> tensor (float tensors that should get gradients have requires_grad set here,
            unless listed otherwise in grad_inputs; integer tensors such as class targets are
            stored as floats and never get gradients).
    fn: returns a tensor or a dict name -> tensor (several outputs).
    Returns a dict ready for json with inputs, outputs, upstream gradients and input gradients.
    """
    g = torch.Generator().manual_seed(seed)
    prepared = {}
    for k, v in inputs.items():
        v = v.detach().clone()
        wants = v.is_floating_point() and (grad_inputs is None or k in grad_inputs)
        prepared[k] = v.requires_grad_(wants)
    out = fn(**prepared)
    outputs = out if isinstance(out, dict) else {"y": out}
    upstream = {k: torch.randn(v.shape, generator=g) for k, v in outputs.items() if v.requires_grad}
    if upstream:
        torch.autograd.backward([outputs[k] for k in upstream], [upstream[k] for k in upstream])
    return {
        "name": name,
        "op": op,
        "params": params or {},
        "rtol": rtol,
        "atol": atol,
        "note": note,
        "inputs": {k: tensor_json(v) for k, v in prepared.items()},
        "outputs": {k: tensor_json(v) for k, v in outputs.items()},
        "upstream": {k: tensor_json(v) for k, v in upstream.items()},
        "grads": {k: tensor_json(v.grad) for k, v in prepared.items() if v.requires_grad and v.grad is not None},
    }


def write(family, cases, generator, out_dir=OUT_DIR):
    """Writes <out_dir>/<family>.json (default: the Autograd tests' Goldens folder)."""
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, family + ".json")
    doc = {"generator": generator, "torch": torch.__version__, "cases": cases}
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.relpath(path, ROOT)}")
