#!/usr/bin/python3
"""Writes frontend/src/test/resources/pytorch/port_transformer.json: a transformer block's loss as
PyTorch code is written (layer_norm, attention through einsum with a causal tril mask, softmax,
gelu, cross_entropy with label_smoothing and an ignored target), its printed lines and gradients.

TransformerPortTest runs the same lines through the Java API and compares every printed line.
Run with Debian's PyTorch 1.13: /usr/bin/python3 tools/api/port_transformer.py
"""
import json
import math
import os

import torch
import torch.nn.functional as F

from generate import enc

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "frontend", "src", "test", "resources",
                   "pytorch", "port_transformer.json")

B, T, D, H = 2, 4, 8, 2
DH = D // H


def inputs():
    g = torch.Generator().manual_seed(2026)

    def randn(*shape, scale=1.0):
        return (torch.randn(shape, generator=g, dtype=torch.float64) * scale).requires_grad_()

    params = {
        "x": randn(B, T, D),
        "ln1_w": (1 + 0.1 * torch.randn(D, generator=g, dtype=torch.float64)).requires_grad_(),
        "ln1_b": randn(D, scale=0.1),
        "wq": randn(D, D, scale=D ** -0.5),
        "wk": randn(D, D, scale=D ** -0.5),
        "wv": randn(D, D, scale=D ** -0.5),
        "wo": randn(D, D, scale=D ** -0.5),
        "ln2_w": (1 + 0.1 * torch.randn(D, generator=g, dtype=torch.float64)).requires_grad_(),
        "ln2_b": randn(D, scale=0.1),
        "w1": randn(D, 4 * D, scale=D ** -0.5),
        "b1": randn(4 * D, scale=0.1),
        "w2": randn(4 * D, D, scale=(4 * D) ** -0.5),
    }
    targets = torch.randint(0, D, (B * T,), generator=g)
    targets[3] = -100
    return params, targets


def block(p, targets, out):
    x = p["x"]
    h = F.layer_norm(x, (D,), p["ln1_w"], p["ln1_b"])
    q = (h @ p["wq"]).reshape(B, T, H, DH).transpose(1, 2)
    k = (h @ p["wk"]).reshape(B, T, H, DH).transpose(1, 2)
    v = (h @ p["wv"]).reshape(B, T, H, DH).transpose(1, 2)
    att = torch.einsum("bhqd,bhkd->bhqk", q, k) / math.sqrt(DH)
    causal = torch.tril(torch.ones(T, T, dtype=torch.float64))
    att = att - 1e9 * (1 - causal)
    w = att.softmax(-1)
    out.append(str(w[0, 0, 1]))
    o = torch.einsum("bhqk,bhkd->bhqd", w, v).transpose(1, 2).reshape(B, T, D)
    x = x + o @ p["wo"]
    out.append(str(x[1, 2]))
    h2 = F.layer_norm(x, (D,), p["ln2_w"], p["ln2_b"])
    x = x + F.gelu(h2 @ p["w1"] + p["b1"]) @ p["w2"]
    logits = x.reshape(B * T, D)
    loss = F.cross_entropy(logits, targets, label_smoothing=0.1)
    out.append(str(loss))
    return loss


def main():
    params, targets = inputs()
    lines = []
    loss = block(params, targets, lines)
    loss.backward()
    for name in ("ln1_w", "wq", "wo", "b1"):
        lines.append(str(params[name].grad.square().sum()))
    lines.append(str(params["ln2_b"].grad))
    doc = {"torch": torch.__version__, "shape": {"B": B, "T": T, "D": D, "H": H},
           "params": {n: enc(t) for n, t in params.items()}, "targets": enc(targets),
           "printed": lines, "grads": {n: enc(t.grad) for n, t in params.items()}}
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
