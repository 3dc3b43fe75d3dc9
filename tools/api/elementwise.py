#!/usr/bin/python3
"""Writes the PyTorch fixture of the Java API's elementwise math (frontend/src/test/resources/pytorch/elementwise.json).

Run with Debian's PyTorch 1.13: /usr/bin/python3 tools/api/elementwise.py
The fixture is committed; the build never runs Python.

Each function runs in f64 and f32 on values of its own domain with its edges, kinks and ties
(acosh(1), atanh(+-1), halves for round, integers for floor, 0 for sinc) and on special values (NaN,
+-inf, +-0, huge and subnormal magnitudes). A case holds the inputs, the value, the grad_fn name, the
gradients of sum(y * c) for a fixed cotangent c and, on the domain's values, the second derivative:
the gradients of sum(g * w), g being the first gradients taken with create_graph=True. Integer and
bool inputs give the result dtype and value, or PyTorch's error message ("dtypes").
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from generate import DTYPES, enc  # noqa: E402  (the encoding of the other API fixtures)

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "frontend", "src", "test", "resources", "pytorch",
                   "elementwise.json")
NAN, INF = float("nan"), float("inf")

SPECIAL = [NAN, INF, -INF, 0.0, -0.0, 1e308, -1e308, 5e-324, 1.0, -1.0, 0.5, -30.0]
ORDINARY = [-3.0, -1.0, -0.5, -0.0, 0.0, 0.25, 1.0, 2.5, 5.0]
UNIT = [-1.0, -0.99, -0.5, -0.0, 0.0, 0.3, 0.9, 1.0, 1.5, -2.0]
HALVES = [-2.5, -1.5, -0.5, -0.0, 0.0, 0.5, 1.5, 2.5, 0.49999999999999994, -1.7, 2.3, 3.0, 1e17]

# name -> (function of the inputs, as PyTorch spells it, the inputs' values)
FUNCTIONS = {
    "sinh": (torch.sinh, [ORDINARY + [20.0, -20.0]]),
    "cosh": (torch.cosh, [ORDINARY + [20.0, -20.0]]),
    "asinh": (torch.asinh, [ORDINARY + [1e10, -1e-10, 3e8]]),
    "acosh": (torch.acosh, [[1.0, 1.0001, 1.5, 2.0, 3.0, 10.0, 1e10, 0.5, -1.0]]),
    "atanh": (torch.atanh, [UNIT]),
    "asin": (torch.asin, [UNIT]),
    "acos": (torch.acos, [UNIT]),
    "atan": (torch.atan, [ORDINARY + [1e10, -1e-10]]),
    "log2": (torch.log2, [[0.0, -0.0, 0.5, 1.0, 2.0, 3.0, 8.0, 1024.0, 0.1, -1.0, 1e-310]]),
    "log10": (torch.log10, [[0.0, 1.0, 10.0, 100.0, 0.001, 3.0, -1.0, 1e-5, 1e-310]]),
    "erfc": (torch.erfc, [[-6.0, -2.0, -0.5, -0.0, 0.0, 0.5, 1.0, 3.0, 10.0, 27.0]]),
    "floor": (torch.floor, [HALVES]),
    "ceil": (torch.ceil, [HALVES]),
    "round": (torch.round, [HALVES]),
    "trunc": (torch.trunc, [HALVES]),
    "exp2": (torch.exp2, [[-1074.0, -3.0, -1.0, -0.5, 0.0, 1.0, 3.5, 10.0, 1023.0]]),
    "frac": (torch.frac, [[-2.5, -1.75, -0.0, 0.0, 0.25, 1.0, 3.75, 1e20, -4503599627370495.5]]),
    "sinc": (torch.sinc, [[-2.5, -1.0, -0.5, -0.0, 0.0, 0.25, 1.0, 1.5, 3.0, 0.1]]),
}

# Integer and bool inputs of each function: the dtype PyTorch computes in, or its error.
INT_VALUES = [-2, 0, 3]
BOOL_VALUES = [True, False]


def grad_fn(y):
    return type(y.grad_fn).__name__ if y.grad_fn is not None else None


def case(name, fn, values, dtype, second):
    xs = [torch.tensor(v, dtype=dtype, requires_grad=True) for v in values]
    y = fn(*xs)
    c = torch.linspace(-1.5, 2.0, y.numel(), dtype=dtype).reshape(y.shape)
    out = {"name": name, "inputs": [dict(enc(x), requires_grad=True) for x in xs], "value": enc(y),
           "grad_fn": grad_fn(y), "cotangent": enc(c)}
    gs = torch.autograd.grad((y * c).sum(), xs, create_graph=second, allow_unused=True)
    out["grads"] = [enc(g) if g is not None else enc(torch.zeros_like(x)) for g, x in zip(gs, xs)]
    if second:
        ws = [torch.linspace(0.5, -1.0, x.numel(), dtype=dtype) for x in xs]
        out["weights"] = [enc(w) for w in ws]
        live = [(g, w) for g, w in zip(gs, ws) if g is not None and g.requires_grad]
        if live:
            s = sum((g * w).sum() for g, w in live)
            ggs = torch.autograd.grad(s, xs, allow_unused=True)
            out["second"] = [enc(gg) if gg is not None else enc(torch.zeros_like(x))
                             for gg, x in zip(ggs, xs)]
        else:
            out["second"] = [enc(torch.zeros_like(x)) for x in xs]
    return out


def dtype_case(name, fn, arity, values, dtype):
    xs = [torch.tensor(values, dtype=dtype) for _ in range(arity)]
    out = {"name": name, "inputs": [enc(x) for x in xs]}
    try:
        out["value"] = enc(fn(*xs))
    except RuntimeError as e:
        out["error"] = str(e).splitlines()[0]
    return out


def main():
    cases = []
    dtypes = []
    for name, (fn, values) in FUNCTIONS.items():
        for dtype in (torch.float64, torch.float32):
            d = DTYPES[dtype]
            cases.append(case(f"{name}__{d}", fn, values, dtype, True))
            special = [SPECIAL for _ in values]
            cases.append(case(f"{name}__special_{d}", fn, special, dtype, False))
        dtypes.append(dtype_case(f"{name}__i64", fn, len(values), INT_VALUES, torch.int64))
        dtypes.append(dtype_case(f"{name}__bool", fn, len(values), BOOL_VALUES, torch.bool))
    with open(OUT, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases, "dtypes": dtypes}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
