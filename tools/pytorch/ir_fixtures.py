#!/usr/bin/python3
"""Writes the PyTorch fixtures that the ir module's tests read.

Run with Debian's PyTorch (python3-torch, 1.13) from the repository root:

    /usr/bin/python3 tools/pytorch/ir_fixtures.py

Outputs (committed, so the build never needs Python):
  ir/src/test/resources/pytorch/kinks.json      gradients at kinks and ties
  ir/src/test/resources/pytorch/promotion.json  result dtypes of ops on mixed dtypes
"""
import itertools
import json
import os

import torch

OUT = os.path.join("ir", "src", "test", "resources", "pytorch")
DTYPES = {"f32": torch.float32, "f64": torch.float64, "i64": torch.int64, "bool": torch.bool}
NAMES = {v: k for k, v in DTYPES.items()}


def grads(fn, *inputs):
    """Value and gradients of fn at f64 inputs; each input requires grad."""
    xs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in inputs]
    y = fn(*xs)
    y.backward()
    return {
        "inputs": inputs,
        "value": y.item(),
        "grads": [x.grad.tolist() for x in xs],
    }


def kinks():
    """Each case's name is the function the Java test builds with the same name."""
    F = torch.nn.functional
    cases = {
        "relu": grads(lambda x: torch.relu(x).sum(), [-1.0, 0.0, 2.0]),
        "abs": grads(lambda x: torch.abs(x).sum(), [-1.0, 0.0, 2.0]),
        "sign": grads(lambda x: (torch.sign(x) * 3).sum(), [-1.0, 0.0, 2.0]),
        "clamp_literal_bounds": grads(
            lambda x: torch.clamp(x, -1.0, 1.0).sum(), [-2.0, -1.0, 0.0, 1.0, 2.0]),
        "clamp_tensor_bounds": grads(
            lambda x, lo, hi: torch.clamp(x, lo, hi).sum(),
            [-1.0, 1.0, 0.0, 3.0], [-1.0, -1.0, -1.0, 2.0], [1.0, 1.0, 1.0, 2.0]),
        "clamp_min_above_max": grads(
            lambda x, lo, hi: torch.clamp(x, lo, hi).sum(),
            [0.0, 2.0, 5.0], [1.0, 1.0, 1.0], [0.5, 0.5, 0.5]),
        "amax_all_ties": grads(lambda x: x.amax(), [[1.0, 3.0], [3.0, 2.0]]),
        "amax_dim_ties": grads(
            lambda x: (x.amax(1) ** 2).sum(),
            [[1.0, 1.0, 0.0], [2.0, 0.0, 2.0], [5.0, 5.0, 5.0]]),
        "amin_keepdim_ties": grads(
            lambda x: x.amin(0, keepdim=True).sum(), [[1.0, 4.0], [1.0, 2.0], [3.0, 2.0]]),
        "maximum_ties": grads(
            lambda a, b: torch.maximum(a, b).sum(), [1.0, 2.0, 3.0], [1.0, 0.0, 3.0]),
        "minimum_ties": grads(
            lambda a, b: torch.minimum(a, b).sum(), [1.0, 2.0, 3.0], [1.0, 0.0, 3.0]),
        "maximum_broadcast_ties": grads(
            lambda a, b: torch.maximum(a, b).sum(), [[1.0, 2.0], [2.0, 2.0]], [2.0]),
        "pow_zero_base": grads(
            lambda x, e: (x ** e).sum(), [0.0, 0.0, 2.0], [2.0, 0.0, 0.0]),
        "pow_literal_zero_base": grads(lambda x: (x ** 2.0).sum(), [0.0, 1.0]),
        "softplus_threshold": grads(lambda x: F.softplus(x).sum(), [20.0, 20.5, 19.5]),
        "l1_loss_equal": grads(
            lambda a, b: F.l1_loss(a, b), [1.0, 2.0, 3.0], [1.0, 0.0, 3.0]),
        "huber_loss_at_delta": grads(
            lambda a, b: F.huber_loss(a, b), [1.0, -1.0, 0.5], [0.0, 0.0, 0.0]),
        "mse_loss_equal": grads(lambda a, b: F.mse_loss(a, b), [1.0, 2.0], [1.0, 2.0]),
        "bce_with_logits_zero": grads(
            lambda x, y: F.binary_cross_entropy_with_logits(x, y), [0.0, 0.0], [0.0, 1.0]),
    }
    return cases


def operand(kind, dtype):
    """A tensor [3] ('t'), a zero-dim tensor ('z') or a Python scalar ('l')."""
    values = {"f32": [1.5, -2.0, 3.0], "f64": [1.5, -2.0, 3.0], "i64": [1, -2, 3],
              "bool": [True, False, True]}
    if kind == "t":
        return torch.tensor(values[dtype], dtype=DTYPES[dtype])
    if kind == "z":
        return torch.tensor(values[dtype][0], dtype=DTYPES[dtype])
    return {"f64": 2.5, "i64": 2, "bool": True}[dtype]


BINARY = {
    "add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div,
    "pow": torch.pow, "maximum": torch.maximum, "minimum": torch.minimum,
    "lt": torch.lt, "eq": torch.eq,
}
UNARY = {
    "neg": torch.neg, "abs": torch.abs, "exp": torch.exp, "sqrt": torch.sqrt,
    "relu": torch.relu, "square": torch.square, "sigmoid": torch.sigmoid,
    "sign": torch.sign, "reciprocal": torch.reciprocal, "sum": torch.sum,
    "mean": torch.mean, "amax": torch.amax, "logsumexp": lambda x: torch.logsumexp(x, 0),
    "softmax": lambda x: torch.softmax(x, 0),
}


def result(fn, *args):
    try:
        r = fn(*args)
        return NAMES[r.dtype]
    except (RuntimeError, TypeError) as e:
        return "error: " + str(e).split("\n")[0]


def promotion():
    cases = []
    kinds = [("t", d) for d in DTYPES] + [("z", d) for d in DTYPES] + [("l", d) for d in ("f64", "i64", "bool")]
    for name, fn in BINARY.items():
        for (ka, da), (kb, db) in itertools.product(kinds, kinds):
            if ka == "l" and kb == "l":
                continue
            if name == "pow" and ka == "l":
                continue  # torch.pow(scalar, tensor) is a different overload
            a, b = operand(ka, da), operand(kb, db)
            if ka == "l":
                fn2 = {"add": lambda x, y: x + y, "sub": lambda x, y: x - y,
                       "mul": lambda x, y: x * y, "div": lambda x, y: x / y,
                       "lt": lambda x, y: x < y, "eq": lambda x, y: x == y}.get(name)
                if fn2 is None:
                    continue
                cases.append({"op": name, "operands": [ka + ":" + da, kb + ":" + db],
                              "result": result(fn2, a, b)})
            else:
                cases.append({"op": name, "operands": [ka + ":" + da, kb + ":" + db],
                              "result": result(fn, a, b)})
    cond = torch.tensor([True, False, True])
    for (ka, da), (kb, db) in itertools.product(kinds, kinds):
        if ka == "l" and kb == "l":
            continue
        cases.append({"op": "where", "operands": ["t:bool", ka + ":" + da, kb + ":" + db],
                      "result": result(torch.where, cond, operand(ka, da), operand(kb, db))})
    for (kx, dx), (kb, db) in itertools.product([k for k in kinds if k[0] != "l"], kinds):
        cases.append({"op": "clamp", "operands": [kx + ":" + dx, kb + ":" + db, kb + ":" + db],
                      "result": result(torch.clamp, operand(kx, dx), operand(kb, db), operand(kb, db))})
    for name, fn in UNARY.items():
        for d in DTYPES:
            cases.append({"op": name, "operands": ["t:" + d], "result": result(fn, operand("t", d))})
    for da, db in itertools.product(DTYPES, DTYPES):
        cases.append({"op": "matmul", "operands": ["t:" + da, "t:" + db],
                      "result": result(torch.matmul, operand("t", da), operand("t", db))})
    return cases


def write(name, data):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    torch.set_default_dtype(torch.float32)
    write("kinks.json", {"torch": torch.__version__, "cases": kinks()})
    write("promotion.json", {"torch": torch.__version__, "cases": promotion()})
