"""JPEG decoding goldens: small JPEG files made by PIL's encoder (greyscale; colour at 4:4:4, 4:2:2
and 4:2:0 chroma subsampling; progressive; optimised Huffman tables; sizes that are not multiples
of the 8x8 or 16x16 blocks), with the pixels PIL's `convert("L")` and `convert("RGB")` decode from them,
which is what a PyTorch data loader built on PIL sees. Run from the repository root:

    /tmp/torchenv/bin/python tools/goldens/jpeg_decode.py

The images are smooth gradients with a few sharp edges and noise, so that chroma upsampling and
the IDCT both matter.
"""
import base64
import io

import numpy as np
import PIL
import PIL.features
from PIL import Image

from data_common import write


def picture(width, height, rng, grey):
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    r = 128 + 100 * np.sin(x / 3.0) * np.cos(y / 5.0)
    g = 255 * x / max(width - 1, 1)
    b = np.where((x // 4 + y // 4) % 2 == 0, 40, 220).astype(np.float64)
    rgb = np.stack([r, g, b], axis=-1) + rng.normal(0, 12, (height, width, 3))
    rgb = np.clip(np.rint(rgb), 0, 255).astype(np.uint8)
    image = Image.fromarray(rgb, "RGB")
    return image.convert("L") if grey else image


def case(name, width, height, rng, grey=False, **save):
    buffer = io.BytesIO()
    picture(width, height, rng, grey).save(buffer, "JPEG", **save)
    data = buffer.getvalue()
    decoded = Image.open(io.BytesIO(data))
    return {
        "name": name, "width": width, "height": height, "mode": decoded.mode,
        "jpeg": base64.b64encode(data).decode(),
        "grey": np.asarray(decoded.convert("L")).reshape(-1).tolist(),
        "rgb": np.asarray(decoded.convert("RGB")).reshape(-1).tolist(),
    }


def main():
    rng = np.random.default_rng(7)
    cases = [
        case("grey_13x9", 13, 9, rng, grey=True, quality=90),
        case("rgb_444_16x16", 16, 16, rng, quality=95, subsampling=0),
        case("rgb_422_21x11", 21, 11, rng, quality=85, subsampling=1),
        case("rgb_420_23x17", 23, 17, rng, quality=75, subsampling=2),
        case("rgb_420_progressive_30x19", 30, 19, rng, quality=80, subsampling=2, progressive=True),
        case("rgb_420_optimized_low_quality_33x7", 33, 7, rng, quality=20, subsampling=2, optimize=True),
        case("grey_progressive_17x25", 17, 25, rng, grey=True, quality=70, progressive=True),
    ]
    # A CMYK file, which specrun refuses (PIL keeps it as CMYK): only the file is kept.
    buffer = io.BytesIO()
    picture(8, 8, rng, grey=False).convert("CMYK").save(buffer, "JPEG")
    write("jpeg_decode", cases, pillow=PIL.__version__, libjpeg_turbo=PIL.features.version("libjpeg_turbo"),
          cmyk=base64.b64encode(buffer.getvalue()).decode())


if __name__ == "__main__":
    main()
