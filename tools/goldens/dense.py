"""Goldens for the dense (non-spatial) ops of the autograd engine: arithmetic with broadcasting,
matmul and linear, reductions, views/concat/slice, activations, softmax, losses, argmax.

    /tmp/torchenv/bin/python tools/goldens/dense.py

writes Tests/AutogradTests/Goldens/dense.json. Each case runs the op in torch on fixed inputs,
then backward with a random upstream gradient; the Swift tests (DenseGoldenTests) compare the
forward result and every input gradient with the case's rtol/atol (torch.allclose semantics).
Products big enough to go through BLAS are checked in Swift against the direct loop instead, to
keep this file small.
"""
import torch
import torch.nn.functional as F

from common import case, write

G = torch.Generator().manual_seed(1234)


def randn(*shape, scale=1.0):
    return torch.randn(shape, generator=G) * scale


def positive(*shape):
    return torch.rand(shape, generator=G) + 0.5  # denominators away from 0


def targets(n, classes):
    return torch.randint(0, classes, (n,), generator=G)


cases = []
add = cases.append

# ---- arithmetic with broadcasting --------------------------------------------------------------
for op, fn in [("add", torch.add), ("sub", torch.sub), ("mul", torch.mul)]:
    add(case(f"{op} same shape", op, {"a": randn(3, 4), "b": randn(3, 4)}, lambda a, b, fn=fn: fn(a, b)))
    add(case(f"{op} bias [4] over [3,4]", op, {"a": randn(3, 4), "b": randn(4)}, lambda a, b, fn=fn: fn(a, b)))
    add(case(f"{op} [4] broadcast first over [3,4]", op, {"a": randn(4), "b": randn(3, 4)}, lambda a, b, fn=fn: fn(a, b)))
    add(case(f"{op} [3,1] with [1,4]", op, {"a": randn(3, 1), "b": randn(1, 4)}, lambda a, b, fn=fn: fn(a, b)))
    add(case(f"{op} per-channel [3,1,1] over [2,3,2,2]", op, {"a": randn(2, 3, 2, 2), "b": randn(3, 1, 1)},
             lambda a, b, fn=fn: fn(a, b)))
    add(case(f"{op} one-element [1] over [2,3]", op, {"a": randn(2, 3), "b": randn(1)}, lambda a, b, fn=fn: fn(a, b)))
    add(case(f"{op} rank-0 first over [2,3]", op, {"a": randn(), "b": randn(2, 3)}, lambda a, b, fn=fn: fn(a, b)))
    add(case(f"{op} [2,1,4] over [2,3,4] (two kept blocks)", op, {"a": randn(2, 3, 4), "b": randn(2, 1, 4)},
             lambda a, b, fn=fn: fn(a, b)))
add(case("mul same tensor twice", "mul_self", {"a": randn(3, 4)}, lambda a: a * a))
add(case("div same shape", "div", {"a": randn(3, 4), "b": positive(3, 4)}, lambda a, b: a / b))
add(case("div by bias [4]", "div", {"a": randn(3, 4), "b": positive(4)}, lambda a, b: a / b))
add(case("div [4] by [3,4]", "div", {"a": randn(4), "b": positive(3, 4)}, lambda a, b: a / b))
add(case("div per-channel [3,1,1]", "div", {"a": randn(2, 3, 2, 2), "b": positive(3, 1, 1)}, lambda a, b: a / b))

for name, s, fn in [("x + s", 2.5, lambda x: x + 2.5), ("s + x", 2.5, lambda x: 2.5 + x),
                    ("x - s", 1.5, lambda x: x - 1.5), ("s - x", 1.5, lambda x: 1.5 - x),
                    ("x * s", -1.5, lambda x: x * -1.5), ("s * x", 0.25, lambda x: 0.25 * x),
                    ("x / s", 4.0, lambda x: x / 4.0), ("-x", 0.0, lambda x: -x)]:
    add(case(f"scalar {name}", "scalar", {"x": randn(2, 5)}, fn, params={"form": name, "s": s}))
add(case("scalar s / x", "scalar", {"x": positive(2, 5)}, lambda x: 3.0 / x, params={"form": "s / x", "s": 3.0}))

# ---- matmul and linear -------------------------------------------------------------------------
for ta in (False, True):
    for tb in (False, True):
        a = randn(4, 3) if ta else randn(3, 4)
        b = randn(5, 4) if tb else randn(4, 5)
        add(case(f"matmul 2-D transA={ta} transB={tb}", "matmul", {"a": a, "b": b},
                 lambda a, b, ta=ta, tb=tb: (a.T if ta else a) @ (b.T if tb else b),
                 params={"transA": ta, "transB": tb}))
for ta in (False, True):
    for tb in (False, True):
        a = randn(2, 4, 3) if ta else randn(2, 3, 4)
        b = randn(2, 5, 4) if tb else randn(2, 4, 5)
        add(case(f"matmul batched transA={ta} transB={tb}", "matmul", {"a": a, "b": b},
                 lambda a, b, ta=ta, tb=tb: (a.mT if ta else a) @ (b.mT if tb else b),
                 params={"transA": ta, "transB": tb}))
add(case("matmul [2,3,4] x shared [4,5]", "matmul", {"a": randn(2, 3, 4), "b": randn(4, 5)}, lambda a, b: a @ b,
         params={"transA": False, "transB": False}))
add(case("matmul transposed [2,4,3] x shared [5,4]ᵀ", "matmul", {"a": randn(2, 4, 3), "b": randn(5, 4)},
         lambda a, b: a.mT @ b.T, params={"transA": True, "transB": True}))
add(case("matmul shared [3,4] x [2,4,5]", "matmul", {"a": randn(3, 4), "b": randn(2, 4, 5)}, lambda a, b: a @ b,
         params={"transA": False, "transB": False}))

add(case("linear water layer [2,9] -> 16", "linear", {"x": randn(2, 9), "w": randn(16, 9), "b": randn(16)}, lambda x, w, b: F.linear(x, w, b)))
add(case("linear without bias", "linear", {"x": randn(4, 6), "w": randn(3, 6)}, lambda x, w: F.linear(x, w)))
add(case("linear rank-3 input", "linear", {"x": randn(2, 3, 5), "w": randn(4, 5), "b": randn(4)}, lambda x, w, b: F.linear(x, w, b)))

# ---- reductions --------------------------------------------------------------------------------
x = randn(2, 3, 4)
for name, axes, keep in [("all", None, False), ("axis 0", [0], False), ("axis 1 keepdim", [1], True),
                         ("axis -1", [-1], False), ("axes 0,2", [0, 2], False), ("axes 0,2 keepdim", [0, 2], True)]:
    for op in ("sum", "mean"):
        fn = (lambda x, op=op: getattr(x, op)()) if axes is None else \
             (lambda x, op=op, axes=axes, keep=keep: getattr(x, op)(dim=axes, keepdim=keep))
        add(case(f"{op} {name}", op, {"x": x}, fn, params={"axes": axes, "keepdim": keep}))
add(case("sum long row", "sum", {"x": randn(2, 40)}, lambda x: x.sum(dim=1), params={"axes": [1], "keepdim": False}))

# ---- views, concat, slice, split ---------------------------------------------------------------
add(case("reshape [2,3,4] -> [6,4]", "reshape", {"x": randn(2, 3, 4)}, lambda x: x.reshape(6, 4), params={"dims": [6, -1]}))
add(case("flatten from axis 1", "flatten", {"x": randn(2, 3, 2, 2)}, lambda x: x.flatten(1), params={"start": 1, "end": -1}))
add(case("flatten axes 1...2", "flatten", {"x": randn(2, 3, 2, 2)}, lambda x: x.flatten(1, 2), params={"start": 1, "end": 2}))
for axis, shapes in [(0, [(2, 3), (1, 3), (3, 3)]), (1, [(2, 3), (2, 1), (2, 4)]),
                     (0, [(1, 2, 2, 2), (2, 2, 2, 2)]), (1, [(2, 1, 2, 3), (2, 3, 2, 3)]), (3, [(2, 2, 2, 1), (2, 2, 2, 3)])]:
    inputs = {f"t{i}": randn(*s) for i, s in enumerate(shapes)}
    add(case(f"concat axis {axis} of rank {len(shapes[0])}", "concat", inputs,
             lambda axis=axis, **ts: torch.cat([ts[k] for k in sorted(ts)], dim=axis), params={"axis": axis}))
add(case("concat same tensor twice", "concat_self", {"t0": randn(2, 3)}, lambda t0: torch.cat([t0, t0], dim=1), params={"axis": 1}))
add(case("slice axis 1 [1, 4)", "slice", {"x": randn(3, 5)}, lambda x: x[:, 1:4], params={"axis": 1, "start": 1, "end": 4}))
add(case("slice axis 0 of rank 3", "slice", {"x": randn(4, 2, 3)}, lambda x: x[1:3], params={"axis": 0, "start": 1, "end": 3}))
add(case("split axis 0 into 3 and 2", "split", {"x": randn(5, 2)},
         lambda x: dict(zip(["y0", "y1"], torch.split(x, [3, 2], dim=0))), params={"axis": 0, "sizes": [3, 2]}))
add(case("split axis -1 into 1, 2, 1", "split", {"x": randn(2, 4)},
         lambda x: dict(zip(["y0", "y1", "y2"], torch.split(x, [1, 2, 1], dim=-1))), params={"axis": -1, "sizes": [1, 2, 1]}))

# ---- activations -------------------------------------------------------------------------------
edge = torch.tensor([[-3.0, -1.0, -1e-4, 0.0, 1e-4, 0.5, 2.0, 7.0], [-20.0, -10.0, -0.3, 0.0, 0.3, -5.0, 10.0, 20.0]])
add(case("relu with exact zeros", "relu", {"x": edge}, lambda x: F.relu(x)))
add(case("leaky_relu 0.01", "leaky_relu", {"x": edge}, lambda x: F.leaky_relu(x, 0.01), params={"slope": 0.01}))
add(case("leaky_relu 0.2", "leaky_relu", {"x": edge}, lambda x: F.leaky_relu(x, 0.2), params={"slope": 0.2}))
add(case("elu alpha 1", "elu", {"x": edge}, lambda x: F.elu(x, 1.0), params={"alpha": 1.0}))
add(case("elu alpha 0.5", "elu", {"x": edge}, lambda x: F.elu(x, 0.5), params={"alpha": 0.5}))
add(case("gelu exact", "gelu", {"x": edge}, lambda x: F.gelu(x), params={"approximate": "none"}))
add(case("gelu tanh", "gelu", {"x": edge}, lambda x: F.gelu(x, approximate="tanh"), params={"approximate": "tanh"}))
add(case("sigmoid", "sigmoid", {"x": edge}, lambda x: torch.sigmoid(x)))
add(case("sigmoid saturated at +-100", "sigmoid", {"x": torch.tensor([-100.0, -90.0, -30.0, 30.0, 90.0, 100.0])}, lambda x: torch.sigmoid(x)))
add(case("tanh", "tanh", {"x": edge}, lambda x: torch.tanh(x)))
add(case("exp range via sigmoid", "sigmoid", {"x": torch.linspace(-87.0, 87.0, 59)}, lambda x: torch.sigmoid(x),
         note="sweeps the vectorised exp over its whole range"))

for op, fn in [("softmax", F.softmax), ("log_softmax", F.log_softmax)]:
    add(case(f"{op} last axis", op, {"x": randn(3, 5)}, lambda x, fn=fn: fn(x, dim=-1), params={"axis": -1}))
    add(case(f"{op} long rows", op, {"x": randn(2, 37, scale=3)}, lambda x, fn=fn: fn(x, dim=1), params={"axis": 1}))
    add(case(f"{op} large logits +-1000", op,
             {"x": torch.tensor([[1000.0, -1000.0, 0.0, 999.0], [-1000.0, -1000.0, -999.5, -1000.0]])},
             lambda x, fn=fn: fn(x, dim=-1), params={"axis": -1}))
    add(case(f"{op} middle axis of [2,3,4]", op, {"x": randn(2, 3, 4)}, lambda x, fn=fn: fn(x, dim=1), params={"axis": 1}))
    add(case(f"{op} axis 0", op, {"x": randn(4, 3)}, lambda x, fn=fn: fn(x, dim=0), params={"axis": 0}))

# ---- losses ------------------------------------------------------------------------------------
logits = randn(4, 5)
t = targets(4, 5)
w = positive(5)
big = torch.tensor([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0], [0.5, -1000.0, 1000.0]])
tbig = torch.tensor([0, 2, 1])
ce = lambda x, t, **kw: F.cross_entropy(x, t, **kw)
add(case("cross_entropy", "cross_entropy", {"x": logits, "t": t}, ce))
add(case("cross_entropy large logits +-1000", "cross_entropy", {"x": big, "t": tbig}, ce))
add(case("cross_entropy class weights", "cross_entropy", {"x": logits, "t": t, "w": w},
         lambda x, t, w: F.cross_entropy(x, t, weight=w), grad_inputs=["x"]))
add(case("cross_entropy label smoothing 0.1", "cross_entropy", {"x": logits, "t": t},
         lambda x, t: F.cross_entropy(x, t, label_smoothing=0.1), params={"smoothing": 0.1}))
add(case("cross_entropy weights and label smoothing 0.25", "cross_entropy", {"x": logits, "t": t, "w": w},
         lambda x, t, w: F.cross_entropy(x, t, weight=w, label_smoothing=0.25), params={"smoothing": 0.25},
         grad_inputs=["x"]))
add(case("cross_entropy large logits with smoothing", "cross_entropy", {"x": big, "t": tbig},
         lambda x, t: F.cross_entropy(x, t, label_smoothing=0.2), params={"smoothing": 0.2}))
add(case("cross_entropy 40 classes", "cross_entropy", {"x": randn(3, 40, scale=2), "t": targets(3, 40)}, ce))

logp = F.log_softmax(randn(4, 5), dim=1)
add(case("nll_loss", "nll_loss", {"x": logp, "t": t}, lambda x, t: F.nll_loss(x, t)))
add(case("nll_loss class weights", "nll_loss", {"x": logp, "t": t, "w": w}, lambda x, t, w: F.nll_loss(x, t, weight=w),
         grad_inputs=["x"]))

p = torch.sigmoid(randn(3, 4))
y = (torch.rand(3, 4, generator=G) > 0.5).float()
add(case("bce", "bce", {"p": p, "y": y}, lambda p, y: F.binary_cross_entropy(p, y), grad_inputs=["p"]))
add(case("bce soft targets with weights", "bce", {"p": p, "y": torch.rand(3, 4, generator=G), "w": positive(3, 4)},
         lambda p, y, w: F.binary_cross_entropy(p, y, weight=w), grad_inputs=["p"]))
add(case("bce at exactly 0 and 1", "bce",
         {"p": torch.tensor([0.0, 0.0, 1.0, 1.0, 0.5, 1e-30]), "y": torch.tensor([0.0, 1.0, 0.0, 1.0, 1.0, 1.0])},
         lambda p, y: F.binary_cross_entropy(p, y), grad_inputs=["p"],
         note="log clamped at -100 forward; (p - y) / max(p (1 - p), 1e-12) backward"))
add(case("bce water shape [2,1]", "bce", {"p": torch.sigmoid(randn(2, 1)), "y": torch.tensor([[1.0], [0.0]])},
         lambda p, y: F.binary_cross_entropy(p, y), grad_inputs=["p"]))

z = randn(3, 4, scale=3)
bcel = lambda x, y, **kw: F.binary_cross_entropy_with_logits(x, y, **kw)
add(case("bce_with_logits", "bce_with_logits", {"x": z, "y": y}, bcel, grad_inputs=["x"]))
add(case("bce_with_logits at +-100", "bce_with_logits",
         {"x": torch.tensor([-100.0, 100.0, -100.0, 100.0, 0.0, 30.0]), "y": torch.tensor([1.0, 0.0, 0.0, 1.0, 0.5, 0.0])},
         bcel, grad_inputs=["x"]))
add(case("bce_with_logits pos_weight per class", "bce_with_logits", {"x": z, "y": y, "pw": positive(4) * 3},
         lambda x, y, pw: F.binary_cross_entropy_with_logits(x, y, pos_weight=pw), grad_inputs=["x"]))
add(case("bce_with_logits weights and pos_weight", "bce_with_logits",
         {"x": z, "y": torch.rand(3, 4, generator=G), "w": positive(3, 4), "pw": positive(4)},
         lambda x, y, w, pw: F.binary_cross_entropy_with_logits(x, y, weight=w, pos_weight=pw), grad_inputs=["x"]))

a, b = randn(3, 4), randn(3, 4)
b[0, :2] = a[0, :2]  # equal elements: l1's gradient is 0 there
add(case("mse_loss", "mse_loss", {"x": a, "y": b}, lambda x, y: F.mse_loss(x, y)))
add(case("l1_loss with equal elements", "l1_loss", {"x": a, "y": b}, lambda x, y: F.l1_loss(x, y)))
add(case("weighted sum of two losses", "weighted_losses", {"x": logits, "t": t, "p": p, "y": y},
         lambda x, t, p, y: 0.3 * F.cross_entropy(x, t) + 2.0 * F.binary_cross_entropy(p, y),
         grad_inputs=["x", "p"], params={"wa": 0.3, "wb": 2.0}))

# ---- argmax (no gradient) ----------------------------------------------------------------------
add(case("argmax axis 1 with ties", "argmax", {"x": torch.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0], [-1.0, -2.0, -0.5]])},
         lambda x: x.argmax(dim=1).float(), grad_inputs=[], params={"axis": 1}))
add(case("argmax axis 0", "argmax", {"x": randn(4, 3)}, lambda x: x.argmax(dim=0).float(), grad_inputs=[],
         params={"axis": 0}))

write("dense", cases, "tools/goldens/dense.py")
