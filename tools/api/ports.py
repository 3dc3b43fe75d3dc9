#!/usr/bin/python3
"""Writes ports.json: everyday PyTorch snippets, each run here and printed line by line.

Run with Debian's PyTorch 1.13: /usr/bin/python3 tools/api/ports.py
PortsTest (frontend) ports each snippet line by line to the Java API and expects the same lines.
Inputs are deterministic (`data`: sines of an arithmetic sequence), so both sides build them.
"""
import json
import os

import torch
import torch.nn.functional as F

from scenarios import Scenarios, grad_fn_name

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "frontend", "src", "test", "resources", "pytorch")
scenario = Scenarios()


def data(*shape, shift=0.0, dtype=torch.float64):
    """sin(0.37 i + shift) for i = 0, 1, ... in row-major order, in the given shape."""
    n = 1
    for s in shape:
        n *= s
    return (torch.arange(n, dtype=torch.float64) * 0.37 + shift).sin().to(dtype).reshape(*shape)


@scenario
def total_variation(p):
    x = data(1, 2, 4, 5).requires_grad_()
    dh = x[:, :, 1:, :] - x[:, :, :-1, :]
    dw = x[..., 1:] - x[..., :-1]
    tv = dh.abs().sum() + dw.pow(2).sum()
    p(tv)
    p(grad_fn_name(dh), grad_fn_name(dw))
    tv.backward()
    p(x.grad)


@scenario
def triplet_hardest_negative(p):
    emb = data(6, 3, shift=0.5).requires_grad_()
    labels = torch.tensor([0, 1, 0, 2, 1, 2])
    d = (emb.unsqueeze(1) - emb.unsqueeze(0)).pow(2).sum(-1)
    same = labels.unsqueeze(0) == labels.unsqueeze(1)
    hardest_pos = torch.where(same, d, torch.zeros_like(d)).max(1)
    hardest_neg = torch.where(same, d + 1e6, d).min(1)
    p(hardest_pos.indices, hardest_neg.indices)
    loss = F.relu(hardest_pos.values - hardest_neg.values + 0.2).mean()
    p(loss)
    loss.backward()
    p(emb.grad)


@scenario
def attention_causal_mask(p):
    q = data(2, 4, 3, dtype=torch.float32).requires_grad_()
    k = data(2, 4, 3, shift=1.0, dtype=torch.float32).requires_grad_()
    v = data(2, 4, 3, shift=2.0, dtype=torch.float32).requires_grad_()
    t = q.shape[1]
    future = torch.arange(t).unsqueeze(0) > torch.arange(t).unsqueeze(1)
    scores = q @ k.transpose(-2, -1) / 3 ** 0.5
    scores = torch.where(future, torch.tensor(float("-inf")), scores)
    attn = scores.softmax(-1)
    out = attn @ v
    p(attn)
    loss = out.pow(2).mean()
    p(loss)
    loss.backward()
    p(q.grad)
    p(k.grad)
    p(v.grad)


@scenario
def gradient_clipping(p):
    w1 = data(3, 4, shift=0.1).requires_grad_()
    b1 = torch.zeros(4, dtype=torch.float64, requires_grad=True)
    w2 = data(4, 1, shift=0.7).requires_grad_()
    x = data(5, 3, shift=2.0)
    y = data(5, 1, shift=3.0)
    loss = F.mse_loss(torch.tanh(x @ w1 + b1) @ w2, y)
    loss.backward()
    total = torch.nn.utils.clip_grad_norm_([w1, b1, w2], 0.5)
    p(total)
    p(w1.grad)
    p(b1.grad)
    torch.nn.utils.clip_grad_value_([w1, b1, w2], 0.05)
    p(w2.grad)
    with torch.no_grad():
        for w in [w1, b1, w2]:
            w -= 0.1 * w.grad
            w.grad = None
    p(w1)
    p(F.mse_loss(torch.tanh(x @ w1 + b1) @ w2, y))


@scenario
def vae_loss(p):
    x = data(4, 6, shift=0.3).abs()
    mu = data(4, 2, shift=1.1).requires_grad_()
    logvar = data(4, 2, shift=2.3).mul(0.5).requires_grad_()
    eps = data(4, 2, shift=4.0)
    dec = data(2, 6, shift=5.0).requires_grad_()
    z = mu + eps * torch.exp(0.5 * logvar)
    recon = torch.sigmoid(z @ dec)
    bce = F.binary_cross_entropy(recon, x, reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    loss = bce + kld
    p(bce, kld)
    p(loss)
    loss.backward()
    p(mu.grad)
    p(logvar.grad)
    p(dec.grad)
    var = logvar.exp().detach()
    p(F.gaussian_nll_loss(mu, eps, var), F.gaussian_nll_loss(mu, eps, var, full=True, reduction="sum"))


@scenario
def batch_norm_mlp_step(p):
    x = data(6, 3, shift=0.2)
    y = data(6, 1, shift=1.3)
    w1 = data(3, 4, shift=2.1).requires_grad_()
    gamma = torch.ones(4, dtype=torch.float64, requires_grad=True)
    beta = torch.zeros(4, dtype=torch.float64, requires_grad=True)
    w2 = data(4, 1, shift=3.7).requires_grad_()
    running_mean = torch.zeros(4, dtype=torch.float64)
    running_var = torch.ones(4, dtype=torch.float64)
    for step in range(2):
        h = F.batch_norm(x @ w1, running_mean, running_var, gamma, beta, training=True, momentum=0.1)
        loss = F.mse_loss(torch.relu(h) @ w2, y)
        p(step, loss)
        loss.backward()
        with torch.no_grad():
            for w in [w1, gamma, beta, w2]:
                w -= 0.5 * w.grad
                w.grad = None
    p(grad_fn_name(h))
    p(running_mean)
    p(running_var)
    p(gamma)
    h = F.batch_norm(x @ w1, running_mean, running_var, gamma, beta, training=False)
    p(F.mse_loss(torch.relu(h) @ w2, y))

def main():
    with open(os.path.join(OUT, "ports.json"), "w") as f:
        json.dump(scenario.out, f, indent=1)
        f.write("\n")
    print("wrote ports.json")


if __name__ == "__main__":
    main()
