#!/usr/bin/python3
"""Writes frontend/src/test/resources/pytorch/losses.json: every loss of torch.nn.functional with
its options, in f64 and f32, checked by LossesFixtureTest.

For each case: the inputs, the value, the grad_fn name, the gradients of sum(y * cotangent), and,
where PyTorch can differentiate twice, the second-order gradients of sum(g * c2) over the first
gradients g (taken with create_graph=True). Special-value cases (NaN, infinities, signed zeros,
ties at the kinks, ignored samples) carry the value and first gradients only.
Each case draws its inputs from a generator seeded by its name, so adding a case changes no other.

Run with Debian's PyTorch 1.13: /usr/bin/python3 tools/api/losses.py
"""
import json
import math
import os
import warnings
import zlib

import torch
import torch.nn.functional as F

from generate import DTYPES, enc, fresh

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "frontend", "src", "test", "resources",
                   "pytorch", "losses.json")
NAN, INF = float("nan"), float("inf")


class Draw:
    """Seeded inputs of one case."""

    def __init__(self, name):
        self.g = torch.Generator().manual_seed(zlib.crc32(name.encode()))

    def randn(self, *shape, rg=True):
        return torch.randn(shape, generator=self.g, dtype=torch.float64).requires_grad_(rg)

    def pos(self, *shape, rg=True):
        return (torch.rand(shape, generator=self.g, dtype=torch.float64) * 1.5 + 0.25).requires_grad_(rg)

    def unit(self, *shape, rg=True):
        """Strictly inside (0, 1): probabilities for binary_cross_entropy."""
        return (torch.rand(shape, generator=self.g, dtype=torch.float64) * 0.9 + 0.05).requires_grad_(rg)

    def probs(self, *shape, rg=False):
        return torch.randn(shape, generator=self.g, dtype=torch.float64).softmax(-1).requires_grad_(rg)

    def log_probs(self, *shape, rg=True):
        return torch.randn(shape, generator=self.g, dtype=torch.float64).log_softmax(-1).requires_grad_(rg)

    def labels(self, classes, *shape):
        return torch.randint(0, classes, shape, generator=self.g)

    def signs(self, *shape):
        return (torch.randint(0, 2, shape, generator=self.g) * 2 - 1).to(torch.float64)

    def bits(self, *shape):
        return (torch.rand(shape, generator=self.g) > 0.5).to(torch.float64)


def t(values, rg=False, dtype=torch.float64):
    return torch.tensor(values, dtype=dtype).requires_grad_(rg)


def L(values):
    return torch.tensor(values, dtype=torch.int64)


CASES = []


def case(name, fn, make, special=False):
    """fn(*inputs) -> loss; make(Draw) -> the f64 inputs. Also an f32 twin unless special."""
    CASES.append((name, fn, make(Draw(name)), special))


R = ["mean", "sum", "none"]

for r in R:
    case(f"mse_loss_{r}", lambda a, b, r=r: F.mse_loss(a, b, reduction=r), lambda d: [d.randn(2, 3), d.randn(2, 3)])
    case(f"l1_loss_{r}", lambda a, b, r=r: F.l1_loss(a, b, reduction=r), lambda d: [d.randn(2, 3), d.randn(2, 3)])
    case(f"huber_loss_{r}", lambda a, b, r=r: F.huber_loss(a, b, reduction=r, delta=0.7),
         lambda d: [d.randn(2, 3) * 2, d.randn(2, 3)])
    case(f"smooth_l1_loss_{r}", lambda a, b, r=r: F.smooth_l1_loss(a, b, reduction=r, beta=0.6),
         lambda d: [d.randn(2, 3) * 2, d.randn(2, 3)])
    case(f"nll_loss_{r}", lambda a, y, r=r: F.nll_loss(a, y, reduction=r),
         lambda d: [d.log_probs(5, 3), L([0, 2, -100, 1, 2])])
    case(f"nll_loss_weight_{r}", lambda a, y, w, r=r: F.nll_loss(a, y, weight=w, reduction=r),
         lambda d: [d.log_probs(5, 3), L([0, 2, -100, 1, 2]), d.pos(3, rg=False)])
    case(f"cross_entropy_{r}", lambda a, y, r=r: F.cross_entropy(a, y, reduction=r),
         lambda d: [d.randn(5, 4), L([3, -100, 0, 1, 3])])
    case(f"cross_entropy_all_options_{r}",
         lambda a, y, w, r=r: F.cross_entropy(a, y, weight=w, ignore_index=1, reduction=r, label_smoothing=0.2),
         lambda d: [d.randn(5, 4), L([3, 1, 0, 1, 2]), d.pos(4, rg=False)])
    case(f"cross_entropy_smoothing_{r}", lambda a, y, r=r: F.cross_entropy(a, y, reduction=r, label_smoothing=0.1),
         lambda d: [d.randn(5, 4), L([3, -100, 0, 1, 3])])
    case(f"cross_entropy_probs_{r}",
         lambda a, p, w, r=r: F.cross_entropy(a, p, weight=w, reduction=r, label_smoothing=0.3),
         lambda d: [d.randn(3, 4), d.probs(3, 4), d.pos(4, rg=False)])
    case(f"bce_{r}", lambda a, y, w, r=r: F.binary_cross_entropy(a, y, weight=w, reduction=r),
         lambda d: [d.unit(2, 3), d.unit(2, 3, rg=False), d.pos(2, 3, rg=False)])
    case(f"bce_with_logits_{r}",
         lambda a, y, w, pw, r=r: F.binary_cross_entropy_with_logits(a, y, weight=w, reduction=r, pos_weight=pw),
         lambda d: [d.randn(2, 3) * 2, d.bits(2, 3), d.pos(3, rg=False), d.pos(3, rg=False)])
    case(f"kl_div_{r}", lambda a, p, r=r: F.kl_div(a, p, reduction=r),
         lambda d: [d.log_probs(3, 4), d.probs(3, 4, rg=True)])
    case(f"kl_div_log_target_{r}", lambda a, p, r=r: F.kl_div(a, p, reduction=r, log_target=True),
         lambda d: [d.log_probs(3, 4), d.log_probs(3, 4)])
    case(f"gaussian_nll_loss_{r}", lambda a, b, v, r=r: F.gaussian_nll_loss(a, b, v, reduction=r),
         lambda d: [d.randn(4, 2), d.randn(4, 2), d.pos(4, 2)])
    case(f"gaussian_nll_loss_full_{r}",
         lambda a, b, v, r=r: F.gaussian_nll_loss(a, b, v, full=True, eps=0.3, reduction=r),
         lambda d: [d.randn(4, 2), d.randn(4, 2), d.pos(4)])
    case(f"poisson_nll_loss_{r}", lambda a, b, r=r: F.poisson_nll_loss(a, b, reduction=r),
         lambda d: [d.randn(2, 3), d.pos(2, 3, rg=False) * 2])
    case(f"poisson_nll_loss_full_{r}",
         lambda a, b, r=r: F.poisson_nll_loss(a, b, log_input=False, full=True, eps=1e-4, reduction=r),
         lambda d: [d.pos(2, 3), t([0.0, 0.5, 1.0, 1.5, 3.0, 7.0]).reshape(2, 3)])
    case(f"cosine_embedding_loss_{r}",
         lambda a, b, y, r=r: F.cosine_embedding_loss(a, b, y, margin=0.1, reduction=r),
         lambda d: [d.randn(4, 3), d.randn(4, 3), t([1.0, -1.0, 1.0, -1.0])])
    case(f"triplet_margin_loss_{r}",
         lambda a, p, n, r=r: F.triplet_margin_loss(a, p, n, margin=2.0, reduction=r),
         lambda d: [d.randn(4, 3), d.randn(4, 3), d.randn(4, 3)])
    case(f"triplet_margin_loss_p1_swap_{r}",
         lambda a, p, n, r=r: F.triplet_margin_loss(a, p, n, margin=1.5, p=1, eps=1e-3, swap=True, reduction=r),
         lambda d: [d.randn(4, 3), d.randn(4, 3), d.randn(4, 3)])
    case(f"triplet_margin_loss_p3_{r}",
         lambda a, p, n, r=r: F.triplet_margin_loss(a, p, n, margin=3.0, p=3, reduction=r),
         lambda d: [d.randn(4, 3), d.randn(4, 3), d.randn(4, 3)])
    case(f"margin_ranking_loss_{r}",
         lambda a, b, y, r=r: F.margin_ranking_loss(a, b, y, margin=0.3, reduction=r),
         lambda d: [d.randn(5), d.randn(5), d.signs(5)])
    case(f"hinge_embedding_loss_{r}",
         lambda a, y, r=r: F.hinge_embedding_loss(a, y, margin=0.8, reduction=r),
         lambda d: [d.randn(2, 3), d.signs(2, 3)])
    case(f"soft_margin_loss_{r}", lambda a, y, r=r: F.soft_margin_loss(a, y, reduction=r),
         lambda d: [d.randn(2, 3), d.signs(2, 3)])
    case(f"multilabel_soft_margin_loss_{r}",
         lambda a, y, w, r=r: F.multilabel_soft_margin_loss(a, y, weight=w, reduction=r),
         lambda d: [d.randn(3, 4), d.bits(3, 4), d.pos(4, rg=False)])

    case(f"multi_margin_loss_{r}", lambda a, y, r=r: F.multi_margin_loss(a, y, reduction=r),
         lambda d: [d.randn(3, 4), d.labels(4, 3)])
    case(f"multi_margin_loss_p2_weight_{r}",
         lambda a, y, w, r=r: F.multi_margin_loss(a, y, p=2, margin=0.7, weight=w, reduction=r),
         lambda d: [d.randn(3, 4), d.labels(4, 3), d.pos(4, rg=False)])
    case(f"multilabel_margin_loss_{r}", lambda a, y, r=r: F.multilabel_margin_loss(a, y, reduction=r),
         lambda d: [d.randn(3, 4), L([[0, 3, -1, 2], [1, -1, 2, 2], [3, 2, 1, 0]])])

case("kl_div_batchmean", lambda a, p: F.kl_div(a, p, reduction="batchmean"),
     lambda d: [d.log_probs(3, 4), d.probs(3, 4)])
case("cross_entropy_1d", lambda a, y: F.cross_entropy(a, y), lambda d: [d.randn(4), L(2)])
case("cross_entropy_nd", lambda a, y: F.cross_entropy(a, y), lambda d: [d.randn(2, 3, 4), d.labels(3, 2, 4)])
case("cross_entropy_2d_ignore", lambda a, y: F.cross_entropy(a, y, ignore_index=0, label_smoothing=0.1),
     lambda d: [d.randn(2, 3, 2, 2), d.labels(3, 2, 2, 2)])
case("nll_loss_2d", lambda a, y: F.nll_loss(a, y), lambda d: [d.randn(2, 3, 2, 2), d.labels(3, 2, 2, 2)])
case("cosine_embedding_loss_1d", lambda a, b, y: F.cosine_embedding_loss(a, b, y),
     lambda d: [d.randn(3), d.randn(3), t(-1.0)])
case("gaussian_nll_loss_var_col", lambda a, b, v: F.gaussian_nll_loss(a, b, v),
     lambda d: [d.randn(4, 2), d.randn(4, 2), d.pos(4, 1)])
case("multi_margin_loss_1d", lambda a, y: F.multi_margin_loss(a, y, margin=2.5), lambda d: [d.randn(5), L(3)])
case("multi_margin_loss_1d_none", lambda a, y: F.multi_margin_loss(a, y, p=2, margin=2.5, reduction="none"),
     lambda d: [d.randn(5), L([0])])
case("multilabel_margin_loss_1d", lambda a, y: F.multilabel_margin_loss(a, y),
     lambda d: [d.randn(5), L([4, 0, -1, 1, 1])])
case("mse_loss_target_grad", lambda a, b: F.mse_loss(a, b), lambda d: [d.randn(3), d.randn(3)])

# Special values: not differentiated twice.
case("nll_loss_all_ignored_mean", lambda a, y: F.nll_loss(a, y), lambda d: [d.log_probs(2, 3), L([-100, -100])], True)
case("nll_loss_all_ignored_sum", lambda a, y: F.nll_loss(a, y, reduction="sum"),
     lambda d: [d.log_probs(2, 3), L([-100, -100])], True)
case("cross_entropy_ignored_inf", lambda a, y: F.cross_entropy(a, y, reduction="none"),
     lambda d: [t([[INF, 1.0, 0.0], [1.0, 2.0, 3.0]], rg=True), L([-100, 1])], True)
case("cross_entropy_large_logits_smoothing", lambda a, y: F.cross_entropy(a, y, label_smoothing=0.2),
     lambda d: [t([[1000.0, -1000.0, 0.0], [-0.0, 0.0, 800.0]], rg=True), L([1, 2])], True)
case("bce_near_zero_and_one", lambda a, y: F.binary_cross_entropy(a, y, reduction="none"),
     lambda d: [t([1e-40, 1.0 - 2.0 ** -53, 0.5, 1e-30, 0.999], rg=True), t([1.0, 0.0, 0.5, 1.0, 0.0])], True)
# Where a log is below -100 the value is the clamped log, and the gradient divides by
# max(x (1 - x), 1e-12): finite at exactly 0 and 1.
case("bce_at_zero_and_one", lambda a, y: F.binary_cross_entropy(a, y, reduction="none"),
     lambda d: [t([0.0, 1.0, 0.0, 1.0, 1e-300], rg=True), t([1.0, 0.0, 0.0, 1.0, 1.0])], True)
case("bce_with_logits_large_pos_weight",
     lambda a, y, pw: F.binary_cross_entropy_with_logits(a, y, pos_weight=pw, reduction="none"),
     lambda d: [t([800.0, -800.0, 30.0, -30.0, 0.0, -0.0], rg=True), t([0.0, 1.0, 0.5, 1.0, 0.0, 1.0]),
                t([2.0, 0.5, 1.0, 3.0, 1.0, 2.0])], True)
case("huber_loss_ties", lambda a, b: F.huber_loss(a, b, reduction="none", delta=0.5),
     lambda d: [t([0.5, -0.5, 0.0, -0.0, INF, 1.5], rg=True), t([0.0, 0.0, 0.0, 0.0, 1.0, 1.0])], True)
case("smooth_l1_loss_ties", lambda a, b: F.smooth_l1_loss(a, b, reduction="none", beta=0.5),
     lambda d: [t([0.5, -0.5, 0.0, -0.0, INF, 1.5], rg=True), t([0.0, 0.0, 0.0, 0.0, 1.0, 1.0])], True)
case("mse_loss_special", lambda a, b: F.mse_loss(a, b, reduction="sum"),
     lambda d: [t([INF, 1.0, NAN, -0.0], rg=True), t([1.0, INF, 2.0, 0.0])], True)
case("kl_div_zero_target", lambda a, p: F.kl_div(a, p, reduction="none"),
     lambda d: [t([-1.0, -INF, -0.5, 0.0], rg=True), t([0.0, 0.0, 0.5, 1.0])], True)
case("margin_ranking_loss_kink", lambda a, b, y: F.margin_ranking_loss(a, b, y, margin=0.5, reduction="none"),
     lambda d: [t([1.0, 0.0, 2.0, -1.0], rg=True), t([0.5, 0.5, 1.0, 0.0], rg=True), t([1.0, -1.0, -1.0, 1.0])], True)
case("hinge_embedding_loss_kink", lambda a, y: F.hinge_embedding_loss(a, y, reduction="none"),
     lambda d: [t([1.0, 0.0, 2.0, -1.0], rg=True), t([-1.0, -1.0, -1.0, 1.0])], True)
case("soft_margin_loss_large", lambda a, y: F.soft_margin_loss(a, y, reduction="none"),
     lambda d: [t([30.0, -30.0, 0.0, -0.0, 700.0], rg=True), t([1.0, 1.0, -1.0, 1.0, -1.0])], True)
case("multilabel_soft_margin_loss_large", lambda a, y: F.multilabel_soft_margin_loss(a, y, reduction="none"),
     lambda d: [t([[800.0, -800.0, 0.0], [30.0, -30.0, -0.0]], rg=True), t([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]])], True)
# NaN terms are not counted (the kernel tests z > 0), nor are terms at the kink z = 0 (row 3).
case("multi_margin_loss_special", lambda a, y: F.multi_margin_loss(a, y, reduction="none"),
     lambda d: [t([[NAN, 1.0, 0.0, -0.0], [INF, -INF, 0.5, 1.5], [0.0, 1.0, 2.0, 1.0]], rg=True),
                L([1, 0, 1])], True)
case("multilabel_margin_loss_special", lambda a, y: F.multilabel_margin_loss(a, y, reduction="none"),
     lambda d: [t([[NAN, 1.0, 0.0, -0.0], [INF, -INF, 0.5, 1.5], [0.0, 1.0, 2.0, 1.0]], rg=True),
                L([[1, -1, 0, 0], [0, 2, -1, 3], [3, 1, -1, -1]])], True)
case("poisson_nll_loss_zero_target", lambda a, b: F.poisson_nll_loss(a, b, full=True, reduction="none"),
     lambda d: [t([0.0, -1.0, 2.0, 1.0], rg=True), t([0.0, 1.0, 2.0, 0.5])], True)
case("gaussian_nll_loss_clamped_var", lambda a, b, v: F.gaussian_nll_loss(a, b, v, reduction="none"),
     lambda d: [t([0.5, 1.0, 0.0], rg=True), t([0.0, 0.0, 0.0]), t([0.0, 1e-9, 2.0], rg=True)], True)


def E(v):
    """enc() of a tensor, also of PyTorch's unallocated zero tensors."""
    if v._is_zerotensor():
        v = torch.zeros(v.shape, dtype=v.dtype)
    return enc(v)


def cast(inputs, dtype):
    out = []
    for x in inputs:
        y = x.detach().to(dtype) if x.is_floating_point() else x.detach().clone()
        out.append(y.requires_grad_(x.requires_grad))
    return out


def run(name, fn, inputs, special):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        xs = fresh(inputs)
        y = fn(*xs)
        c = {"name": name, "inputs": [dict(enc(x), requires_grad=x.requires_grad) for x in inputs],
             "value": enc(y), "grad_fn": type(y.grad_fn).__name__}
        g = torch.Generator().manual_seed(zlib.crc32(name.encode()) + 1)
        cot = torch.randn(y.shape, generator=g, dtype=torch.float64).to(y.dtype)
        c["cotangent"] = enc(cot)
        wrt = [x for x in xs if x.requires_grad]
        grads = torch.autograd.grad((y * cot).sum(), wrt, create_graph=not special)
        it = iter(grads)
        c["grads"] = [E(next(it)) if x.requires_grad else None for x in xs]
        if special:
            return c
        c2 = [torch.randn(gr.shape, generator=g, dtype=torch.float64).to(gr.dtype) for gr in grads]
        c["cotangent2"] = [E(v) for v in c2]
        s = sum((gr * v).sum() for gr, v in zip(grads, c2))
        if not s.requires_grad:
            c["grads2"] = [enc(torch.zeros_like(x)) if x.requires_grad else None for x in xs]
            return c
        try:
            second = torch.autograd.grad(s, wrt, allow_unused=True)
        except RuntimeError as e:
            if "not implemented" not in str(e):
                raise
            # no double backward in PyTorch (multi_margin_loss, multilabel_margin_loss)
            del c["cotangent2"]
            return c
        it = iter(second)
        out = []
        for x in xs:
            if not x.requires_grad:
                out.append(None)
                continue
            v = next(it)
            out.append(E(v if v is not None else torch.zeros_like(x)))
        c["grads2"] = out
        return c


def main():
    cases = []
    for name, fn, inputs, special in CASES:
        cases.append(run(name, fn, inputs, special))
        if not special:
            cases.append(run(name + "_f32", fn, cast(inputs, torch.float32), special))
    with open(OUT, "w") as f:
        json.dump({"cases": cases}, f, indent=1, allow_nan=False)
        f.write("\n")
    print("wrote", len(cases), "cases to", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
