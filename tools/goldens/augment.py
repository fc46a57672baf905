"""Augmentation goldens: torchvision.transforms.v2's kernels on float images for fixed parameters,
and many draws of each random transform's parameters (its own `make_params`, seeded), which the
tests compare specrun's draws with. Run from the repository root:

    /tmp/torchenv/bin/python tools/goldens/augment.py

torchvision: `pip install --no-deps torchvision==0.28.0` into the torch environment (the release
that goes with torch 2.13). PyPI's wheel is built for CUDA, so its compiled extension (detection
operators and video, which the transforms do not use) cannot load beside the CPU build of torch;
the two modules that register that extension's operators are stubbed out before the import.
"""
import sys
import types

for name in ("torchvision._meta_registrations", "torchvision._autograd_registrations"):
    sys.modules[name] = types.ModuleType(name)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torchvision  # noqa: E402
from torchvision.transforms import InterpolationMode  # noqa: E402
from torchvision.transforms import v2  # noqa: E402
from torchvision.transforms.v2 import functional as F  # noqa: E402

from data_common import write  # noqa: E402

DRAWS = 2000


def image(channels, height, width, seed):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    planes = [0.5 + 0.4 * np.sin(x / (2.0 + c) + y / 3.0) * np.cos(y / (4.0 + c)) for c in range(channels)]
    values = np.stack(planes) + rng.normal(0, 0.05, (channels, height, width))
    return torch.tensor(np.clip(values, 0, 1), dtype=torch.float32)


def flat(t):
    # The shortest text that reads back as the same float32 (numpy's repr of a float32).
    return [float(str(v)) for v in t.reshape(-1).numpy()]


def kernel_cases():
    rgb, grey = image(3, 13, 17, 1), image(1, 16, 16, 2)
    cases = []

    def add(name, img, op, params, output):
        cases.append({"name": name, "image": "rgb" if img is rgb else "grey", "op": op, "params": params, "output": flat(output)})

    for mode, fill in [("constant", 0.25), ("constant", [0.1, 0.5, 0.9]), ("edge", 0), ("reflect", 0), ("symmetric", 0)]:
        padding = [2, 1, 3, 4]  # left, top, right, bottom
        for top, left in [(0, 0), (3, 4), (5, 5)]:
            out = F.crop(F.pad(rgb, padding=padding, fill=fill, padding_mode=mode), top, left, 13, 17)
            add(f"crop_{mode}_{top}_{left}" + ("_perchannel" if isinstance(fill, list) else ""), rgb, "crop",
                {"padding": padding, "fill": fill if isinstance(fill, list) else [fill], "mode": mode, "top": top, "left": left}, out)
    add("hflip", rgb, "hflip", {}, F.horizontal_flip(rgb))
    add("vflip", rgb, "vflip", {}, F.vertical_flip(rgb))
    add("hflip_grey", grey, "hflip", {}, F.horizontal_flip(grey))

    for img in (rgb, grey):
        tag = "rgb" if img is rgb else "grey"
        for angle in [17.3, -42.0, 90.5, 133.0]:
            for interpolation in ["nearest", "bilinear"]:
                for fill in [0.0, 0.5]:
                    mode = InterpolationMode.NEAREST if interpolation == "nearest" else InterpolationMode.BILINEAR
                    out = F.rotate(img, angle, interpolation=mode, fill=[fill] * img.shape[0])
                    add(f"rotate_{tag}_{angle}_{interpolation}_{fill}", img, "rotate",
                        {"angle": angle, "interpolation": interpolation, "fill": [fill]}, out)
        for angle, translate, scale, shear in [(12.0, [2, -1], 1.15, [7.0, 0.0]), (-30.0, [-3, 2], 0.85, [-4.0, 6.0]), (0.0, [1, 1], 1.0, [0.0, 0.0]),
                                               (5.0, [0, 0], 1.3, [20.0, -10.0])]:
            for interpolation in ["nearest", "bilinear"]:
                mode = InterpolationMode.NEAREST if interpolation == "nearest" else InterpolationMode.BILINEAR
                out = F.affine(img, angle=angle, translate=translate, scale=scale, shear=shear, interpolation=mode, fill=[0.0] * img.shape[0])
                add(f"affine_{tag}_{angle}_{translate}_{scale}_{shear}_{interpolation}", img, "affine",
                    {"angle": angle, "translate": translate, "scale": scale, "shear": shear, "interpolation": interpolation, "fill": [0.0]}, out)
        for factor in [0.6, 1.3]:
            add(f"brightness_{tag}_{factor}", img, "brightness", {"factor": factor}, F.adjust_brightness(img, factor))
        for factor in [0.5, 1.7]:
            add(f"contrast_{tag}_{factor}", img, "contrast", {"factor": factor}, F.adjust_contrast(img, factor))
        for factor in [0.3, 1.8]:
            add(f"saturation_{tag}_{factor}", img, "saturation", {"factor": factor}, F.adjust_saturation(img, factor))
    add("erase_rgb", rgb, "erase", {"top": 2, "left": 3, "height": 5, "width": 7, "value": [0.2, 0.4, 0.6]},
        F.erase(rgb, 2, 3, 5, 7, torch.tensor([0.2, 0.4, 0.6])[:, None, None]))
    return {"rgb": {"shape": list(rgb.shape), "values": flat(rgb)}, "grey": {"shape": list(grey.shape), "values": flat(grey)}}, cases


def draws():
    """Each transform's own make_params, DRAWS times, from torch.manual_seed(0), on a 3x13x17 image."""
    torch.manual_seed(0)
    img = [image(3, 13, 17, 3)]
    out = {}
    crop = v2.RandomCrop((13, 17), padding=[2, 1, 3, 4])
    out["crop"] = [[p["top"], p["left"]] for p in (crop.make_params(img) for _ in range(DRAWS))]
    rotation = v2.RandomRotation(degrees=[-20, 35])
    out["rotation"] = [rotation.make_params(img)["angle"] for _ in range(DRAWS)]
    affine = v2.RandomAffine(degrees=15, translate=(0.1, 0.2), scale=(0.8, 1.2), shear=(-5, 10, -3, 4))
    rows = []
    for _ in range(DRAWS):
        p = affine.make_params(img)
        rows.append([p["angle"], p["translate"][0], p["translate"][1], p["scale"], p["shear"][0], p["shear"][1]])
    out["affine"] = rows
    jitter = v2.ColorJitter(brightness=0.4, contrast=(0.5, 1.5), saturation=0.2)
    rows = []
    for _ in range(DRAWS):
        p = jitter.make_params(img)
        # the order in which the three given adjustments apply, and their factors
        order = [int(i) for i in p["fn_idx"] if int(i) < 3]
        rows.append([order, p["brightness_factor"], p["contrast_factor"], p["saturation_factor"]])
    out["jitter"] = rows
    erasing = v2.RandomErasing(p=1.0, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0)
    out["erasing"] = [[p["i"], p["j"], p["h"], p["w"]] for p in (erasing.make_params(img) for _ in range(DRAWS))]
    return out


def main():
    images, cases = kernel_cases()
    write("augment", cases, torch=torch.__version__, torchvision=torchvision.__version__, images=images, draws=draws())


if __name__ == "__main__":
    main()
