"""Runs each probe's PyTorch twin (model.py, exported by specrun) on the probe's batch, with
specrun's weights, and prints one JSON line per case: the largest difference from what specrun
computed, relative to the largest magnitude (at least 1).

    python twins.py CASE_DIR [CASE_DIR ...]

forward cases compare the outputs in evaluation mode; step cases compare every float tensor of the
state_dict after one training step (train_step and make_optimizer from the export).
"""
import importlib.util
import json
import sys

import torch
from safetensors.torch import load_file

torch.set_num_threads(1)
for i, case in enumerate(sys.argv[1:]):
    meta = json.load(open(f"{case}/meta.json"))
    spec = importlib.util.spec_from_file_location(f"twin{i}", f"{case}/model.py")
    twin = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(twin)
    model = twin.Model()
    model.load_state_dict(load_file(f"{case}/weights.safetensors"), strict=True)
    batch = load_file(f"{case}/batch.safetensors")
    expected = load_file(f"{case}/expected.safetensors")
    inputs = {name: batch[f"input.{name}"] for name in meta["inputs"]}
    pairs = []
    if meta["mode"] == "forward":
        model.eval()
        with torch.no_grad():
            outputs = model(*inputs.values())
        pairs = [(outputs[key[len("output."):]], value) for key, value in expected.items()]
    else:
        model.train()
        optimizer = twin.make_optimizer(model)
        targets = {key[len("target."):]: value for key, value in batch.items() if key.startswith("target.")}
        twin.train_step(model, optimizer, inputs, targets)
        state = model.state_dict()
        pairs = [(state[key], value) for key, value in expected.items()]
    difference = 0.0
    for mine, theirs in pairs:
        scale = max(1.0, theirs.abs().max().item())
        difference = max(difference, (mine.float() - theirs).abs().max().item() / scale)
    print(json.dumps({"case": case, "member": meta["member"], "difference": difference}), flush=True)
