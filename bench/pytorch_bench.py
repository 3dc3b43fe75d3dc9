#!/usr/bin/python3
"""PyTorch eager timings of the gradc benchmark workloads (issue 7).

Each workload computes a scalar loss and the gradients of its params with
torch.autograd.grad, in the dtypes and at the sizes the JMH benchmarks use.
Every call is timed on its own after a warm-up; the median is reported.
tiny_step is the tutorial's z = (5*x1 + 3*x2) * (2*x1 + x2) as a training
loop writes it (backward, read both .grad, zero them); one step takes
microseconds, so each timed call runs TINY_STEPS of them and the time per
step is reported.
Writes JSON for bench/compare.sh to fold into BENCHMARKS.md.
"""
import argparse
import ctypes
import json
import math
import os
import statistics
import time

import torch
import torch.nn.functional as F

FULL = {"mse": 4_000_000, "logistic": 200_000, "black_scholes": 1_000_000,
        "mlp": (256, 784, 256, 10), "tiny_step": None, "embedding_bag": (100_000, 4096)}
SMALL = {"mse": 40_000, "logistic": 2_000, "black_scholes": 10_000,
         "mlp": (32, 64, 32, 10), "tiny_step": None, "embedding_bag": (1000, 40)}
TINY_STEPS = 1000


def uniform(gen, shape, lo, hi, dtype=torch.float64):
    return torch.rand(shape, generator=gen, dtype=torch.float64).mul_(hi - lo).add_(lo).to(dtype)


def mse(gen, n):
    a, b, c, d = (uniform(gen, n, -1, 1) for _ in range(4))
    params = [a, b, c]
    for p in params:
        p.requires_grad_(True)

    def step():
        loss = ((a * b + c - d) ** 2).mean()
        return (loss, *torch.autograd.grad(loss, params))

    return step


def logistic(gen, rows):
    x = uniform(gen, (rows, 32), -1, 1)
    y = torch.where(torch.rand(rows, generator=gen) < 0.5, 1.0, -1.0).double()
    w = uniform(gen, 32, -0.5, 0.5).requires_grad_(True)

    def step():
        loss = F.softplus(-y * (x @ w)).mean()
        return (loss, *torch.autograd.grad(loss, [w]))

    return step


def black_scholes(gen, n):
    s = uniform(gen, n, 50, 150).requires_grad_(True)
    sigma = uniform(gen, n, 0.1, 0.5).requires_grad_(True)
    r = uniform(gen, n, 0.01, 0.05).requires_grad_(True)
    t = uniform(gen, n, 0.25, 2).requires_grad_(True)
    k = uniform(gen, n, 50, 150)
    params = [s, sigma, r, t]

    def cdf(x):
        return 0.5 * (1 + torch.erf(x * math.sqrt(0.5)))

    def step():
        vol_time = sigma * torch.sqrt(t)
        d1 = (torch.log(s / k) + (r + sigma * sigma * 0.5) * t) / vol_time
        d2 = d1 - vol_time
        call = s * cdf(d1) - k * torch.exp(-(r * t)) * cdf(d2)
        loss = call.sum()
        return (loss, *torch.autograd.grad(loss, params))

    return step


def mlp(gen, dims):
    batch, inputs, hidden, classes = dims
    s1, s2 = 1 / math.sqrt(inputs), 1 / math.sqrt(hidden)
    x = uniform(gen, (batch, inputs), 0, 1, torch.float32)
    w1 = uniform(gen, (inputs, hidden), -s1, s1, torch.float32).requires_grad_(True)
    b1 = uniform(gen, hidden, -s1, s1, torch.float32).requires_grad_(True)
    w2 = uniform(gen, (hidden, classes), -s2, s2, torch.float32).requires_grad_(True)
    b2 = uniform(gen, classes, -s2, s2, torch.float32).requires_grad_(True)
    labels = torch.randint(0, classes, (batch,), generator=gen)
    params = [w1, b1, w2, b2]

    def step():
        logits = torch.relu(x @ w1 + b1) @ w2 + b2
        loss = F.cross_entropy(logits, labels)
        return (loss, *torch.autograd.grad(loss, params))

    return step


def embedding_bag(gen, dims):
    """The rows of an f32 table [rows, 64] at bags of 16 ids, summed per bag, dot w, MSE."""
    rows, bags = dims
    dim, bag = 64, 16
    table = uniform(gen, (rows, dim), -0.1, 0.1, torch.float32).requires_grad_(True)
    ids = torch.randint(0, rows, (bags * bag,), generator=gen)
    w = uniform(gen, dim, -0.5, 0.5, torch.float32).requires_grad_(True)
    y = uniform(gen, bags, -1, 1, torch.float32)
    params = [table, w]

    def step():
        per_bag = table.index_select(0, ids).reshape(bags, bag, dim).sum(1)
        loss = ((per_bag @ w - y) ** 2).mean()
        return (loss, *torch.autograd.grad(loss, params))

    return step


def tiny_step(gen, _):
    x1 = torch.tensor([1.0], requires_grad=True)
    x2 = torch.tensor([2.0], requires_grad=True)

    def one():
        z = (5 * x1 + 3 * x2) * (2 * x1 + x2)
        z.backward()
        grads = (x1.grad.item(), x2.grad.item())
        x1.grad.zero_()
        x2.grad.zero_()
        return grads

    def step():
        for _ in range(TINY_STEPS):
            grads = one()
        assert grads == (42.0, 23.0), grads
        return grads

    step.calls = TINY_STEPS
    return step


WORKLOADS = {"mse": mse, "logistic": logistic, "black_scholes": black_scholes, "mlp": mlp,
             "tiny_step": tiny_step, "embedding_bag": embedding_bag}


def timed(step, warmup, repeats):
    """Seconds per call of the workload: per call of step, divided by the calls it makes."""
    calls = getattr(step, "calls", 1)
    for _ in range(warmup):
        step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) / calls)
    return times


def blas_library():
    """The BLAS shared library this process mapped after a matmul, as the loader resolved it."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    found = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            name = os.path.basename(path)
            if "blas" in name or "mkl" in name.lower():
                found.add(os.path.realpath(path))
    return sorted(found)


def openblas_kernel():
    """The kernel family, build and thread count of the OpenBLAS this process runs, or None."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    for path in blas_library():
        if os.path.basename(path).startswith("libopenblas"):
            # The library is already loaded: CDLL returns the same instance, so this is the
            # kernel OpenBLAS chose for this process.
            lib = ctypes.CDLL(path)
            text = {}
            for name in ("openblas_get_corename", "openblas_get_config"):
                f = getattr(lib, name)
                f.restype = ctypes.c_char_p
                text[name] = f().decode()
            return {"core": text["openblas_get_corename"],
                    "config": text["openblas_get_config"],
                    "threads": lib.openblas_get_num_threads(),
                    "coretype": os.environ.get("OPENBLAS_CORETYPE", "unset")}
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--size", choices=["full", "small"], default="full")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--only", nargs="*", default=list(WORKLOADS))
    ap.add_argument("--json", required=True, help="file to write the results to")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    sizes = FULL if args.size == "full" else SMALL
    results = []
    for name in args.only:
        gen = torch.Generator().manual_seed(7)
        step = WORKLOADS[name](gen, sizes[name])
        times = timed(step, args.warmup, args.repeats)
        ms = [t * 1e3 for t in times]
        results.append({"workload": name, "median_ms": statistics.median(ms), "min_ms": min(ms),
                        "repeats": len(ms)})
        print(f"pytorch {name:14s} {args.threads} threads: {statistics.median(ms):10.4f} ms")
    meta = {"torch": torch.__version__, "threads": torch.get_num_threads(),
            "blas": blas_library(), "openblas": openblas_kernel(), "size": args.size, "warmup": args.warmup,
            "repeats": args.repeats}
    with open(args.json, "w") as out:
        json.dump({"meta": meta, "results": results}, out, indent=1)


if __name__ == "__main__":
    main()
