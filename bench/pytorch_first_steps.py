#!/usr/bin/python3
"""PyTorch's counterpart of gradc's FirstSteps (bench/.../FirstSteps.java): the first
100,000 steps of tiny_step in a fresh process, in eager mode. The clock starts once torch is
imported (interpreter start and import excluded, as JVM start is for gradc) and includes making
the leaves. Prints the number of steps and the total in seconds on one line; bench/compare.sh
runs it in several fresh processes, with the same thread limits as bench/pytorch_bench.py.
"""
import argparse
import time

import torch


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--steps", type=int, default=100_000)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    x1 = torch.tensor([1.0], requires_grad=True)
    x2 = torch.tensor([2.0], requires_grad=True)
    grads = None
    for _ in range(args.steps):
        z = (5 * x1 + 3 * x2) * (2 * x1 + x2)
        z.backward()
        grads = (x1.grad.item(), x2.grad.item())
        x1.grad.zero_()
        x2.grad.zero_()
    seconds = time.perf_counter() - start
    assert grads == (42.0, 23.0), grads
    print(f"{args.steps} {seconds:.6f}")


if __name__ == "__main__":
    main()
