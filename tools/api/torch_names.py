#!/usr/bin/python3
"""Writes the names of PyTorch 1.13's public functions, for the .grad error on an unsupported one.

    /usr/bin/python3 tools/api/torch_names.py

The functions of torch, torch.nn.functional, torch.special and torch.linalg and the methods of
torch.Tensor, one name a line, sorted (frontend/src/main/resources/dev/gradc/frontend/lang/
pytorch-names.txt). A .grad call of one of these names that gradc does not support gets an error
naming the nearest supported function instead of "unknown function".
"""
import inspect
import os

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "frontend", "src", "main", "resources",
                   "dev", "gradc", "frontend", "lang", "pytorch-names.txt")


def functions(module):
    for name in dir(module):
        if name.startswith("_") or not name.islower():
            continue
        v = getattr(module, name)
        if callable(v) and not inspect.isclass(v) and not inspect.ismodule(v):
            yield name


def main():
    names = set(functions(torch)) | set(functions(F)) | set(functions(torch.special)) \
        | set(functions(torch.linalg))
    names |= {n for n in dir(torch.Tensor) if not n.startswith("_") and n.islower()
              and callable(getattr(torch.Tensor, n))}
    with open(OUT, "w") as f:
        f.write("\n".join(sorted(names)) + "\n")
    print(f"{OUT}: {len(names)} names")


if __name__ == "__main__":
    main()
