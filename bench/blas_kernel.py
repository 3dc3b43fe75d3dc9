#!/usr/bin/python3
"""Chooses the OpenBLAS kernel PyTorch runs with in the comparison, by measurement.

OpenBLAS (built with DYNAMIC_ARCH) picks its kernel family ("core") when it loads: from
OPENBLAS_CORETYPE if set, else from the CPU's identity. A machine-wide OPENBLAS_CORETYPE pin
holds it to one family; without a pin, an OpenBLAS older than the CPU may not know the CPU's
model and fall back to a generic family (0.3.21 on a model-207 Xeon picks Prescott, SSE3).
So that PyTorch runs at its best, this script times PyTorch's f32 matmul at the mlp
workload's first shape (256x784 @ 784x256) on one thread in a fresh process for each
candidate: OpenBLAS's own choice (pins unset) and every kernel family the CPU's flags
support, and names the fastest.

Prints one JSON object: {"auto": core OpenBLAS chose itself, "best": fastest core,
"gflops": {core: GFLOP/s}, "config": openblas_get_config() of the auto run}.
With --probe, instead prints this process's own core and its matmul GFLOP/s.
"""
import argparse
import ctypes
import json
import os
import subprocess
import sys
import time

SHAPE = (256, 784, 256)

# Kernel families OpenBLAS 0.3.x knows for x86-64, each with the CPU flags it needs.
FAMILIES = [
    ("Haswell", {"avx2", "fma"}),
    ("SkylakeX", {"avx512f", "avx512bw", "avx512vl", "avx512dq"}),
    ("Cooperlake", {"avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_bf16"}),
    ("SapphireRapids", {"avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_bf16",
                        "amx_bf16", "avx512_fp16"}),
]


def openblas():
    """The OpenBLAS library this process mapped (after a matmul), or None."""
    import torch
    torch.ones(8, 8) @ torch.ones(8, 8)
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if os.path.basename(path).startswith("libopenblas"):
                return ctypes.CDLL(path)
    return None


def describe(lib):
    """core name, build configuration and thread count of a loaded OpenBLAS."""
    def text(name):
        f = getattr(lib, name)
        f.restype = ctypes.c_char_p
        return f().decode()
    return {"core": text("openblas_get_corename"), "config": text("openblas_get_config"),
            "threads": lib.openblas_get_num_threads()}


def probe():
    import torch
    torch.set_num_threads(1)
    lib = openblas()
    n, k, m = SHAPE
    a, b = torch.rand(n, k), torch.rand(k, m)
    for _ in range(30):
        a @ b
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(40):
            a @ b
        best = min(best, (time.perf_counter() - start) / 40)
    info = describe(lib) if lib else {"core": "none", "config": "no OpenBLAS mapped"}
    info["gflops"] = 2 * n * k * m / best / 1e9
    print(json.dumps(info))


def cpu_flags():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    return set()


def run_probe(core):
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    if core is not None:
        env["OPENBLAS_CORETYPE"] = core
    out = subprocess.run([sys.executable, __file__, "--probe"], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--probe", action="store_true")
    args = ap.parse_args()
    if args.probe:
        probe()
        return
    auto = run_probe(None)
    gflops = {auto["core"]: auto["gflops"]}
    flags = cpu_flags()
    for core, needs in FAMILIES:
        if needs <= flags and core not in gflops:
            got = run_probe(core)
            # An unknown name leaves OpenBLAS on its own choice: keep only real switches.
            if got["core"].lower() == core.lower():
                gflops[core] = got["gflops"]
    best = max(gflops, key=gflops.get)
    print(json.dumps({"auto": auto["core"], "best": best, "config": auto["config"],
                      "gflops": {k: round(v, 1) for k, v in gflops.items()}}))


if __name__ == "__main__":
    main()
