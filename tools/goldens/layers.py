"""Goldens for the layers of issue 9: silu, softplus, layer_norm, group_norm, adaptive average
and max pooling, grouped (and depthwise) conv2d, and embedding.

    /tmp/torchenv/bin/python tools/goldens/layers.py

writes Tests/AutogradTests/Goldens/layers.json. Each case runs the op in torch on fixed inputs,
then backward with a random upstream gradient; LayerGoldenTests compares the forward result and
every input gradient (torch.allclose semantics, rtol/atol per case). The awkward cases are
deliberate: softplus on both sides of its threshold, normalisation of data far from zero,
adaptive windows that overlap (sizes that do not divide) or repeat (an output larger than the
input), tied maxima, an embedding index used twice and the padding index.
"""
import torch
import torch.nn.functional as F

from common import case, write

G = torch.Generator().manual_seed(909)


def randn(*shape, scale=1.0, shift=0.0):
    return torch.randn(shape, generator=G) * scale + shift


def tied(*shape):
    """Multiples of 0.5 in [-2, 2], so pooling windows hold equal maxima."""
    return torch.randint(-4, 5, shape, generator=G).float() / 2


cases = []
add = cases.append

# ---- activations -------------------------------------------------------------------------------
edge = torch.tensor([[-30.0, -10.0, -3.0, -1.0, -1e-4, 0.0, 1e-4, 0.5], [2.0, 4.9, 5.1, 9.9, 10.1, 19.0, 21.0, 40.0]])
add(case("silu", "silu", {"x": edge}, lambda x: F.silu(x)))
add(case("silu wide range", "silu", {"x": torch.linspace(-80.0, 80.0, 41)}, lambda x: F.silu(x)))
add(case("softplus defaults", "softplus", {"x": edge}, lambda x: F.softplus(x), params={"beta": 1.0, "threshold": 20.0}))
add(case("softplus beta 2 threshold 10", "softplus", {"x": edge}, lambda x: F.softplus(x, beta=2.0, threshold=10.0),
         params={"beta": 2.0, "threshold": 10.0}, note="beta x crosses the threshold between 4.9 and 5.1"))
add(case("softplus beta 0.5", "softplus", {"x": edge}, lambda x: F.softplus(x, beta=0.5, threshold=20.0),
         params={"beta": 0.5, "threshold": 20.0}))

# ---- layer norm --------------------------------------------------------------------------------
def double(t):
    return None if t is None else t.double()


def ln_case(name, x, shape, affine=True, bias=True, eps=1e-5, rtol=1e-5, atol=1e-5, exact=False):
    """exact: the reference in float64, rounded once (see far_from_zero below)."""
    inputs = {"x": x}
    if affine:
        inputs["weight"] = randn(*shape)
        if bias:
            inputs["bias"] = randn(*shape)
    cast = double if exact else (lambda t: t)
    return case(name, "layer_norm", inputs,
                lambda x, weight=None, bias=None: F.layer_norm(cast(x), shape, cast(weight), cast(bias), eps).float(),
                params={"shape": list(shape), "eps": eps}, rtol=rtol, atol=atol,
                note="float64 reference" if exact else None)


add(ln_case("layer_norm vector", randn(4, 6), [6]))
add(ln_case("layer_norm no affine", randn(3, 5), [5], affine=False))
add(ln_case("layer_norm weight without bias", randn(3, 5), [5], bias=False))
add(ln_case("layer_norm last two axes of [2,3,4,5]", randn(2, 3, 4, 5), [4, 5]))
add(ln_case("layer_norm whole map [3,4,4]", randn(2, 3, 4, 4), [3, 4, 4], eps=1e-3))
# Data at 100 +- 0.1: PyTorch's float32 CPU kernels are 2e-4 off the float64 result there (their
# statistics are float sums); specrun sums in Double, as for batchnorm, so these two cases compare
# with the float64 reference instead.
add(ln_case("layer_norm far from zero", randn(3, 8, scale=0.1, shift=100.0), [8], rtol=1e-4, atol=1e-4, exact=True))
add(ln_case("layer_norm long rows", randn(2, 300), [300]))

# ---- group norm --------------------------------------------------------------------------------
def gn_case(name, x, groups, affine=True, eps=1e-5, rtol=1e-5, atol=1e-5, exact=False):
    c = x.shape[1]
    inputs = {"x": x}
    if affine:
        inputs["weight"] = randn(c)
        inputs["bias"] = randn(c)
    cast = double if exact else (lambda t: t)
    return case(name, "group_norm", inputs,
                lambda x, weight=None, bias=None: F.group_norm(cast(x), groups, cast(weight), cast(bias), eps).float(),
                params={"groups": groups, "eps": eps}, rtol=rtol, atol=atol, note="float64 reference" if exact else None)


add(gn_case("group_norm 2 groups of [2,4,3,3]", randn(2, 4, 3, 3), 2))
add(gn_case("group_norm one group (layer norm over a map)", randn(2, 4, 3, 3), 1))
add(gn_case("group_norm a group per channel (instance norm)", randn(2, 4, 3, 3), 4))
add(gn_case("group_norm without affine", randn(3, 6, 5), 3, affine=False))
add(gn_case("group_norm on vectors [3,6]", randn(3, 6), 2, eps=1e-3))
add(gn_case("group_norm far from zero", randn(2, 4, 2, 2, scale=0.1, shift=50.0), 2, rtol=1e-4, atol=1e-4, exact=True))

# ---- adaptive pooling --------------------------------------------------------------------------
for op, fn in [("adaptive_avg_pool2d", F.adaptive_avg_pool2d), ("adaptive_max_pool2d", F.adaptive_max_pool2d)]:
    data = tied if op == "adaptive_max_pool2d" else randn
    for name, shape, out in [("global", (2, 3, 5, 7), (1, 1)), ("divisible 8x8 to 4x2", (1, 2, 8, 8), (4, 2)),
                             ("overlapping 5x7 to 3x4", (2, 2, 5, 7), (3, 4)), ("larger than input 3x2 to 5x4", (1, 2, 3, 2), (5, 4)),
                             ("identity size", (1, 1, 4, 4), (4, 4))]:
        add(case(f"{op} {name}", op, {"x": data(*shape)}, lambda x, fn=fn, out=out: fn(x, out),
                 params={"output": list(out)}, rtol=1e-5, atol=1e-6))

# ---- grouped convolution -----------------------------------------------------------------------
def conv_case(name, x, w, b, groups, stride=1, padding=0, dilation=1):
    inputs = {"x": x, "weight": w}
    if b is not None:
        inputs["bias"] = b
    return case(name, "conv2d_groups", inputs,
                lambda x, weight, bias=None: F.conv2d(x, weight, bias, stride=stride, padding=padding, dilation=dilation, groups=groups),
                params={"groups": groups, "stride": stride, "padding": padding, "dilation": dilation}, rtol=1e-5, atol=1e-5)


add(conv_case("conv2d 2 groups", randn(2, 4, 6, 6), randn(6, 2, 3, 3), randn(6), 2, padding=1))
add(conv_case("conv2d depthwise", randn(2, 3, 7, 6), randn(3, 1, 3, 3), randn(3), 3, padding=1))
add(conv_case("conv2d depthwise multiplier 2, stride 2", randn(1, 3, 9, 8), randn(6, 1, 3, 3), None, 3, stride=2, padding=1))
add(conv_case("conv2d 4 groups dilated", randn(2, 8, 9, 9), randn(4, 2, 3, 3), randn(4), 4, padding=2, dilation=2))

# ---- embedding ---------------------------------------------------------------------------------
idx = torch.tensor([[1, 4, 1], [0, 2, 4]])
add(case("embedding with a repeated index", "embedding", {"x": idx.float(), "weight": randn(5, 3)},
         lambda x, weight: F.embedding(x.long(), weight), grad_inputs=["weight"], params={}))
add(case("embedding padding_idx 0", "embedding", {"x": idx.float(), "weight": randn(5, 3)},
         lambda x, weight: F.embedding(x.long(), weight, padding_idx=0), grad_inputs=["weight"], params={"padding": 0}))
add(case("embedding one index per sample", "embedding", {"x": torch.tensor([[3.0], [3.0], [0.0], [6.0]]), "weight": randn(7, 4)},
         lambda x, weight: F.embedding(x.long(), weight, padding_idx=6), grad_inputs=["weight"], params={"padding": 6}))

write("layers", cases, "tools/goldens/layers.py")
