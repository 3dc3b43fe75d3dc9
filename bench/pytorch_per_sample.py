#!/usr/bin/python3
"""PyTorch's per-sample gradients of an MLP: functorch.vmap(functorch.grad(loss)) over a batch.

The same problem as PerSampleGradBench (bench module): an MLP (in -> hidden -> classes, relu or
tanh) with a cross-entropy loss per example, its label one-hot, gradients of every weight and bias
for each of BATCH examples. Every call is timed on its own after a warm-up; the median is reported, in
milliseconds, as one JSON line. Run with Debian's PyTorch (functorch ships with 1.13).
"""
import argparse
import json
import os
import statistics
import time

import functorch
import torch


ACTIVATIONS = {"relu": torch.relu, "tanh": torch.tanh}


def loss_of(activation):
    def loss(w1, b1, w2, b2, x, y):
        logits = activation(x @ w1 + b1) @ w2 + b2
        return -(torch.log_softmax(logits, 0) * y).sum()
    return loss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--sizes", default="32x64x10", help="in x hidden x classes")
    ap.add_argument("--activation", default="relu", choices=sorted(ACTIVATIONS))
    ap.add_argument("--dtype", default="f32", choices=["f32", "f64"])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--calls", type=int, default=200)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    dt = torch.float32 if a.dtype == "f32" else torch.float64
    n_in, hidden, classes = (int(s) for s in a.sizes.split("x"))
    g = torch.Generator().manual_seed(0)
    w1 = torch.randn(n_in, hidden, generator=g, dtype=dt) * 0.3
    b1 = torch.zeros(hidden, dtype=dt)
    w2 = torch.randn(hidden, classes, generator=g, dtype=dt) * 0.3
    b2 = torch.zeros(classes, dtype=dt)
    x = torch.randn(a.batch, n_in, generator=g, dtype=dt)
    y = torch.nn.functional.one_hot(torch.randint(0, classes, (a.batch,), generator=g),
                                    classes).to(dt)
    per_sample = functorch.vmap(functorch.grad(loss_of(ACTIVATIONS[a.activation]), argnums=(0, 1, 2, 3)),
                                in_dims=(None, None, None, None, 0, 0))
    for _ in range(20):
        per_sample(w1, b1, w2, b2, x, y)
    times = []
    for _ in range(a.calls):
        t0 = time.perf_counter()
        per_sample(w1, b1, w2, b2, x, y)
        times.append(time.perf_counter() - t0)
    print(json.dumps({"peer": "functorch.vmap(grad)", "torch": torch.__version__,
                      "batch": a.batch, "sizes": a.sizes, "activation": a.activation, "dtype": a.dtype,
                      "threads": a.threads, "median_ms": 1000 * statistics.median(times)}))


if __name__ == "__main__":
    main()
