"""Resize goldens: torch's `F.interpolate(x, size, mode="bilinear", antialias=True,
align_corners=False)` on float images, which is what the reference's `to_tensor_resize` does after
scaling the decoded bytes to [0, 1]. Covers downscaling (Omniglot's 105 -> 64), upscaling, mixed
directions, one axis unchanged, the identity, and sizes down to one pixel. Run from the repository
root:

    /tmp/torchenv/bin/python tools/goldens/resize.py

Values are stored as exact decimals of the float32s torch produced.
"""

import torch
import torch.nn.functional as F

from data_common import write


def case(name, channels, size_in, size_out, gen, bytes_like=True):
    h, w = size_in
    found = {"name": name, "channels": channels, "in": [h, w], "out": list(size_out)}
    if bytes_like:  # decoded 8-bit pixels / 255, as the reference feeds it; stored as the bytes
        k = torch.randint(0, 256, (1, channels, h, w), generator=gen)
        x = k.to(torch.float32) / 255.0
        found["input_bytes"] = [int(v) for v in k.flatten().tolist()]
    else:
        x = torch.randn((1, channels, h, w), generator=gen)
        found["input"] = [float(v) for v in x.flatten().tolist()]
    y = F.interpolate(x, size=size_out, mode="bilinear", antialias=True, align_corners=False)
    found["output"] = [float(v) for v in y.flatten().tolist()]
    return found


def main():
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(5)
    cases = [
        case("omniglot_105_to_64", 1, (105, 105), (64, 64), gen),
        case("down_64_to_28", 1, (64, 64), (28, 28), gen),
        case("down_by_3_rgb", 3, (30, 21), (10, 7), gen),
        case("up_7_to_13", 1, (7, 7), (13, 13), gen),
        case("up_rgb_5x4_to_11x9", 3, (5, 4), (11, 9), gen, bytes_like=False),
        case("mixed_h_down_w_up", 1, (10, 6), (4, 9), gen),
        case("mixed_h_up_w_down", 2, (6, 10), (9, 4), gen, bytes_like=False),
        case("width_only", 1, (5, 8), (5, 3), gen),
        case("height_only", 1, (8, 5), (3, 5), gen),
        case("identity", 1, (9, 9), (9, 9), gen),
        case("to_one_pixel", 1, (50, 37), (1, 1), gen),
        case("from_one_row", 1, (1, 6), (3, 2), gen),
        case("odd_ratio_down", 1, (97, 113), (31, 40), gen),
        case("odd_ratio_float", 1, (23, 17), (10, 7), gen, bytes_like=False),
    ]
    write("resize", cases, torch=torch.__version__)


if __name__ == "__main__":
    main()
