"""Goldens for the spatial ops: conv2d, max/avg pooling and batch normalisation.

    /tmp/torchenv/bin/python tools/goldens/spatial.py

writes Tests/AutogradTests/Goldens/spatial.json. Every case has inputs, PyTorch's outputs, a
random upstream gradient per output and the resulting input gradients; batchnorm in training mode
also records the running statistics after the update. Tensors stay small; the awkward cases are
deliberate: padding, stride, dilation, rectangular windows, overlapping pooling windows with tied
maxima (values rounded to halves so ties are common), odd sizes that leave inputs uncovered, and
batch statistics of data far from zero. Tolerances are per case (rtol, atol as torch.allclose).
"""
import torch
import torch.nn.functional as F

from common import case, write

torch.manual_seed(0)


def randn(*shape):
    return torch.randn(*shape)


def tied(*shape):
    """Values on a coarse grid (multiples of 0.5 in [-2, 2]), so pooling windows hold equal maxima."""
    return torch.randint(-4, 5, shape).float() / 2


def conv_case(name, x, w, b, stride=1, padding=0, dilation=1, grad_x=True, rtol=1e-5, atol=1e-5, note=None):
    inputs = {"x": x, "weight": w}
    if b is not None:
        inputs["bias"] = b
    grads = [k for k in inputs if k != "x" or grad_x]
    return case(name, "conv2d", inputs,
                lambda x, weight, bias=None: F.conv2d(x, weight, bias, stride=stride, padding=padding, dilation=dilation),
                params={"stride": pair(stride), "padding": pair(padding), "dilation": pair(dilation)},
                rtol=rtol, atol=atol, grad_inputs=grads, note=note)


def pair(v):
    return list(v) if isinstance(v, tuple) else [v, v]


def pool_case(op, name, x, kernel, stride=None, padding=0, rtol=1e-6, atol=1e-6, note=None):
    fn = F.max_pool2d if op == "maxpool2d" else F.avg_pool2d
    return case(name, op, {"x": x}, lambda x: fn(x, kernel, stride, padding),
                params={"kernel": pair(kernel), "stride": pair(stride if stride is not None else kernel), "padding": pair(padding)},
                rtol=rtol, atol=atol, note=note)


def bn_case(name, x, affine, training, momentum=0.1, eps=1e-5, rtol=1e-5, atol=1e-5, note=None):
    c = x.shape[1]
    inputs = {"x": x, "running_mean": randn(c) * 0.5, "running_var": torch.rand(c) + 0.5}
    if affine:
        inputs["weight"] = randn(c)
        inputs["bias"] = randn(c)

    def fn(x, running_mean, running_var, weight=None, bias=None):
        rm, rv = running_mean.clone(), running_var.clone()  # the recorded inputs stay as they were
        y = F.batch_norm(x, rm, rv, weight, bias, training=training, momentum=momentum, eps=eps)
        return {"y": y, "running_mean": rm, "running_var": rv}

    return case(name, "batchnorm", inputs, fn,
                params={"training": training, "momentum": momentum, "eps": eps},
                rtol=rtol, atol=atol, grad_inputs=["x", "weight", "bias"], note=note)


cases = [
    # conv2d
    conv_case("conv_padding", randn(2, 3, 7, 6), randn(4, 3, 3, 3), randn(4), padding=1),
    conv_case("conv_stride2", randn(2, 2, 9, 8), randn(3, 2, 3, 3), randn(3), stride=2, padding=1),
    conv_case("conv_dilation2", randn(1, 2, 9, 9), randn(2, 2, 3, 3), randn(2), padding=2, dilation=2),
    conv_case("conv_no_bias", randn(2, 3, 6, 6), randn(5, 3, 2, 2), None),
    conv_case("conv_rectangular", randn(2, 2, 8, 9), randn(3, 2, 3, 2), randn(3), stride=(2, 1), padding=(1, 2), dilation=(1, 2)),
    conv_case("conv_many_channels", randn(2, 8, 5, 5), randn(6, 8, 3, 3), randn(6), padding=1,
              note="72 taps on a 5x5 plane: the direct forward kernel"),
    conv_case("conv_seed_small", randn(2, 1, 8, 8), randn(6, 1, 3, 3), randn(6), padding=1, grad_x=False,
              note="the seed's 1-channel 3x3 conv at 8x8 (direct forward, 6 = 4 + 2 channels); data input without gradient"),
    conv_case("conv_seed_12", randn(1, 1, 12, 12), randn(6, 1, 3, 3), randn(6), padding=1, grad_x=False,
              note="the seed's conv at 12x12 (im2col forward)"),
    conv_case("conv_large_plane", randn(1, 3, 11, 13), randn(5, 3, 3, 3), randn(5), padding=1,
              note="im2col forward with several channels"),
    # max pooling
    pool_case("maxpool2d", "maxpool_2x2", randn(2, 3, 8, 8), 2, note="the vectorised 2x2 path"),
    pool_case("maxpool2d", "maxpool_2x2_odd_ties", tied(2, 2, 7, 9), 2, note="2x2 path, ties, a last row and column no window covers"),
    pool_case("maxpool2d", "maxpool_2x2_wide_ties", tied(1, 2, 4, 20), 2, note="2x2 path over 8-wide blocks and a tail, ties"),
    pool_case("maxpool2d", "maxpool_k3s2_ties", tied(2, 2, 9, 9), 3, 2, note="overlapping windows share inputs, ties"),
    pool_case("maxpool2d", "maxpool_k3s2p1_ties", tied(1, 2, 8, 8), 3, 2, 1, note="padding counts as -inf, ties"),
    pool_case("maxpool2d", "maxpool_k2s1_ties", tied(1, 1, 5, 6), 2, 1, note="stride 1: every inner input in four windows"),
    pool_case("maxpool2d", "maxpool_rectangular", tied(2, 1, 7, 20), (2, 3), (1, 2), (1, 1), note="rectangular window, stride and padding"),
    pool_case("maxpool2d", "maxpool_k3s1p1_wide", randn(1, 2, 6, 21), 3, 1, 1, note="padded windows at the edges, 8-wide blocks inside"),
    # average pooling
    pool_case("avgpool2d", "avgpool_2x2", randn(2, 3, 6, 6), 2),
    pool_case("avgpool2d", "avgpool_k3s2p1", randn(2, 2, 7, 7), 3, 2, 1, note="count_include_pad: edge windows divide by 9"),
    pool_case("avgpool2d", "avgpool_k3s1p1_wide", randn(1, 2, 5, 19), 3, 1, 1, note="overlapping windows, 8-wide blocks inside"),
    pool_case("avgpool2d", "avgpool_rectangular", randn(2, 1, 6, 9), (2, 3), (2, 1), (1, 1)),
    # batch normalisation
    bn_case("batchnorm1d_train", randn(6, 4), affine=True, training=True),
    bn_case("batchnorm1d_train_no_affine", randn(5, 3), affine=False, training=True, momentum=0.3),
    bn_case("batchnorm2d_train", randn(3, 4, 5, 5), affine=True, training=True),
    bn_case("batchnorm2d_train_offset", randn(2, 3, 6, 7) * 0.1 + 100, affine=True, training=True,
            atol=3e-4, note="data at 100 +- 0.1: the variance needs two passes; both sides round the mean to float "
                            "(ulp 7.6e-6) and scale it by invstd ~ 10, so they agree to ~1e-4 only: against float64, "
                            "specrun's output is off by 4.9e-5 and PyTorch's by 1.1e-4"),
    bn_case("batchnorm2d_train_no_affine", randn(4, 2, 3, 3), affine=False, training=True, eps=1e-3),
    bn_case("batchnorm3d_input_train", randn(4, 3, 5), affine=True, training=True, note="(N, C, L) input"),
    bn_case("batchnorm1d_eval", randn(5, 3), affine=True, training=False),
    bn_case("batchnorm2d_eval", randn(2, 3, 4, 4), affine=True, training=False),
    bn_case("batchnorm2d_eval_no_affine", randn(2, 2, 3, 3), affine=False, training=False),
    bn_case("batchnorm1d_train_rows", randn(37, 19) + 2, affine=True, training=True,
            note="(N, C) walked row by row: 8-channel vectors and a 3-channel tail"),
    bn_case("batchnorm1d_eval_rows", randn(9, 21), affine=True, training=False, note="(N, C) row by row in evaluation"),
]

write("spatial", cases, "tools/goldens/spatial.py")
