"""PNG decoding goldens: small PNG files of every colour type, bit depth and interlacing, written by
an independent encoder (below, plain zlib), with the pixels PIL's `convert("L")` and
`convert("RGB")` give for them, which is what the PyTorch reference sees. Run from the repository
root:

    /tmp/torchenv/bin/python tools/goldens/png_decode.py

One deliberate divergence: PIL opens 16-bit greyscale as mode I;16 and clips it to 255 when
converting, so nearly every pixel turns white; specrun keeps the high byte, as PIL itself does for
16-bit colour and grey+alpha. Those cases store the high byte and say so in `note`.
"""
import base64
import io
import struct
import zlib

import numpy as np
import PIL
from PIL import Image

from data_common import write

CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def chunk(tag, data):
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def pack_row(samples, depth):
    if depth == 8:
        return bytes(samples)
    if depth == 16:
        return b"".join(struct.pack(">H", s) for s in samples)
    out, acc, bits = bytearray(), 0, 0
    for s in samples:
        acc, bits = (acc << depth) | s, bits + depth
        if bits == 8:
            out.append(acc)
            acc, bits = 0, 0
    if bits:
        out.append(acc << (8 - bits))
    return bytes(out)


def scanlines(rows, depth):
    # filter type 0 on even rows and 1 (Sub) on odd ones, so both paths of the decoder are used
    out = bytearray()
    bpp = max(1, (len(rows[0][0]) * depth) // 8)
    for y, row in enumerate(rows):
        raw = pack_row([s for px in row for s in px], depth)
        if y % 2 == 0:
            out += b"\x00" + raw
        else:
            out += b"\x01" + bytes((raw[i] - (raw[i - bpp] if i >= bpp else 0)) & 0xFF for i in range(len(raw)))
    return bytes(out)


def encode(pixels, color_type, depth, palette=None, trns=None, interlace=False):
    """pixels: height rows of width pixels, each a tuple of samples (palette: index)."""
    height, width = len(pixels), len(pixels[0])
    if interlace:
        raw = b""
        for x0, y0, dx, dy in ADAM7:
            sub = [[pixels[y][x] for x in range(x0, width, dx)] for y in range(y0, height, dy)]
            if sub and sub[0]:
                raw += scanlines(sub, depth)
    else:
        raw = scanlines(pixels, depth)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, int(interlace)))
    if palette is not None:
        out += chunk(b"PLTE", bytes(v for rgb in palette for v in rgb))
    if trns is not None:
        out += chunk(b"tRNS", trns)
    return out + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def case(name, width, height, color_type, depth, rng, palette_size=None, trns=None, interlace=False, note=None):
    n = CHANNELS[color_type]
    top = (palette_size if color_type == 3 else 1 << depth) - 1
    values = rng.integers(0, top + 1, size=(height, width, n))
    values[0, 0, :] = 0          # the extremes are always present
    values[-1, -1, :] = top
    pixels = [[tuple(int(v) for v in values[y, x]) for x in range(width)] for y in range(height)]
    palette = None
    if color_type == 3:
        palette = [tuple(int(v) for v in rng.integers(0, 256, size=3)) for _ in range(palette_size)]
    data = encode(pixels, color_type, depth, palette, trns, interlace)
    image = Image.open(io.BytesIO(data))
    if color_type == 0 and depth == 16:
        grey = (values[..., 0] >> 8).astype(np.uint8)
        rgb = np.repeat(grey[..., None], 3, axis=2)
        pil_grey = np.asarray(image.convert("L"))
        note = f"PIL clips 16-bit grey to 255 ({int((pil_grey == 255).sum())} of {grey.size} pixels white); specrun keeps the high byte"
    else:
        grey, rgb = np.asarray(image.convert("L")), np.asarray(image.convert("RGB"))
    return {
        "name": name, "width": width, "height": height, "pil_mode": image.mode, "note": note,
        "png": base64.b64encode(data).decode("ascii"),
        "grey": [int(v) for v in grey.flatten()], "rgb": [int(v) for v in rgb.flatten()],
    }


def main():
    rng = np.random.default_rng(20240601)
    cases = []
    for depth in (1, 2, 4, 8, 16):
        cases.append(case(f"grey{depth}", 13, 7, 0, depth, rng))
    cases.append(case("grey8_trns", 9, 5, 0, 8, rng, trns=struct.pack(">H", 7)))
    cases.append(case("grey_alpha8", 11, 6, 4, 8, rng))
    cases.append(case("grey_alpha16", 11, 6, 4, 16, rng))
    cases.append(case("rgb8", 10, 7, 2, 8, rng))
    cases.append(case("rgb16", 10, 7, 2, 16, rng))
    cases.append(case("rgb8_trns", 6, 6, 2, 8, rng, trns=struct.pack(">HHH", 1, 2, 3)))
    cases.append(case("rgba8", 9, 8, 6, 8, rng))
    cases.append(case("rgba16", 9, 8, 6, 16, rng))
    for depth in (1, 2, 4, 8):
        cases.append(case(f"palette{depth}", 13, 5, 3, depth, rng, palette_size=min(1 << depth, 200)))
    cases.append(case("palette8_trns", 12, 6, 3, 8, rng, palette_size=40, trns=bytes(range(0, 250, 25))))
    cases.append(case("grey1_interlaced", 13, 11, 0, 1, rng, interlace=True))
    cases.append(case("grey8_interlaced", 17, 9, 0, 8, rng, interlace=True))
    cases.append(case("rgb8_interlaced", 10, 10, 2, 8, rng, interlace=True))
    cases.append(case("palette4_interlaced", 9, 13, 3, 4, rng, palette_size=16, interlace=True))
    cases.append(case("rgba16_interlaced", 5, 3, 6, 16, rng, interlace=True))
    cases.append(case("grey8_1x1", 1, 1, 0, 8, rng))
    write("png_decode", cases, pillow=PIL.__version__)


if __name__ == "__main__":
    main()
