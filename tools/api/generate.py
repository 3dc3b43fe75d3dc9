#!/usr/bin/python3
"""Writes the PyTorch fixtures of the Java API tests (frontend/src/test/resources/pytorch/).

Run with Debian's PyTorch 1.13: /usr/bin/python3 tools/api/generate.py
The fixtures are committed; the build never runs Python.

- printing.json: repr() of many tensors (every branch of PyTorch's default formatter).
- ops.json: for each API op, its inputs, value, grad_fn name, gradients of sum(y * cotangent),
  whether a second backward fails, and which in-place modifications fail the version check.
- messages.json: exact texts of autograd errors and warnings.
- misuse.json: the exception type and message PyTorch gives for misuse of the tensor API.
- views.json: what PyTorch prints in scenarios mixing views and in-place updates (values, grad_fn
  names, versions, gradients, error messages), one list of lines per scenario.
- numerics.json: ops on NaN, infinities, signed zeros, huge and subnormal numbers, and the stable
  forms (logsumexp of all -inf, log_softmax of large logits, softplus of large inputs, sigmoid of
  large negatives, where-masked sqrt and log): values and the gradients of y.sum().
"""
import json
import math
import os
import warnings

import torch
import torch.nn.functional as F

from scenarios import Scenarios, clean, grad_fn_name

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "frontend", "src", "test", "resources", "pytorch")
DTYPES = {torch.float32: "f32", torch.float64: "f64", torch.int64: "i64", torch.bool: "bool"}
TORCH = {v: k for k, v in DTYPES.items()}


def num(v):
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def enc(t):
    t = t.detach()
    return {
        "dtype": DTYPES[t.dtype],
        "shape": list(t.shape),
        "data": [num(v) for v in t.reshape(-1).tolist()],
    }


# ---------------------------------------------------------------- printing

def printing_cases():
    g = torch.Generator().manual_seed(1234)
    nan, inf = float("nan"), float("inf")
    cases = []

    def add(name, t, requires_grad=False):
        if requires_grad:
            t = t.clone().requires_grad_()
        d = enc(t)
        d.update(name=name, requires_grad=requires_grad, repr=repr(t))
        cases.append(d)

    def both(name, data, **kw):
        for dt in (torch.float32, torch.float64):
            add(f"{name}_{DTYPES[dt]}", torch.tensor(data, dtype=dt), **kw)

    for v in [0.0, 1.0, -1.0, 3.14159, 1e-5, 1e10, -0.0, nan, inf, -inf, 15.5, 1 / 3, 100000.0,
              123456789.0, 0.00012, 2.5e-8]:
        both(f"scalar_{v}", v)
    both("ints", [1.0, 2.0, 3.0])
    both("ones_2x2", [[1.0, 1.0], [1.0, 1.0]])
    both("fractions", [1.5, 2.25, -0.125])
    both("tenths", [0.1, 0.2, 0.3])
    both("mixed_small", [1e-5, 1.0, 100.0])
    both("ratio_over_1000", [1e-3, 10.0])
    both("ratio_exactly_1000", [0.001, 1.0])
    both("int_ratio_over_1000", [1.0, 2000.0])
    both("int_big", [1e9, 1.0])
    both("int_1e8", [1e8, 3.0])
    both("big_frac", [1.5e8, 2.25])
    both("min_1e-4", [1e-4, 0.5])
    both("zeros", [0.0, 0.0, 0.0])
    both("neg_zero", [-0.0, 0.0])
    both("neg_zero_int", [-0.0, 1.0, 2.0])
    both("neg_zero_frac", [-0.0, 0.5])
    both("nonfinite", [nan, 1.0, inf, -inf])
    both("nonfinite_frac", [nan, 1.5, -inf])
    both("nonfinite_sci", [nan, 1e-7, 5.0])
    both("all_nan", [nan, nan])
    both("negatives", [[-1.5, 2.0], [3.25, -4.0]])
    both("half_even", [0.00005, 0.00015, 0.00025, 1.00005])
    both("rounding", [2.675, 1.0005, 0.99995, 9.99995])
    both("sci_rounding", [1.23455e-7, 9.99995e10, 1.0])
    both("tutorial_a", [[1.0796, 0.3734], [0.4797, -1.6013]])
    add("requires_grad_ones", torch.ones(2, 2), requires_grad=True)
    add("requires_grad_scalar", torch.tensor(2.5), requires_grad=True)
    add("requires_grad_f64", torch.ones(3, dtype=torch.float64), requires_grad=True)
    for n in [5, 8, 9, 10, 11, 12, 13, 20, 30, 100]:
        add(f"randn_{n}", torch.randn(n, generator=g))
        add(f"randn_{n}_rg", torch.randn(n, generator=g), requires_grad=True)
        add(f"randn_{n}_f64_rg", torch.randn(n, generator=g, dtype=torch.float64), requires_grad=True)
        add(f"randn_{n}_scaled", torch.randn(n, generator=g) * 1000)
    add("randn_3x4", torch.randn(3, 4, generator=g))
    add("randn_2x50", torch.randn(2, 50, generator=g))
    add("randn_2x50_f64_rg", torch.randn(2, 50, generator=g, dtype=torch.float64), requires_grad=True)
    add("randn_40x40", torch.randn(40, 40, generator=g))
    add("randn_1000x1", torch.randn(1000, 1, generator=g))
    add("randn_1001", torch.randn(1001, generator=g))
    add("randn_1001x1", torch.randn(1001, 1, generator=g))
    add("randn_2x3x4", torch.randn(2, 3, 4, generator=g))
    add("randn_2x3x4_f64", torch.randn(2, 3, 4, generator=g, dtype=torch.float64))
    add("randn_20x10x10", torch.randn(20, 10, 10, generator=g))
    add("randn_3x2x200", torch.randn(3, 2, 200, generator=g))
    add("randn_2x2x2x2", torch.randn(2, 2, 2, 2, generator=g))
    add("rand_tiny", torch.rand(4, generator=g) * 1e-6)
    add("rand_huge", torch.rand(4, generator=g) * 1e12)
    add("arange_2000_f32", torch.arange(2000, dtype=torch.float32))
    add("arange_2000_f32_scaled", torch.arange(2000, dtype=torch.float32) / 7)
    add("zeros_2x2x2", torch.zeros(2, 2, 2))
    add("i64_arange", torch.arange(10))
    add("i64_mixed", torch.tensor([-5, 100, 7]))
    add("i64_matrix", torch.tensor([[1, 2], [30, 4]]))
    add("i64_arange_2000", torch.arange(2000))
    add("i64_big", torch.tensor([123456789012, -3]))
    add("i64_scalar", torch.tensor(42))
    add("i64_long_row", torch.arange(40) * 1000)
    add("bool_vec", torch.tensor([True, False]))
    add("bool_matrix", torch.tensor([[True], [False]]))
    add("bool_scalar", torch.tensor(True))
    add("bool_long", torch.arange(30) % 3 == 0)
    add("empty", torch.zeros(0))
    add("empty_0x3", torch.zeros(0, 3))
    add("empty_2x0", torch.zeros(2, 0))
    add("empty_i64", torch.zeros(0, dtype=torch.int64))
    add("empty_f64", torch.zeros(0, dtype=torch.float64))
    add("empty_bool", torch.zeros(0, dtype=torch.bool))
    return cases


def grad_fn_cases():
    """repr() of results with a grad_fn, for the suffix logic."""
    g = torch.Generator().manual_seed(99)
    out = []
    for n in [4, 7, 8, 9, 10]:
        for dt in (torch.float32, torch.float64):
            x = torch.randn(n, generator=g, dtype=dt).requires_grad_()
            for name, y in [("mul", x * 2), ("sum", x.sum()), ("exp", x.exp())]:
                d = enc(y)
                d.update(name=f"{name}_{n}_{DTYPES[dt]}", grad_fn=type(y.grad_fn).__name__, repr=repr(y))
                out.append(d)
    return out


# ---------------------------------------------------------------- ops

GEN = torch.Generator().manual_seed(4321)


def T(*shape, kind="randn", dtype=torch.float64, rg=True, gen=None):
    if kind == "randn":
        t = torch.randn(shape, generator=gen or GEN, dtype=dtype)
    elif kind == "pos":
        t = torch.rand(shape, generator=GEN, dtype=dtype) * 1.5 + 0.5
    elif kind == "unit":
        t = torch.rand(shape, generator=GEN, dtype=dtype) * 1.8 - 0.9
    elif kind == "ties":
        t = torch.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, -1.0]], dtype=dtype)
    elif kind == "probs":
        t = torch.randn(shape, generator=GEN, dtype=dtype).softmax(-1)
    elif kind == "labels":
        t = torch.randint(0, shape[-1] if len(shape) > 1 else 3, shape[:1] if len(shape) > 1 else (), generator=GEN)
        return t
    elif kind == "bits":
        t = (torch.rand(shape, generator=GEN, dtype=dtype) > 0.5).to(dtype)
    elif kind == "mask":
        return torch.rand(shape, generator=GEN) > 0.5
    else:
        raise ValueError(kind)
    return t.requires_grad_(rg)


VIEWS = {"reshape", "reshape_m1", "transpose", "T", "permute", "unsqueeze", "squeeze", "squeeze_d",
         "expand", "mT", "slice_step", "narrow", "select", "index_mixed", "index_select_f32",
         "index_negative", "index_empty", "split_piece", "split_sizes_piece", "chunk_piece",
         "unbind_piece"}

OPS = [
    ("add", lambda a, b: a + b, [T(2, 3), T(2, 3)]),
    ("add_bcast", lambda a, b: a + b, [T(2, 3), T(3)]),
    ("add_bcast_col", lambda a, b: a + b, [T(2, 1), T(1, 3)]),
    ("add_scalar", lambda a: a + 1.5, [T(2, 3)]),
    ("add_f32", lambda a, b: a + b, [T(4, dtype=torch.float32), T(4, dtype=torch.float32)]),
    ("add_mixed_dtype", lambda a, b: a + b, [T(3, dtype=torch.float32), T(3)]),
    ("add_0d", lambda a, b: a + b, [T(3, dtype=torch.float32), T()]),
    ("sub", lambda a, b: a - b, [T(2, 3), T(2, 3)]),
    ("sub_scalar", lambda a: a - 2.0, [T(3)]),
    ("mul", lambda a, b: a * b, [T(2, 3), T(2, 3)]),
    ("mul_bcast", lambda a, b: a * b, [T(4, 1, 3), T(2, 1)]),
    ("mul_scalar", lambda a: a * 3.0, [T(3)]),
    ("mul_self", lambda a: a * a, [T(3)]),
    ("div", lambda a, b: a / b, [T(2, 3), T(2, 3, kind="pos")]),
    ("div_scalar", lambda a: a / 4.0, [T(3)]),
    ("pow_scalar", lambda a: a ** 3, [T(3)]),
    ("pow_half", lambda a: a ** 0.5, [T(3, kind="pos")]),
    ("pow_tensor", lambda a, b: a ** b, [T(3, kind="pos"), T(3)]),
    ("maximum", lambda a, b: torch.maximum(a, b), [T(2, 3), T(2, 3)]),
    ("minimum", lambda a, b: torch.minimum(a, b), [T(2, 3), T(3)]),
    ("maximum_ties", lambda a, b: torch.maximum(a, b), [T(kind="ties"), T(kind="ties")]),
    ("lt", lambda a, b: a < b, [T(4), T(4)]),
    ("le_scalar", lambda a: a <= 0.0, [T(4)]),
    ("gt", lambda a, b: a > b, [T(4), T(4)]),
    ("ge_scalar", lambda a: a >= 0.5, [T(4)]),
    ("eq", lambda a, b: a == b, [T(kind="ties"), T(kind="ties")]),
    ("ne_scalar", lambda a: a != 3.0, [T(kind="ties")]),
    ("where", lambda c, a, b: torch.where(c, a, b), [T(2, 3, kind="mask"), T(2, 3), T(3)]),
    ("clamp", lambda a: a.clamp(-0.5, 0.5), [T(2, 3)]),
    ("clamp_min", lambda a: a.clamp(min=0.0), [T(6)]),
    ("clamp_max", lambda a: a.clamp(max=0.0), [T(6)]),
    ("clamp_tensor", lambda a, lo, hi: a.clamp(lo, hi), [T(5), T(5) - 1, T(5) + 1]),
    ("neg", lambda a: -a, [T(2, 3)]),
    ("abs", lambda a: a.abs(), [T(2, 3)]),
    ("sign", lambda a: a.sign(), [T(2, 3)]),
    ("exp", lambda a: a.exp(), [T(2, 3)]),
    ("expm1", lambda a: a.expm1(), [T(2, 3)]),
    ("log", lambda a: a.log(), [T(2, 3, kind="pos")]),
    ("log1p", lambda a: a.log1p(), [T(2, 3, kind="pos")]),
    ("sqrt", lambda a: a.sqrt(), [T(2, 3, kind="pos")]),
    ("rsqrt", lambda a: a.rsqrt(), [T(2, 3, kind="pos")]),
    ("square", lambda a: a.square(), [T(2, 3)]),
    ("reciprocal", lambda a: a.reciprocal(), [T(2, 3, kind="pos")]),
    ("sin", lambda a: a.sin(), [T(2, 3)]),
    ("cos", lambda a: a.cos(), [T(2, 3)]),
    ("tan", lambda a: a.tan(), [T(2, 3, kind="unit")]),
    ("tanh", lambda a: a.tanh(), [T(2, 3)]),
    ("sigmoid", lambda a: a.sigmoid(), [T(2, 3)]),
    ("relu", lambda a: a.relu(), [T(2, 3)]),
    ("softplus", lambda a: F.softplus(a), [T(2, 3) * 10]),
    ("erf", lambda a: a.erf(), [T(2, 3)]),
    ("to_f64", lambda a: a.to(torch.float64), [T(3, dtype=torch.float32)]),
    ("to_f32", lambda a: a.to(torch.float32), [T(3)]),
    ("sum", lambda a: a.sum(), [T(2, 3)]),
    ("sum_dim", lambda a: a.sum(1), [T(2, 3)]),
    ("sum_dims_keepdim", lambda a: a.sum((0, 2), keepdim=True), [T(2, 3, 4)]),
    ("sum_neg_dim", lambda a: a.sum(-1), [T(2, 3)]),
    ("mean", lambda a: a.mean(), [T(2, 3)]),
    ("mean_dim", lambda a: a.mean(0), [T(2, 3)]),
    ("mean_dim_keepdim", lambda a: a.mean(1, keepdim=True), [T(2, 3)]),
    ("amax", lambda a: a.amax(), [T(2, 3)]),
    ("amax_dim", lambda a: a.amax(1), [T(2, 3)]),
    ("amax_ties", lambda a: a.amax(1), [T(kind="ties")]),
    ("amin", lambda a: a.amin(), [T(2, 3)]),
    ("amin_dim_keepdim", lambda a: a.amin(0, keepdim=True), [T(kind="ties")]),
    ("logsumexp", lambda a: a.logsumexp(1), [T(2, 3)]),
    ("logsumexp_dims", lambda a: a.logsumexp((0, 1)), [T(2, 3)]),
    ("softmax", lambda a: a.softmax(1), [T(2, 3)]),
    ("softmax_dim0", lambda a: a.softmax(0), [T(2, 3)]),
    ("log_softmax", lambda a: a.log_softmax(-1), [T(2, 3)]),
    ("reshape", lambda a: a.reshape(3, 2), [T(2, 3)]),
    ("reshape_m1", lambda a: a.reshape(-1), [T(2, 3)]),
    ("transpose", lambda a: a.transpose(0, 2), [T(2, 3, 4)]),
    ("T", lambda a: a.T, [T(2, 3)]),
    ("permute", lambda a: a.permute(2, 0, 1), [T(2, 3, 4)]),
    ("unsqueeze", lambda a: a.unsqueeze(1), [T(2, 3)]),
    ("squeeze", lambda a: a.squeeze(), [T(2, 1, 3, 1)]),
    ("squeeze_d", lambda a: a.squeeze(1), [T(2, 1, 3)]),
    ("expand", lambda a: a.expand(4, 2, 3), [T(2, 1)]),
    ("matmul_mm", lambda a, b: a @ b, [T(2, 3), T(3, 4)]),
    ("matmul_mv", lambda a, b: a @ b, [T(2, 3), T(3)]),
    ("matmul_vm", lambda a, b: a @ b, [T(3), T(3, 4)]),
    ("matmul_dot", lambda a, b: a @ b, [T(3), T(3)]),
    ("matmul_bmm", lambda a, b: a @ b, [T(2, 2, 3), T(2, 3, 2)]),
    ("matmul_bcast", lambda a, b: a @ b, [T(2, 2, 3), T(3, 4)]),
    ("matmul_f32", lambda a, b: a @ b, [T(2, 3, dtype=torch.float32), T(3, 2, dtype=torch.float32)]),
    ("mse_loss", lambda a, b: F.mse_loss(a, b), [T(2, 3), T(2, 3)]),
    ("l1_loss", lambda a, b: F.l1_loss(a, b), [T(2, 3), T(2, 3)]),
    ("huber_loss", lambda a, b: F.huber_loss(a, b), [T(2, 3) * 2, T(2, 3)]),
    ("bce_with_logits", lambda a, b: F.binary_cross_entropy_with_logits(a, b), [T(2, 3), T(2, 3, kind="bits", rg=False)]),
    ("cross_entropy", lambda a, y: F.cross_entropy(a, y), [T(4, 3), T(4, 3, kind="labels")]),
    ("cross_entropy_1d", lambda a, y: F.cross_entropy(a, y), [T(3), T(3, kind="labels")]),
    ("cross_entropy_probs", lambda a, p: F.cross_entropy(a, p), [T(2, 3), T(2, 3, kind="probs", rg=False)]),
    ("one_hot", lambda y: F.one_hot(y, 4), [torch.tensor([0, 3, 1])]),
    ("detach", lambda a: a.detach(), [T(3)]),
    ("chain", lambda a, b: ((a * b).exp() + b.sin()).sum(1).mean(), [T(2, 3), T(2, 3)]),
    ("max_dim", lambda a: a.max(1).values, [T(2, 3)]),
    ("max_dim_ties", lambda a: a.max(1).values, [T(kind="ties")]),
    ("min_dim_keepdim", lambda a: a.min(0, keepdim=True).values, [T(kind="ties")]),
    ("max_dim_f32", lambda a: a.max(-1).values, [T(2, 3, dtype=torch.float32)]),
    ("max_dim_indices", lambda a: a.max(1).indices, [T(kind="ties")]),
    ("min_dim_indices", lambda a: a.min(1, keepdim=True).indices, [T(kind="ties")]),
    ("argmax", lambda a: a.argmax(), [T(2, 3)]),
    ("argmax_dim", lambda a: a.argmax(1), [T(kind="ties")]),
    ("argmin_dim_keepdim", lambda a: a.argmin(0, keepdim=True), [T(kind="ties")]),
    ("argmin", lambda a: a.argmin(), [T(2, 3, dtype=torch.float32)]),
    ("repeat", lambda a: a.repeat(2, 1, 3), [T(2, 3)]),
    ("repeat_f32", lambda a: a.repeat(2, 2), [T(3, dtype=torch.float32)]),
    ("tile", lambda a: a.tile((2,)), [T(2, 3)]),
    ("stack", lambda a, b: torch.stack([a, b]), [T(2, 3), T(2, 3)]),
    ("stack_dim", lambda a, b, c: torch.stack([a, b, c], dim=-1), [T(2, 3), T(2, 3), T(2, 3)]),
    ("stack_mixed_dtype", lambda a, b: torch.stack([a, b], 1), [T(3, dtype=torch.float32), T(3)]),
]

# Slicing, with inputs of their own generator so that the cases above keep their inputs.
SLICING_GEN = torch.Generator().manual_seed(13)
OPS += [
    ("slice_step", lambda a: torch.ops.aten.slice(a, 1, 1, 100, 2), [T(2, 5, gen=SLICING_GEN)]),
    ("narrow", lambda a: a.narrow(0, -2, 2), [T(3, 4, gen=SLICING_GEN)]),
    ("select", lambda a: a.select(1, -1), [T(2, 3, 4, gen=SLICING_GEN)]),
    ("index_mixed", lambda a: a[1:, None, ..., ::2], [T(3, 2, 5, gen=SLICING_GEN)]),
    ("index_select_f32", lambda a: a[..., 0], [T(2, 3, dtype=torch.float32, gen=SLICING_GEN)]),
    ("index_negative", lambda a: a[-1, -3:-1], [T(3, 4, gen=SLICING_GEN)]),
    ("index_empty", lambda a: a[5:], [T(3, 2, gen=SLICING_GEN)]),
    ("cat", lambda a, b: torch.cat([a, b]), [T(2, 3, gen=SLICING_GEN), T(1, 3, gen=SLICING_GEN)]),
    ("cat_dim_mixed_dtype", lambda a, b, c: torch.cat([a, b, c], -1),
     [T(2, 1, dtype=torch.float32, gen=SLICING_GEN), T(2, 3, gen=SLICING_GEN), T(2, 2, gen=SLICING_GEN)]),
    ("flip", lambda a: a.flip([0, 2]), [T(2, 3, 2, gen=SLICING_GEN)]),
    ("roll", lambda a: a.roll((1, -4), (0, 1)), [T(3, 3, gen=SLICING_GEN)]),
    ("roll_flat", lambda a: a.roll(2), [T(2, 3, dtype=torch.float32, gen=SLICING_GEN)]),
    ("split_piece", lambda a: a.split(2, 1)[1], [T(2, 5, gen=SLICING_GEN)]),
    ("split_sizes_piece", lambda a: a.split([1, 3], 1)[1], [T(2, 4, gen=SLICING_GEN)]),
    ("chunk_piece", lambda a: a.chunk(3)[2], [T(5, 2, gen=SLICING_GEN)]),
    ("unbind_piece", lambda a: a.unbind(1)[2], [T(2, 3, gen=SLICING_GEN)]),
]

# Counts and truth values over dims (no gradient): relu makes about half the elements 0.
STATISTICS_GEN = torch.Generator().manual_seed(14)
OPS += [
    ("count_nonzero", lambda a: torch.count_nonzero(a.relu()), [T(3, 4, gen=STATISTICS_GEN)]),
    ("count_nonzero_dims", lambda a: a.relu().count_nonzero((0, 2)), [T(2, 3, 4, gen=STATISTICS_GEN)]),
    ("all", lambda a: a.relu().all(), [T(3, 4, gen=STATISTICS_GEN)]),
    ("all_dim_keepdim", lambda a: torch.all(a.relu(), 1, keepdim=True), [T(4, 2, gen=STATISTICS_GEN)]),
    ("any_dim", lambda a: a.relu().any(-1), [T(4, 2, gen=STATISTICS_GEN)]),
    ("any_empty", lambda a: torch.any(a[:0]), [T(3, gen=STATISTICS_GEN)]),
    ("all_empty", lambda a: torch.all(a[:0]), [T(3, gen=STATISTICS_GEN)]),
]

# einsum through the Java API: each equation's grad_fn (PyTorch 1.13's: ViewBackward0 for a
# contraction, MulBackward0 for a product without one, PermuteBackward0 or SumBackward1 alone).
EINSUM_GEN = torch.Generator().manual_seed(15)
OPS += [
    ("einsum_mm", lambda a, b: torch.einsum("ij,jk->ik", a, b), [T(3, 4, gen=EINSUM_GEN), T(4, 2, gen=EINSUM_GEN)]),
    ("einsum_bmm", lambda a, b: torch.einsum("bij,bjk->bik", a, b), [T(2, 3, 4, gen=EINSUM_GEN), T(2, 4, 2, gen=EINSUM_GEN)]),
    ("einsum_attention", lambda a, b: torch.einsum("bhqd,bhkd->bhqk", a, b), [T(2, 2, 3, 4, gen=EINSUM_GEN), T(2, 2, 5, 4, gen=EINSUM_GEN)]),
    ("einsum_diagonal", lambda a: torch.einsum("ii->i", a), [T(3, 3, gen=EINSUM_GEN)]),
    ("einsum_trace", lambda a: torch.einsum("ii", a), [T(3, 3, gen=EINSUM_GEN)]),
    ("einsum_dot", lambda a, b: torch.einsum("i,i->", a, b), [T(4, gen=EINSUM_GEN), T(4, gen=EINSUM_GEN)]),
    ("einsum_transpose", lambda a: torch.einsum("ij->ji", a), [T(2, 3, gen=EINSUM_GEN)]),
    ("einsum_outer", lambda a, b: torch.einsum("i,j->ij", a, b), [T(3, gen=EINSUM_GEN), T(2, gen=EINSUM_GEN)]),
    ("einsum_sum_rows", lambda a: torch.einsum("ij->i", a), [T(2, 3, gen=EINSUM_GEN)]),
    ("einsum_chain", lambda a, b, c: torch.einsum("ij,jk,kl->il", a, b, c), [T(2, 3, gen=EINSUM_GEN), T(3, 4, gen=EINSUM_GEN), T(4, 2, gen=EINSUM_GEN)]),
]

# Integer-tensor indexing and the scatter family, with inputs of their own generator.
GATHER_GEN = torch.Generator().manual_seed(16)


def I(*rows):
    return torch.tensor(rows, dtype=torch.int64)


OPS += [
    ("gather", lambda a, i: a.gather(1, i), [T(2, 3, gen=GATHER_GEN), I([0, 2, 2], [1, 0, 1])]),
    ("gather_f32_smaller", lambda a, i: a.gather(0, i),
     [T(3, 4, dtype=torch.float32, gen=GATHER_GEN), I([2, 0], [2, 2])]),
    ("index_select", lambda a, i: a.index_select(0, i), [T(3, 2, gen=GATHER_GEN), I(2, 0, 2, 1)]),
    ("index_select_f32_dim1", lambda a, i: a.index_select(-1, i),
     [T(2, 3, dtype=torch.float32, gen=GATHER_GEN), I(1, 1)]),
    ("take_along_dim", lambda a, i: torch.take_along_dim(a, i, 1),
     [T(2, 3, gen=GATHER_GEN), I([0], [2])]),
    ("take_along_dim_flat", lambda a, i: torch.take_along_dim(a, i), [T(2, 3, gen=GATHER_GEN), I(5, 0, 5)]),
    ("scatter_add", lambda a, i, s: a.scatter_add(0, i, s),
     [T(3, 2, gen=GATHER_GEN), I([0, 1], [0, 2], [0, 1]), T(3, 2, gen=GATHER_GEN)]),
    ("scatter_add_larger_src_f32", lambda a, i, s: a.scatter_add(1, i, s),
     [T(2, 3, dtype=torch.float32, gen=GATHER_GEN), I([1], [0]), T(2, 2, dtype=torch.float32, rg=False, gen=GATHER_GEN)]),
    ("index_add", lambda a, i, s: a.index_add(0, i, s, alpha=2.0),
     [T(3, 2, gen=GATHER_GEN), I(2, 0, 2), T(3, 2, gen=GATHER_GEN)]),
    ("index_add_dim1", lambda a, i, s: a.index_add(1, i, s),
     [T(2, 3, gen=GATHER_GEN), I(1, 1), T(2, 2, gen=GATHER_GEN)]),
    ("scatter", lambda a, i, s: a.scatter(1, i, s),
     [T(2, 3, gen=GATHER_GEN), I([2, 0], [1, 1]), T(2, 2, gen=GATHER_GEN)]),
    ("scatter_value_f32", lambda a, i: a.scatter(0, i, 2.5),
     [T(3, 2, dtype=torch.float32, gen=GATHER_GEN), I([2, 0])]),
    ("masked_fill", lambda a, m: a.masked_fill(m, -1.0),
     [T(2, 3, gen=GATHER_GEN), torch.tensor([True, False, True])]),
    ("masked_fill_tensor_f32", lambda a, m, v: a.masked_fill(m, v),
     [T(2, 3, dtype=torch.float32, gen=GATHER_GEN), torch.tensor([[True], [False]]),
      T(dtype=torch.float32, gen=GATHER_GEN)]),
    ("index_tensor", lambda a, i: a[i], [T(3, 2, gen=GATHER_GEN), I([2, -1], [0, -3])]),
    ("index_tensor_f32", lambda a, i: a[i], [T(4, dtype=torch.float32, gen=GATHER_GEN), I(3, 3, -4)]),
]


def setitem(a, index, v):
    y = a * 1
    y[index] = v
    return y


def add_at(a, index, v):
    y = a * 1
    y[index] += v
    return y


# index_put and assignment through indexing: a repeated index written twice keeps the last write
# (PyTorch's CPU kernel writes in index order), accumulated values are summed; values broadcast.
INDEX_PUT_GEN = torch.Generator().manual_seed(17)
OPS += [
    ("index_put", lambda a, i, v: torch.index_put(a, (i,), v),
     [T(4, 3, gen=INDEX_PUT_GEN), I(2, -1, 2), T(3, 3, gen=INDEX_PUT_GEN)]),
    ("index_put_accumulate_f32", lambda a, i, v: a.index_put((i,), v, accumulate=True),
     [T(4, 3, dtype=torch.float32, gen=INDEX_PUT_GEN), I([0, 3], [0, 0]),
      T(3, dtype=torch.float32, gen=INDEX_PUT_GEN)]),
    ("index_put_two_indices", lambda a, i, j, v: a.index_put((i, j), v),
     [T(3, 4, gen=INDEX_PUT_GEN), I([0], [2]), I(3, -1), T(gen=INDEX_PUT_GEN)]),
    ("index_put_mask_f32", lambda a, m, v: a.index_put((m,), v, accumulate=True),
     [T(3, 2, dtype=torch.float32, gen=INDEX_PUT_GEN), torch.tensor([True, False, True]),
      T(2, dtype=torch.float32, gen=INDEX_PUT_GEN)]),
    ("index_put_inplace", lambda a, i, v: (a * 1).index_put_((i,), v, accumulate=True),
     [T(3, 2, gen=INDEX_PUT_GEN), I(1, 1, 0), T(3, 2, gen=INDEX_PUT_GEN)]),
    ("setitem_tensor", lambda a, i, v: setitem(a, i, v),
     [T(4, 2, gen=INDEX_PUT_GEN), I(3, 0, 3), T(2, gen=INDEX_PUT_GEN)]),
    ("setitem_mask_f32", lambda a, m, v: setitem(a, m, v),
     [T(2, 3, dtype=torch.float32, gen=INDEX_PUT_GEN), torch.tensor([[True, False, True], [False, False, True]]),
      T(dtype=torch.float32, gen=INDEX_PUT_GEN)]),
    ("setitem_slices", lambda a, v: setitem(a, (slice(1, None), slice(None, None, 2)), v),
     [T(3, 4, gen=INDEX_PUT_GEN), T(2, 1, gen=INDEX_PUT_GEN)]),
    ("setitem_int", lambda a, v: setitem(a, 1, v), [T(3, 2, gen=INDEX_PUT_GEN), T(2, gen=INDEX_PUT_GEN)]),
    ("setitem_add_int_f32", lambda a, v: add_at(a, -1, v),
     [T(3, 2, dtype=torch.float32, gen=INDEX_PUT_GEN), T(2, dtype=torch.float32, gen=INDEX_PUT_GEN)]),
    ("setitem_add_tensor", lambda a, i, v: add_at(a, i, v),
     [T(3, 2, gen=INDEX_PUT_GEN), I(2, 0, 2), T(3, 2, gen=INDEX_PUT_GEN)]),
]


def fresh(inputs):
    return [t.detach().clone().requires_grad_(t.requires_grad) for t in inputs]


def op_case(name, fn, inputs):
    xs = fresh(inputs)
    y = fn(*xs)
    case = {"name": name, "inputs": [dict(enc(t), requires_grad=t.requires_grad) for t in inputs],
            "value": enc(y), "grad_fn": type(y.grad_fn).__name__ if y.grad_fn is not None else None,
            "requires_grad": y.requires_grad}
    if not y.requires_grad:
        return case
    cot = torch.randn(y.shape, generator=GEN, dtype=y.dtype)
    case["cotangent"] = enc(cot)
    (y * cot).sum().backward()
    case["grads"] = [enc(x.grad) if x.grad is not None else None for x in xs]
    # A second backward through the same graph.
    xs = fresh(inputs)
    s = fn(*xs).sum()
    s.backward()
    try:
        s.backward()
        case["second_backward_fails"] = False
    except RuntimeError as e:
        assert "a second time" in str(e), e
        case["second_backward_fails"] = True
    # In-place modification of each input, then of the output, before backward.
    mods = []
    for i, t in enumerate(inputs):
        if not t.is_floating_point():
            mods.append(None)
            continue
        xs = fresh(inputs)
        s = fn(*xs).sum()
        with torch.no_grad():
            xs[i].add_(0)
        mods.append(version_fails(s))
    case["input_modified_fails"] = mods
    if name not in VIEWS:
        xs = fresh(inputs)
        y = fn(*xs)
        s = y.sum()
        with torch.no_grad():
            y.add_(0)
        case["output_modified_fails"] = version_fails(s)
    return case


def version_fails(s):
    try:
        s.backward()
        return False
    except RuntimeError as e:
        assert "modified by an inplace operation" in str(e), e
        return True


# ---------------------------------------------------------------- messages

def error_of(fn):
    try:
        fn()
    except Exception as e:
        return clean(str(e))
    raise AssertionError("no error")


def warning_of(fn):
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        fn()
    assert len(ws) == 1, ws
    return clean(str(ws[0].message))


def messages():
    x = torch.ones(2, requires_grad=True)
    m = {}
    m["non_leaf_grad"] = warning_of(lambda: (x * 2).grad)
    m["backward_create_graph"] = warning_of(lambda: (x * x).sum().backward(create_graph=True))
    x.grad = None
    m["implicit_scalar"] = error_of(lambda: (x * 2).backward())
    m["no_grad_fn"] = error_of(lambda: torch.ones(2).sum().backward())
    m["requires_grad_non_leaf"] = error_of(lambda: (x * 2).requires_grad_(False))
    m["leaf_in_place"] = error_of(lambda: x.add_(1))
    s = (x * x).sum()
    s.backward()
    m["second_backward"] = error_of(lambda: s.backward())
    a = x.exp()
    b = a.sum()
    with torch.no_grad():
        a.add_(1)
    m["version_output"] = error_of(lambda: b.backward())
    q = torch.ones(2, 2, dtype=torch.float64, requires_grad=True)
    c = (q * q).sum()
    with torch.no_grad():
        q.add_(1)
    m["version_leaf_f64"] = error_of(lambda: c.backward())
    m["item"] = error_of(lambda: torch.ones(2).item())
    m["int_requires_grad"] = error_of(lambda: torch.ones(2, dtype=torch.int64).requires_grad_())
    m["grad_unused"] = error_of(lambda: torch.autograd.grad((x * 2).sum(), [torch.ones(1, requires_grad=True)]))
    m["grad_not_requiring"] = error_of(lambda: torch.autograd.grad((x * 2).sum(), [torch.ones(1)]))
    m["grad_shape"] = error_of(lambda: (x * 2).backward(torch.ones(3)))
    return m


# ---------------------------------------------------------------- views

def views():
    scenario = Scenarios()
    name = grad_fn_name

    @scenario
    def base_update_seen_by_reshape(p):
        a = torch.tensor([1.0, 2.0, 3.0])
        v = a.reshape(3, 1)
        a.mul_(2)
        p(v)
        p(str(a._version), str(v._version))

    @scenario
    def transpose_after_sgd_step(p):
        w = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64, requires_grad=True)
        wt = w.T
        (w * w).sum().backward()
        with torch.no_grad():
            w.sub_(w.grad * 0.1)
        p(wt)
        p(name(wt), str(w._version), str(wt._version))
        (wt * wt).sum().backward()
        p(w.grad)

    @scenario
    def write_through_transpose(p):
        a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
        t = a.t()
        t.add_(torch.tensor([10.0, 20.0]))
        p(a)
        p(t)
        p(str(a._version), str(t._version))

    @scenario
    def write_through_view_of_view(p):
        y = torch.ones(2, 3)
        t = y.reshape(3, 2).t().unsqueeze(0)
        t.mul_(torch.tensor([[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]]))
        p(y)
        q = y.permute(1, 0)
        y.add_(1)
        p(q)
        p(t)

    @scenario
    def view_of_leaf_in_place(p):
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        x.view(3, 1).mul_(2)

    @scenario
    def transpose_of_leaf_in_place(p):
        x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        x.T.add_(1)

    @scenario
    def view_of_leaf_in_place_no_grad(p):
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        with torch.no_grad():
            x.view(3, 1).mul_(2)
        p(x)
        p(str(x.is_leaf), str(x._version))

    @scenario
    def write_through_view_of_non_leaf(p):
        x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
        y = x * 1
        v = y.view(3, 1)
        v.mul_(torch.tensor([[2.0], [3.0], [4.0]], dtype=torch.float64))
        p(y)
        p(v)
        p(name(y), name(v), str(y._version))
        (y * y).sum().backward()
        p(x.grad)

    @scenario
    def base_update_then_view_backward(p):
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 1
        v = y.view(3, 1)
        y.mul_(2)
        p(v)
        p(name(y), name(v))
        (v * v).sum().backward()
        p(x.grad)

    @scenario
    def saved_view_modified_through_base(p):
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 1
        v = y.unsqueeze(0)
        z = v * v
        y.add_(1)
        z.sum().backward()

    @scenario
    def saved_base_modified_through_view(p):
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 1
        z = y * y
        y.view(3, 1).add_(1)
        z.sum().backward()

    @scenario
    def expanded_view_in_place(p):
        e = torch.ones(3).expand(2, 3)
        e.mul_(2)

    @scenario
    def detached_view_follows_base(p):
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        d = y.view(3, 1).detach()
        with torch.no_grad():
            y.add_(1)
        p(d)
        d.mul_(10)
        p(y)
        p(name(y), str(d.requires_grad))

    @scenario
    def squeeze_view_zero_and_fill(p):
        a = torch.tensor([[1.0], [2.0], [3.0]])
        s = a.squeeze(1)
        s.zero_()
        p(a)
        a.view(3).fill_(7)
        p(s)
        p(str(a._version), str(s._version))

    @scenario
    def view_copy_from_grad(p):
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        b = torch.zeros(2, 2)
        b.t().copy_(x.view(2, 1) * torch.tensor([[1.0, 3.0]]))
        p(b)
        p(name(b))
        b.sum().backward()
        p(x.grad)

    @scenario
    def write_through_slice(p):
        x = torch.zeros(3, 4)
        v = x[1:, ::2]
        v.fill_(1.0)
        p(x)
        p(v)
        x.mul_(3)
        p(v)
        p(str(x._version), str(v._version))

    @scenario
    def select_of_leaf_in_place(p):
        torch.zeros(3, 4, requires_grad=True)[1].mul_(2)

    @scenario
    def write_through_select_of_non_leaf(p):
        x = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=torch.float64, requires_grad=True)
        y = x * 1
        r = y[1]
        r.mul_(torch.tensor([3.0, 5.0], dtype=torch.float64))
        p(y)
        p(r)
        p(name(y), name(r))
        (y * y).sum().backward()
        p(x.grad)

    @scenario
    def base_update_seen_by_narrow(p):
        a = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        n = a.narrow(0, 1, 2)
        with torch.no_grad():
            a.add_(10)
        p(n)
        p(name(n))
        (n * n).sum().backward()
        p(a.grad)

    @scenario
    def index_grad_fn_names(p):
        y = torch.zeros(3, 4, requires_grad=True)
        p(name(y[1:, None]), name(y[None, 1]), name(y[...]), name(y[:, 1]), name(y.narrow(1, 0, 2)))
        p(y[None, 1:, ..., -1].shape)

    @scenario
    def index_out_of_bounds(p):
        torch.zeros(3, 4)[:, -5]

    @scenario
    def select_out_of_range(p):
        torch.zeros(3, 4).select(0, 5)

    @scenario
    def narrow_past_the_end(p):
        torch.zeros(3, 4).narrow(0, 1, 5)

    @scenario
    def negative_step(p):
        torch.zeros(3)[::-1]

    @scenario
    def split_output_in_place(p):
        x = torch.zeros(3, 4, requires_grad=True)
        x.split(2, 1)[1].mul_(2)

    @scenario
    def unbind_writes_base_without_grad(p):
        x = torch.zeros(2, 3)
        rows = x.unbind(0)
        rows[1].add_(torch.tensor([1.0, 2.0, 3.0]))
        p(x)
        parts = x.chunk(2, 1)
        x.mul_(2)
        p(parts[0])
        p(parts[1])
        p(torch.cat(parts, 1).flip(0).roll(1, 1))

    @scenario
    def join_grad_fn_names(p):
        x = torch.zeros(2, 3, requires_grad=True)
        p(name(torch.cat([x, x])), name(x.flip(0)), name(x.roll(1)), name(x.split(2, 1)[0]),
          name(x.split([1, 2], 1)[0]), name(x.chunk(2)[1]), name(x.unbind(1)[0]))

    @scenario
    def cat_errors(p):
        for f in [lambda: torch.cat([]), lambda: torch.cat([torch.zeros(2, 3), torch.zeros(2, 2)]),
                  lambda: torch.cat([torch.zeros(2, 3), torch.zeros(3)]),
                  lambda: torch.cat([torch.zeros(()), torch.zeros(())]),
                  lambda: torch.zeros(3, 4).split([1, 2], 1), lambda: torch.zeros(3).chunk(0),
                  lambda: torch.zeros(3, 4).flip([0, -2]), lambda: torch.zeros(3, 4).roll((1, 2), (0,))]:
            try:
                f()
            except Exception as e:
                p("error: " + clean(str(e)))

    @scenario
    def too_many_indices(p):
        torch.zeros(3, 4)[0, 1, 2]

    return scenario.out


# ---------------------------------------------------------------- numerics

NAN, INF = float("nan"), float("inf")
# Non-finite numbers, signed zeros, saturating and overflowing magnitudes, the smallest subnormal.
SPECIAL = [NAN, INF, -INF, 0.0, -0.0, 1.0, -1.0, 0.5, 30.0, -30.0, 800.0, -800.0, 1e308, 5e-324]
PAIR_A = [NAN, 1.0, INF, INF, -INF, 0.0, -0.0, 0.0, 1.0, INF, 2.0, -1.0, 1e308, -0.5]
PAIR_B = [1.0, NAN, INF, -INF, -INF, 0.0, 0.0, -0.0, INF, 1.0, 0.0, 0.5, 1e308, 0.25]
ROWS = [[NAN, 1.0, 2.0, 3.0], [INF, 1.0, 2.0, 3.0], [-INF, 1.0, 2.0, 3.0], [-INF, -INF, -INF, -INF],
        [INF, INF, 1.0, 2.0], [INF, -INF, 1.0, 2.0], [1000.0, 1001.0, 999.0, 998.0],
        [-1000.0, -1001.0, -999.0, -998.0]]


def S(values, dtype=torch.float64):
    return torch.tensor(values, dtype=dtype).requires_grad_()


NUMERICS = [(f"{op}_special", (lambda f: lambda a: f(a))(getattr(torch, op)), [S(SPECIAL)])
            for op in ["neg", "abs", "sign", "exp", "expm1", "log", "sqrt", "rsqrt", "square",
                       "reciprocal", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "erf"]] + [
    # PyTorch's vectorized log1p (Sleef) gives inf above 1e307; gradc's is log1p itself there.
    ("log1p_special", lambda a: a.log1p(), [S(SPECIAL[:-2] + SPECIAL[-1:])]),
    ("softplus_special", lambda a: F.softplus(a), [S(SPECIAL)]),
    ("sigmoid_special_f32", lambda a: a.sigmoid(), [S(SPECIAL, torch.float32)]),
    ("softplus_special_f32", lambda a: F.softplus(a), [S(SPECIAL, torch.float32)]),
    ("exp_special_f32", lambda a: a.exp(), [S(SPECIAL, torch.float32)]),
    ("pow_2_special", lambda a: a ** 2, [S(SPECIAL)]),
    ("pow_half_special", lambda a: a ** 0.5, [S(SPECIAL)]),
    ("pow_minus_one_special", lambda a: a ** -1.0, [S(SPECIAL)]),
    ("clamp_special", lambda a: a.clamp(-1.0, 1.0), [S(SPECIAL)]),
    ("clamp_min_special", lambda a: a.clamp(min=0.0), [S(SPECIAL)]),
    ("add_special", lambda a, b: a + b, [S(PAIR_A), S(PAIR_B)]),
    ("sub_special", lambda a, b: a - b, [S(PAIR_A), S(PAIR_B)]),
    ("mul_special", lambda a, b: a * b, [S(PAIR_A), S(PAIR_B)]),
    ("div_special", lambda a, b: a / b, [S(PAIR_A), S(PAIR_B)]),
    ("pow_tensor_special", lambda a, b: a ** b, [S(PAIR_A), S(PAIR_B)]),
    ("maximum_special", lambda a, b: torch.maximum(a, b), [S(PAIR_A), S(PAIR_B)]),
    ("minimum_special", lambda a, b: torch.minimum(a, b), [S(PAIR_A), S(PAIR_B)]),
    ("where_special", lambda a, b: torch.where(a > b, a, b), [S(PAIR_A), S(PAIR_B)]),
    ("lt_special", lambda a, b: a < b, [S(PAIR_A), S(PAIR_B)]),
    ("eq_special", lambda a, b: a == b, [S(PAIR_A), S(PAIR_B)]),
    ("sum_rows_special", lambda a: a.sum(1), [S(ROWS)]),
    ("mean_rows_special", lambda a: a.mean(1), [S(ROWS)]),
    ("amax_rows_special", lambda a: a.amax(1), [S(ROWS)]),
    ("amin_rows_special", lambda a: a.amin(1), [S(ROWS)]),
    ("logsumexp_rows_special", lambda a: a.logsumexp(1), [S(ROWS)]),
    # gradc computes x.exp().sum(1).log() as logsumexp (PyTorch's is inf, its gradient NaN)
    ("log_sum_exp_written_out", lambda a: a.logsumexp(1), [S(ROWS)]),
    ("log_sum_exp_written_out_f32", lambda a: a.logsumexp(1), [S(ROWS, torch.float32)]),
    ("softmax_rows_special", lambda a: a.softmax(1), [S(ROWS)]),
    ("log_softmax_rows_special", lambda a: a.log_softmax(1), [S(ROWS)]),
    ("log_softmax_rows_special_f32", lambda a: a.log_softmax(1), [S(ROWS, torch.float32)]),
    ("matmul_special", lambda a, b: a @ b, [S([[INF, 1.0], [0.0, 2.0]]), S([[1.0, NAN], [0.0, 3.0]])]),
    ("where_masked_sqrt", lambda a: torch.where(a > 0, a.sqrt(), torch.zeros_like(a)),
     [S([-1.0, 0.0, 0.5, 2.0, -3.0, 4.0])]),
    ("where_masked_log", lambda a: torch.where(a > 0, a.log(), torch.zeros_like(a)),
     [S([-1.0, 0.0, 0.5, 2.0, -3.0, 4.0])]),
    ("bce_with_logits_large", lambda a, y: F.binary_cross_entropy_with_logits(a, y),
     [S([800.0, -800.0, 30.0, -30.0, 0.0]), torch.tensor([0.0, 1.0, 0.5, 1.0, 0.0], dtype=torch.float64)]),
    ("mse_loss_special", lambda a, b: F.mse_loss(a, b), [S([INF, 1.0, 2.0]), torch.tensor([1.0, INF, 2.0], dtype=torch.float64)]),
]


def numerics_case(name, fn, inputs):
    """The value, and the gradients of y.sum(): each element's own derivative where it has one."""
    xs = fresh(inputs)
    y = fn(*xs)
    case = {"name": name, "inputs": [dict(enc(t), requires_grad=t.requires_grad) for t in inputs],
            "value": enc(y)}
    if y.requires_grad:
        y.sum().backward()
        case["grads"] = [enc(x.grad) if x.grad is not None else None for x in xs]
    return case


def set_grad(x, g):
    """x.grad = g on a leaf that requires grad; None assigns the leaf itself."""
    x.requires_grad_()
    x.grad = x if g is None else g


def misuse():
    """The exception type and first line of PyTorch's message for misuse of the tensor API."""
    cases = {
        "add_shapes": lambda: torch.ones(2, 3) + torch.ones(4),
        "mul_shapes_3d": lambda: torch.ones(2, 3, 4) * torch.ones(3, 5),
        "mm_shapes": lambda: torch.ones(2, 3) @ torch.ones(4, 5),
        "matmul_0d": lambda: torch.tensor(1.0) @ torch.ones(3),
        "matmul_dtypes": lambda: torch.ones(2, 3) @ torch.ones(3, 2, dtype=torch.float64),
        "reshape_size": lambda: torch.ones(2, 3).reshape(4),
        "reshape_two_inferred": lambda: torch.ones(2, 3).reshape(-1, -1),
        "sum_dim_range": lambda: torch.ones(2, 3).sum(2),
        "sum_dim_repeated": lambda: torch.ones(2, 3).sum((0, 0)),
        "softmax_dim_range": lambda: torch.ones(2, 3).softmax(-3),
        "transpose_dim_range": lambda: torch.ones(2, 3).transpose(0, 2),
        "unsqueeze_dim_range": lambda: torch.ones(2, 3).unsqueeze(4),
        "permute_length": lambda: torch.ones(2, 3).permute(0, 1, 2),
        "permute_repeated": lambda: torch.ones(2, 3).permute(0, 0),
        "expand_size": lambda: torch.ones(3).expand(2, 4),
        "expand_fewer": lambda: torch.ones(2, 3).expand(3),
        "where_condition": lambda: torch.where(torch.ones(3), torch.ones(3), torch.zeros(3)),
        "mean_long": lambda: torch.arange(3).mean(),
        "one_hot_range": lambda: F.one_hot(torch.tensor([0, 3]), 3),
        "one_hot_float": lambda: F.one_hot(torch.tensor([0.0, 1.0]), 3),
        "cross_entropy_batch": lambda: F.cross_entropy(torch.ones(4, 3),
                                                       torch.zeros(5, dtype=torch.long)),
        "inplace_broadcast": lambda: torch.ones(3).add_(torch.ones(2, 3)),
        "item_many": lambda: torch.ones(2).item(),
        "backward_long": lambda: torch.ones(2, dtype=torch.long).sum().backward(),
        "amax_empty": lambda: torch.zeros(0).amax(),
        "amin_empty_2d": lambda: torch.zeros(3, 0).amin(),
        "amax_empty_dim": lambda: torch.zeros(3, 0).amax(1),
        "amin_empty_dims_negative": lambda: torch.zeros(2, 0, 0).amin((-1, 1)),
        "set_grad_dtype": lambda: set_grad(torch.zeros(3, dtype=torch.float64),
                                           torch.zeros(3, dtype=torch.float32)),
        "set_grad_dtype_and_size": lambda: set_grad(torch.zeros(3, dtype=torch.float64),
                                                    torch.zeros(2, dtype=torch.float32)),
        "set_grad_size": lambda: set_grad(torch.zeros(3, dtype=torch.float64),
                                          torch.zeros(2, dtype=torch.float64)),
        "set_grad_self": lambda: set_grad(torch.zeros(3, dtype=torch.float64), None),
        "local_response_norm_dims": lambda: F.local_response_norm(torch.ones(2, 3), 2),
        "local_response_norm_size": lambda: F.local_response_norm(torch.ones(1, 3, 2), 0),
        "var_long": lambda: torch.arange(3).var(),
        "std_mean_long": lambda: torch.std_mean(torch.arange(3)),
        "var_mean_long": lambda: torch.var_mean(torch.arange(3), 0),
        "nanmean_long": lambda: torch.arange(3).nanmean(),
        "norm_long": lambda: torch.arange(3).norm(),
        "vector_norm_long": lambda: torch.linalg.vector_norm(torch.arange(3)),
        "matrix_norm_order": lambda: torch.linalg.matrix_norm(torch.ones(2, 3), 3),
        "matrix_norm_rank": lambda: torch.linalg.matrix_norm(torch.ones(3)),
        "matrix_norm_same_dims": lambda: torch.linalg.matrix_norm(torch.ones(2, 3), dim=(1, 1)),
        "matrix_norm_long": lambda: torch.linalg.matrix_norm(torch.ones(2, 3).long()),
        "svdvals_nan": lambda: torch.linalg.svdvals(torch.tensor([[1.0, float("nan")], [0.0, 1.0]])),
        "svdvals_rank": lambda: torch.linalg.svdvals(torch.ones(3)),
        "svdvals_long": lambda: torch.linalg.svdvals(torch.ones(2, 3).long()),
        "matrix_norm_2_empty": lambda: torch.linalg.matrix_norm(torch.zeros(0, 3), 2),
        "matrix_norm_nuc_nan": lambda: torch.linalg.matrix_norm(torch.tensor([[1.0, float("nan")]]), "nuc"),
        "var_dim_range": lambda: torch.ones(2, 3).var(2),
        "gather_range": lambda: torch.ones(2, 3).gather(1, torch.tensor([[0, 3]])),
        "gather_negative": lambda: torch.ones(2, 3).gather(1, torch.tensor([[-1]])),
        "gather_float_index": lambda: torch.ones(2, 3).gather(1, torch.ones(1, 1)),
        "gather_rank": lambda: torch.ones(2, 3).gather(1, torch.tensor([0])),
        "gather_size": lambda: torch.ones(2, 3).gather(1, torch.zeros(3, 2, dtype=torch.long)),
        "index_select_range": lambda: torch.ones(3, 2).index_select(0, torch.tensor([0, 3])),
        "index_select_range_dim1": lambda: torch.ones(2, 3).index_select(1, torch.tensor([5])),
        "index_select_matrix": lambda: torch.ones(2, 3).index_select(1, torch.tensor([[0]])),
        "index_select_float": lambda: torch.ones(2, 3).index_select(1, torch.tensor([0.0])),
        "take_along_dim_range": lambda: torch.take_along_dim(torch.ones(2, 3), torch.tensor([[3]]), 1),
        "take_along_dim_rank": lambda: torch.take_along_dim(torch.ones(2, 3), torch.tensor([0]), 1),
        "take_along_dim_float": lambda: torch.take_along_dim(torch.ones(2, 3), torch.ones(1, 1), 1),
        "scatter_add_range": lambda: torch.ones(2, 3).scatter_add(1, torch.tensor([[0, 3]]),
                                                                  torch.ones(1, 2)),
        "scatter_add_dtype": lambda: torch.ones(2, 3).scatter_add(
            1, torch.tensor([[0]]), torch.ones(1, 1, dtype=torch.float64)),
        "scatter_add_size": lambda: torch.ones(2, 3).scatter_add(1, torch.zeros(1, 2, dtype=torch.long),
                                                                 torch.ones(1, 1)),
        "index_add_range": lambda: torch.ones(2, 3).index_add(1, torch.tensor([0, 3]), torch.ones(2, 2)),
        "index_add_count": lambda: torch.ones(2, 3).index_add(1, torch.tensor([0, 1]), torch.ones(2, 3)),
        "scatter_range": lambda: torch.ones(2, 3).scatter(1, torch.tensor([[3]]), torch.ones(1, 1)),
        "scatter_dtype": lambda: torch.ones(2, 3).scatter(1, torch.tensor([[0]]),
                                                          torch.ones(1, 1, dtype=torch.float64)),
        "masked_fill_value_dim": lambda: torch.ones(2, 3).masked_fill(torch.ones(3, dtype=torch.bool),
                                                                      torch.ones(1)),
        "masked_fill_shape": lambda: torch.ones(2, 3).masked_fill(torch.ones(2, 2, dtype=torch.bool), 1.0),
        "index_tensor_range": lambda: torch.ones(2, 3)[torch.tensor([0, 2])],
        "index_tensor_negative_range": lambda: torch.ones(2, 3)[torch.tensor([-3])],
        "index_tensor_float": lambda: torch.ones(2, 3)[torch.tensor([0.0])],
        "index_add_dtype": lambda: torch.ones(2, 3).index_add(1, torch.tensor([0]),
                                                              torch.ones(2, 1, dtype=torch.float64)),
        "index_put_dtype": lambda: torch.ones(2, 3).index_put((torch.tensor([0]),),
                                                              torch.ones(3, dtype=torch.float64)),
        "index_put_shape": lambda: torch.ones(2, 3).index_put((torch.tensor([0, 1]),), torch.ones(3, 3)),
        "index_put_range": lambda: torch.ones(2, 3).index_put((torch.tensor([2]),), torch.ones(3)),
        "index_put_negative_range": lambda: torch.ones(2, 3).index_put((torch.tensor([-3]),), torch.ones(3)),
        "index_put_too_many": lambda: torch.ones(3).index_put((torch.tensor([0]), torch.tensor([0])),
                                                              torch.ones(())),
        "index_put_float_index": lambda: torch.ones(3).index_put((torch.tensor([0.0]),), torch.ones(())),
        "index_put_leaf": lambda: torch.ones(3, requires_grad=True).index_put_((torch.tensor([0]),),
                                                                               torch.ones(())),
        "setitem_view_of_leaf": lambda: torch.ones(3, requires_grad=True)[1:].copy_(torch.ones(2)),
        "topk_range": lambda: torch.ones(2, 3).topk(4),
        "topk_negative": lambda: torch.ones(2, 3).topk(-1, 0),
        "topk_bool": lambda: torch.ones(2, 3, dtype=torch.bool).topk(1),
        "kthvalue_range": lambda: torch.ones(2, 3).kthvalue(3, 0),
        "kthvalue_zero": lambda: torch.ones(2, 3).kthvalue(0),
        "median_empty_dim": lambda: torch.ones(0, 3).median(0),
        "median_bool": lambda: torch.ones(3, dtype=torch.bool).median(),
        "sort_dim": lambda: torch.ones(2, 3).sort(2),
    }
    out = {}
    for name, fn in cases.items():
        try:
            fn()
        except Exception as e:
            out[name] = {"type": type(e).__name__, "message": clean(str(e).split("\n")[0])}
            continue
        raise AssertionError(f"{name} did not fail")
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_printoptions(profile="default")
    write("printing.json", {"tensors": printing_cases(), "grad_fn": grad_fn_cases()})
    write("ops.json", {"ops": [op_case(n, f, i) for n, f, i in OPS]})
    write("messages.json", messages())
    write("views.json", views())
    write("numerics.json", {"cases": [numerics_case(n, f, i) for n, f, i in NUMERICS]})
    write("misuse.json", misuse())


def write(name, obj):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(obj, f, indent=1, allow_nan=False)
        f.write("\n")
    print("wrote", name)


if __name__ == "__main__":
    main()
