#!/usr/bin/python3
"""Writes frontend/src/test/resources/pytorch/autograd_api.json: hooks, clipping, clone, t(),
detach_(), fill_() and grad-mode scopes in PyTorch 1.13, checked by AutogradApiTest.

Run with Debian's PyTorch 1.13: /usr/bin/python3 tools/api/autograd_api.py
"""
import json
import os

import torch

from generate import enc

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "frontend", "src", "test", "resources",
                   "pytorch", "autograd_api.json")
D = torch.float64


def leaf(values):
    return torch.tensor(values, dtype=D, requires_grad=True)


def main():
    out = {}
    x = leaf([1.0, -2.0, 3.0])
    h = x.register_hook(lambda g: g * 2)
    (x * x).sum().backward()
    out["leaf_hook"] = enc(x.grad)
    h.remove()
    x.grad = None
    (x * x).sum().backward()
    out["leaf_hook_removed"] = enc(x.grad)

    z = leaf([0.5, 1.5, -1.0])
    w = z * 2
    w.register_hook(lambda g: g * 10)
    w.register_hook(lambda g: g + 1)
    (w * w.sin()).sum().backward()
    out["non_leaf_hooks"] = enc(z.grad)

    a = leaf([1.0, 2.0])
    u = a.exp()
    v = u * 3
    seen = []
    u.register_hook(lambda g: seen.append(g.clone()) or g * -1)
    v.register_hook(lambda g: g * 0.5)
    (v.square() + u).sum().backward()
    out["nested_hooks"] = enc(a.grad)
    out["nested_hooks_seen"] = enc(seen[0])

    for name, norm in [("2", 2.0), ("1", 1.0), ("inf", float("inf")), ("3", 3.0)]:
        p = [leaf([1.0, -2.0, 3.0]), leaf([[0.5, 4.0], [-1.0, 0.25]])]
        (p[0] * torch.tensor([3.0, 1.0, -2.0], dtype=D)).sum().backward()
        (p[1] ** 2).sum().backward()
        total = torch.nn.utils.clip_grad_norm_(p, 1.5, norm_type=norm)
        out["clip_norm_" + name] = {"total": enc(total), "grads": [enc(q.grad) for q in p]}
    p = [leaf([1.0, -2.0, 3.0])]
    (p[0] ** 3).sum().backward()
    torch.nn.utils.clip_grad_value_(p, 5.0)
    out["clip_value"] = enc(p[0].grad)

    c = leaf([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    out["clone_grad_fn"] = type(c.clone().grad_fn).__name__
    out["t_grad_fn"] = type(c.t().grad_fn).__name__
    out["t1_grad_fn"] = type(leaf([1.0, 2.0]).t().grad_fn).__name__
    f = c * 1
    out["fill_grad_fn"] = type(f.fill_(2.0).grad_fn).__name__
    g = c * 3
    g.detach_()
    out["detach__requires_grad"] = g.requires_grad
    out["detach__is_leaf"] = g.is_leaf
    k = c.clone()
    (k * k).sum().backward()
    out["clone_grad"] = enc(c.grad)
    with open(OUT, "w") as fh:
        json.dump(out, fh, indent=1, allow_nan=False)
        fh.write("\n")
    print("wrote", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
