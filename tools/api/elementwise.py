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
GAMMA = [-2.5, -0.5, 0.1, 0.5, 1.0, 2.0, 7.5, 30.0]
# PyTorch's f32 trigamma gives finite values at the negative integers that f32 arithmetic of its
# reflection leaves (1.29e15 at -1); gradc rounds the f64 value (6.58e32 at -1) once
GAMMA_F32_SPECIAL = [v for v in SPECIAL if v not in (-1.0, -30.0)]
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
    "lgamma": (torch.lgamma, [[-2.5, -1.5, -0.5, 0.25, 0.5, 1.0, 1.5, 2.0, 3.7, 10.0, 150.0]]),
    "digamma": (torch.digamma, [[-2.5, -0.5, 0.1, 0.5, 1.0, 1.4616321449683622, 2.0, 7.5, 20.0]]),
    "polygamma_0": (lambda x: torch.polygamma(0, x), [GAMMA]),
    "polygamma_1": (lambda x: torch.polygamma(1, x), [GAMMA]),
    "polygamma_2": (lambda x: x.polygamma(2), [GAMMA]),
    "polygamma_3": (lambda x: torch.polygamma(3, x), [GAMMA]),
    "erfinv": (torch.erfinv, [[-0.999, -0.9, -0.5, -0.0, 0.0, 0.1, 0.5, 0.75, 0.9, 0.999999]]),
    "nan_to_num": (torch.nan_to_num, [[NAN, INF, -INF, 1.0, -0.0, 1e308, -2.5]]),
    "nan_to_num_values": (lambda x: torch.nan_to_num(x, nan=1.5, posinf=2.0, neginf=-3.0),
                          [[NAN, INF, -INF, 1.0, -0.0, 1e308, -2.5]]),
    "round_decimals": (lambda x: torch.round(x, decimals=2),
                       [[1.005, 2.675, 0.125, -0.125, 0.375, -1.235, 15.0, 1e300, 0.0]]),
    "round_decimals_negative": (lambda x: torch.round(x, decimals=-1),
                                [[15.0, 25.0, -35.0, 4.9, 5.0, 1e300, -0.0, 0.0, 123.456]]),
    # binary: the inputs' values pair up elementwise
    "atan2": (torch.atan2, [[1.0, -1.0, 0.0, -0.0, 0.0, -0.0, 2.5, -3.0, 1.0],
                            [1.0, 1.0, 1.0, 1.0, -1.0, -1.0, -0.5, 2.0, 0.0]]),
    "hypot": (torch.hypot, [[3.0, -3.0, 0.0, 1e200, 1e-200, 0.5, -2.0, 0.0],
                            [4.0, 4.0, 0.5, 1e200, 1e-200, -0.25, 0.0, 0.0]]),
    "remainder": (torch.remainder, [[5.5, -5.5, 5.5, -5.5, 0.0, -0.0, 3.0, -3.0, 7.5, 1e-300],
                                    [2.0, 2.0, -2.0, -2.0, 3.0, 3.0, 1.5, 1.5, 2.5, 1.0]]),
    "remainder_operator": (lambda a, b: a % b, [[5.5, -5.5, 5.5, -5.5, 0.0, 7.5],
                                                 [2.0, 2.0, -2.0, -2.0, 3.0, -2.5]]),
    "remainder_number": (lambda a: torch.remainder(a, 2.5), [[5.5, -5.5, 0.0, -0.0, 7.5, 2.4]]),
    "remainder_number_first": (lambda b: torch.remainder(7.0, b), [[2.0, -2.0, 3.5, 0.5]]),
    "fmod": (torch.fmod, [[5.5, -5.5, 5.5, -5.5, 0.0, -0.0, 3.0, -3.0, 7.5, 1e-300],
                          [2.0, 2.0, -2.0, -2.0, 3.0, 3.0, 1.5, 1.5, 2.5, 1.0]]),
    "fmod_number": (lambda a: torch.fmod(a, 2.5), [[5.5, -5.5, 0.0, -0.0, 7.5, 2.4]]),
    "copysign": (torch.copysign, [[1.0, -1.0, 2.0, -2.0, 0.0, -0.0, 3.0, 0.0],
                                  [1.0, 1.0, -1.0, -1.0, -1.0, 1.0, -0.0, -0.0]]),
    "copysign_number": (lambda a: torch.copysign(a, -1.0), [[1.0, -1.0, 0.0, -0.0, 2.5]]),
    "xlogy": (torch.xlogy, [[0.0, 0.0, 1.0, 2.0, -1.0, 0.5, 0.0, 3.0],
                            [0.0, 1.0, 0.0, 2.0, 3.0, 0.5, -1.0, 1e-300]]),
    "xlogy_number": (lambda a: torch.xlogy(a, 2.0), [[0.0, 1.0, -2.0, 0.5]]),
    "xlogy_number_first": (lambda b: torch.xlogy(2.0, b), [[0.0, 1.0, 2.0, 0.5, -1.0]]),
    "xlog1py": (torch.special.xlog1py, [[0.0, 0.0, 1.0, 2.0, -1.0, 0.5, 0.0, 3.0],
                                        [-1.0, 0.0, -1.0, 2.0, 3.0, -0.5, -2.0, 1e-10]]),
    "logaddexp": (torch.logaddexp, [[0.0, 1.0, -1.0, 1000.0, -1000.0, 2.0, 40.0, -0.5],
                                    [0.0, 2.0, -1.0, 1000.0, -999.0, -3.0, -40.0, 0.5]]),
    "logaddexp2": (torch.logaddexp2, [[0.0, 1.0, -1.0, 1000.0, -1000.0, 2.0, 60.0, -0.5],
                                      [0.0, 2.0, -1.0, 1000.0, -999.0, -3.0, -60.0, 0.5]]),
}

# Integer and bool inputs of each function: the dtype PyTorch computes in, or its error. Binary
# functions pair the first values with the second (nonzero divisors); ZERO_DIVISOR divides by 0.
INT_VALUES = [[-7, 0, 7, 5], [2, -3, -2, 5]]
BOOL_VALUES = [[True, False], [True, True]]
ZERO_DIVISOR = [[1, 2], [1, 0]]


def grad_fn(y):
    return type(y.grad_fn).__name__ if y.grad_fn is not None else None


def case(name, fn, values, dtype, second):
    xs = [torch.tensor(v, dtype=dtype, requires_grad=True) for v in values]
    y = fn(*xs)
    c = torch.linspace(-1.5, 2.0, y.numel(), dtype=dtype).reshape(y.shape)
    out = {"name": name, "inputs": [dict(enc(x), requires_grad=True) for x in xs], "value": enc(y),
           "grad_fn": grad_fn(y), "cotangent": enc(c)}
    try:
        gs = torch.autograd.grad((y * c).sum(), xs, create_graph=second, allow_unused=True)
    except RuntimeError as e:
        out["grad_error"] = str(e).splitlines()[0]  # PyTorch implements no derivative here
        return out
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
    xs = [torch.tensor(values[k], dtype=dtype) for k in range(arity)]
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
            # binary functions: every special value against itself and against the others
            special = [SPECIAL + SPECIAL, SPECIAL + SPECIAL[3:] + SPECIAL[:3]][:len(values)]
            if len(values) == 1:
                # PyTorch's vectorized fmod divides, so 7 % 5e-324 is NaN there where C's fmod
                # (and gradc) gives 0: the scalar-first remainder leaves the subnormal out
                special = [[v for v in SPECIAL if v != 5e-324]] if name == "remainder_number_first" \
                    else [SPECIAL]
            if dtype == torch.float32 and name in ("digamma", "polygamma_0", "polygamma_1"):
                special = [GAMMA_F32_SPECIAL]
            cases.append(case(f"{name}__special_{d}", fn, special, dtype, False))
        # integers compute in f32: see GAMMA_F32_SPECIAL
        ints = [[abs(v) for v in vs] for vs in INT_VALUES] if name.startswith(("digamma", "polygamma")) \
            else INT_VALUES
        dtypes.append(dtype_case(f"{name}__i64", fn, len(values), ints, torch.int64))
        dtypes.append(dtype_case(f"{name}__bool", fn, len(values), BOOL_VALUES, torch.bool))
        if name in ("remainder", "fmod", "remainder_operator"):
            dtypes.append(dtype_case(f"{name}__zero_divisor", fn, 2, ZERO_DIVISOR, torch.int64))
    with open(OUT, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases, "dtypes": dtypes}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
