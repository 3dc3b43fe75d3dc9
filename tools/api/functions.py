#!/usr/bin/python3
"""Writes the PyTorch fixture of the Java API's functions (frontend/src/test/resources/pytorch/functions.json).

Run with Debian's PyTorch 1.13: /usr/bin/python3 tools/api/functions.py
The fixture is committed; the build never runs Python.

Each function runs in f64 and f32 on ordinary values with its kinks (0, ties, the bounds of hardtanh,
hardsigmoid and hardswish) and on special values (NaN, +-inf, +-0, overflowing and subnormal
magnitudes). A case holds the inputs, the value, the grad_fn name, the gradients of sum(y * c) for a
fixed cotangent c and, on ordinary values, the second derivative: the gradients of sum(g * w), g being
the first gradient taken with create_graph=True (null where PyTorch has no double backward).
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from generate import DTYPES, enc  # noqa: E402  (the encoding of the other API fixtures)

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "frontend", "src", "test", "resources", "pytorch",
                   "functions.json")
NAN, INF = float("nan"), float("inf")

ORDINARY = [-7.0, -3.0, -2.5, -1.0, -0.5, -0.0, 0.0, 0.25, 1.0, 2.9, 3.0, 6.0, 6.5, 25.0]
SPECIAL = [NAN, INF, -INF, 0.0, -0.0, 1e308, -1e308, 800.0, -800.0, 30.0, -30.0, 5e-324]


def inplace(f):
    return lambda x: f(x * 1)


PUT_AT = torch.tensor([1, 4, 1])
COLS = torch.tensor([0, -1, 2, 2])
ROWS = torch.tensor([1, 0])
COLS_2D = torch.tensor([[0], [-3]])


def set_slice(x):
    y = x * x
    y[1:4] = x[8:11] ** 2
    return y


def set_columns(x):
    y = x.reshape(2, -1) * 2
    y[:, COLS] = x[:4] ** 2
    return y


def set_after_int(x):
    y = x.reshape(2, 1, -1) * 2
    y[1, :, COLS] = x[2:6] * 3
    return y


def set_apart(x):
    y = x.reshape(2, 1, -1) * 2
    y[ROWS, :, COLS_2D] = (x[:2] ** 2).reshape(2, 1, 1)
    return y


# name -> function of one tensor, as PyTorch spells it
FUNCTIONS = {
    "gelu": lambda x: F.gelu(x),
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "silu": F.silu,
    "mish": F.mish,
    "leaky_relu": F.leaky_relu,
    "leaky_relu_slope": lambda x: F.leaky_relu(x, 0.2),
    "elu": F.elu,
    "elu_alpha": lambda x: F.elu(x, 0.5),
    "selu": F.selu,
    "celu": F.celu,
    "celu_alpha": lambda x: F.celu(x, 2.0),
    "logsigmoid": F.logsigmoid,
    "softsign": F.softsign,
    "hardtanh": F.hardtanh,
    "hardtanh_bounds": lambda x: F.hardtanh(x, -2.5, 3.0),
    "relu6": F.relu6,
    "hardsigmoid": F.hardsigmoid,
    "hardswish": F.hardswish,
    "softmin": lambda x: F.softmin(x.reshape(2, -1), dim=1),
    "threshold": lambda x: F.threshold(x, 1.0, -2.0),
    "relu_": inplace(lambda x: x.relu_()),
    "sigmoid_": inplace(lambda x: x.sigmoid_()),
    "tanh_": inplace(lambda x: x.tanh_()),
    "exp_": inplace(lambda x: x.exp_()),
    "leaky_relu_": inplace(lambda x: F.leaky_relu_(x, 0.2)),
    "elu_": inplace(lambda x: F.elu_(x, 0.5)),
    "hardtanh_": inplace(lambda x: F.hardtanh_(x, -2.5, 3.0)),
    "threshold_": inplace(lambda x: F.threshold_(x, 1.0, -2.0)),
    # statistics over 2 x 7 (2 x 6 for the special values); rows of 2 hold the tie (-0, 0)
    "var": torch.var,
    "var_dim": lambda x: torch.var(x.reshape(2, -1), 1),
    "var_biased_keepdim": lambda x: torch.var(x.reshape(2, -1), 0, unbiased=False, keepdim=True),
    "var_correction": lambda x: torch.var(x.reshape(2, -1), dim=[0, 1], correction=3),
    "var_rows": lambda x: torch.var(x.reshape(-1, 2), -1),
    "var_single": lambda x: torch.var(x.reshape(-1, 2)[:, :1], 1),
    "std": torch.std,
    "std_dim": lambda x: torch.std(x.reshape(2, -1), 1),
    "std_biased_keepdim": lambda x: torch.std(x.reshape(2, -1), 0, unbiased=False, keepdim=True),
    "std_correction": lambda x: torch.std(x.reshape(2, -1), dim=[0, 1], correction=3),
    "std_rows": lambda x: torch.std(x.reshape(-1, 2), -1),
    "std_single": lambda x: torch.std(x.reshape(-1, 2)[:, :1], 1),
    "var_mean_var": lambda x: torch.var_mean(x.reshape(2, -1), 1)[0],
    "var_mean_mean": lambda x: torch.var_mean(x.reshape(2, -1), 1, keepdim=True)[1],
    "std_mean_std": lambda x: torch.std_mean(x.reshape(-1, 2), 1, correction=0)[0],
    "std_mean_mean": lambda x: torch.std_mean(x)[1],
    # NaN-ignoring reductions and vector norms (zeros, ties, a zero row of 2 in the ordinary values)
    "nansum": lambda x: torch.nansum(x.reshape(2, -1), 1),
    "nansum_all": torch.nansum,
    "nanmean": lambda x: torch.nanmean(x.reshape(2, -1), 1, keepdim=True),
    "nanmean_all": torch.nanmean,
    "norm": torch.norm,
    "norm_p1": lambda x: torch.norm(x.reshape(2, -1), 1, 1),
    "norm_inf": lambda x: torch.norm(x.reshape(2, -1), float("inf"), dim=1, keepdim=True),
    "vector_norm": torch.linalg.vector_norm,
    "vector_norm_rows": lambda x: torch.linalg.vector_norm(x.reshape(-1, 2), dim=1),
    "vector_norm_ord0": lambda x: torch.linalg.vector_norm(x.reshape(2, -1), 0, 1),
    "vector_norm_neg_inf": lambda x: torch.linalg.vector_norm(x.reshape(2, -1), float("-inf"), 1),
    "vector_norm_p3": lambda x: torch.linalg.vector_norm(x.reshape(2, -1), 3, 1),
    "vector_norm_p05": lambda x: torch.linalg.vector_norm(x.reshape(2, -1), 0.5, 1),
    "vector_norm_pneg1": lambda x: torch.linalg.vector_norm(x.reshape(-1, 2), -1, 1, keepdim=True),
    # matrix_norm: Frobenius, the largest column and row sums of |x| and, over given dims, the
    # smallest ones (the 1-norm along one dim, then amax or amin along the other, as PyTorch)
    "matrix_norm": lambda x: torch.linalg.matrix_norm(x.reshape(2, -1)),
    "matrix_norm_1": lambda x: torch.linalg.matrix_norm(x.reshape(2, -1), 1),
    "matrix_norm_inf": lambda x: torch.linalg.matrix_norm(x.reshape(-1, 2), float("inf")),
    "matrix_norm_neg1_dims": lambda x: torch.linalg.matrix_norm(x.reshape(2, 1, -1), -1, dim=(2, 0), keepdim=True),
    "matrix_norm_neg_inf_dims": lambda x: torch.linalg.matrix_norm(x.reshape(2, 1, -1), float("-inf"), dim=(0, 2)),
    # singular values (issue 14): of a wide and a tall matrix, and the matrix norms of orders 2, -2
    # and 'nuc' over the last dims and over given dims (with keepdim), as PyTorch composes them
    "svdvals": lambda x: torch.linalg.svdvals(x.reshape(2, -1)),
    "svdvals_tall": lambda x: torch.linalg.svdvals(x.reshape(-1, 2)),
    "matrix_norm_2": lambda x: torch.linalg.matrix_norm(x.reshape(2, -1), 2),
    "matrix_norm_neg2_dims": lambda x: torch.linalg.matrix_norm(x.reshape(2, 1, -1), -2, dim=(2, 0), keepdim=True),
    "matrix_norm_nuc": lambda x: torch.linalg.matrix_norm(x.reshape(-1, 2), "nuc"),
    "matrix_norm_nuc_dims": lambda x: torch.linalg.matrix_norm(x.reshape(2, 1, -1), "nuc", dim=(0, 2)),
    # products (zeros: -0 and 0 in one row of 7, one zero in rows of 2; NaN, infinities, overflow)
    "prod": torch.prod,
    "prod_dim": lambda x: torch.prod(x.reshape(2, -1), 1),
    "prod_rows": lambda x: x.reshape(-1, 2).prod(-1),
    "prod_keepdim": lambda x: torch.prod(x.reshape(2, -1), 0, keepdim=True),
    "prod_dtype": lambda x: torch.prod(x.reshape(2, -1), 1, dtype=torch.float64),
    # cumulative ops (cumprod over rows of 7 holding -0 and 0, rows of 2 holding one zero)
    "cumsum": lambda x: torch.cumsum(x, 0),
    "cumsum_rows": lambda x: x.reshape(2, -1).cumsum(1),
    "cumsum_dtype": lambda x: torch.cumsum(x.reshape(-1, 2), 0, dtype=torch.float64),
    "cumprod": lambda x: torch.cumprod(x.reshape(2, -1), 1),
    "cumprod_pairs": lambda x: x.reshape(-1, 2).cumprod(1),
    "cumprod_columns": lambda x: torch.cumprod(x.reshape(2, -1), 0),
    "logcumsumexp": lambda x: torch.logcumsumexp(x.reshape(2, -1), 1),
    "logcumsumexp_columns": lambda x: x.reshape(-1, 2).logcumsumexp(0),
    "cummax": lambda x: torch.cummax(x.reshape(2, -1), 1)[0],
    "cummin": lambda x: torch.cummin(x.reshape(-1, 2), 0)[0],
    "cummax_indices": lambda x: torch.cummax(x.reshape(2, -1), 1)[1].to(x.dtype) * x.reshape(2, -1),
    # sorting and selection (stable sort, NaN the largest); topk, kthvalue and median(dim) over the
    # columns of 7 x 2 (in f32 the special values' +-1e308 tie with the infinities)
    "sort": lambda x: torch.sort(x.reshape(2, -1), 1)[0],
    "sort_descending_columns": lambda x: torch.sort(x.reshape(-1, 2), 0, descending=True)[0],
    "sort_indices": lambda x: torch.sort(x.reshape(2, -1), 1, descending=True)[1].to(x.dtype) * x.reshape(2, -1),
    "argsort": lambda x: torch.argsort(x.reshape(-1, 2), 0).to(x.dtype) * x.reshape(-1, 2),
    "msort": lambda x: torch.msort(x.reshape(-1, 2)),
    "median": lambda x: torch.median(x),
    "median_pairs": lambda x: x.reshape(-1, 2)[:, 1].median(),
    "topk": lambda x: torch.topk(x.reshape(-1, 2), 3, 0)[0],
    "topk_smallest": lambda x: x.reshape(-1, 2).topk(2, 0, largest=False)[0],
    "topk_indices": lambda x: torch.topk(x.reshape(-1, 2), 4, 0)[1].to(x.dtype) * x[:8].reshape(4, 2),
    "kthvalue": lambda x: torch.kthvalue(x.reshape(-1, 2), 3, 0)[0],
    "kthvalue_keepdim": lambda x: x.reshape(-1, 2).kthvalue(5, 0, True)[0],
    "median_dim": lambda x: torch.median(x.reshape(-1, 2), 0)[0],
    "median_dim_keepdim": lambda x: x.reshape(-1, 2).median(0, keepdim=True)[0],
    # linear-algebra helpers over 2 x 7 (2 x 6, 3 x 4 for the special values)
    "outer": lambda x: torch.outer(x, x[:3] * 2),
    "dot": lambda x: torch.dot(x, x.flip(0)),
    "vdot": lambda x: torch.vdot(x.flip(0), x),
    "mm": lambda x: torch.mm(x.reshape(2, -1), x.reshape(-1, 2)),
    "mv": lambda x: torch.mv(x.reshape(2, -1), x.reshape(2, -1)[1]),
    "bmm": lambda x: torch.bmm(x.reshape(2, 1, -1), x.reshape(2, -1, 1)),
    "addmm": lambda x: torch.addmm(x[:2], x.reshape(2, -1), x.reshape(-1, 2)),
    "addmm_scaled": lambda x: torch.addmm(x[:2, None], x.reshape(2, -1), x.reshape(-1, 2), beta=0.5, alpha=-2),
    "addmm_beta0": lambda x: torch.addmm(x[:4].reshape(2, 2), x.reshape(2, -1), x.reshape(-1, 2), beta=0),
    "baddbmm": lambda x: torch.baddbmm(x[:2].reshape(2, 1, 1), x.reshape(2, 1, -1), x.reshape(2, -1, 1), alpha=1.5),
    "tril": lambda x: torch.tril(x.reshape(2, -1)),
    "tril_offset": lambda x: torch.tril(x.reshape(2, -1), 2),
    "triu": lambda x: x.reshape(2, -1).triu(),
    "triu_negative": lambda x: torch.triu(x.reshape(-1, 2), -1),
    "diag_vector": lambda x: torch.diag(x),
    "diag_vector_offset": lambda x: torch.diag(x[:5], -2),
    "diag_matrix": lambda x: torch.diag(x.reshape(2, -1), 1),
    "diagonal": lambda x: torch.diagonal(x.reshape(2, -1)),
    "diagonal_offset": lambda x: torch.diagonal(x.reshape(-1, 2), -1),
    "diagonal_dims": lambda x: torch.diagonal(x.reshape(2, 1, -1), 0, 2, 0),
    "diag_embed": lambda x: torch.diag_embed(x.reshape(2, -1)),
    "diag_embed_dims": lambda x: torch.diag_embed(x.reshape(2, -1), 1, 0, 2),
    "trace": lambda x: torch.trace(x.reshape(2, -1)),
    # normalization and distances over 2 x 7 (2 x 6 for the special values); the rows of 2 of the
    # ordinary values hold a zero vector (-0, 0), where norms are 0 and eps decides
    "layer_norm": lambda x: F.layer_norm(x.reshape(2, -1), x.reshape(2, -1).shape[1:]),
    "layer_norm_affine": lambda x: F.layer_norm(x.reshape(2, -1), x.reshape(2, -1).shape[1:],
                                                x.reshape(2, -1)[0], x.reshape(2, -1)[1], eps=1e-3),
    "layer_norm_two_dims": lambda x: F.layer_norm(x.reshape(1, 2, -1), x.reshape(2, -1).shape),
    "layer_norm_rows": lambda x: F.layer_norm(x.reshape(-1, 2), (2,)),
    "normalize": lambda x: F.normalize(x.reshape(2, -1)),
    "normalize_rows": lambda x: F.normalize(x.reshape(-1, 2)),
    "normalize_p1_dim0": lambda x: F.normalize(x.reshape(2, -1), 1.0, 0),
    "normalize_p3_eps": lambda x: F.normalize(x.reshape(-1, 2), 3.0, 1, 0.5),
    "cosine_similarity": lambda x: F.cosine_similarity(x.reshape(-1, 2), x.reshape(-1, 2).flip(0)),
    "cosine_similarity_dim0": lambda x: F.cosine_similarity(x.reshape(2, -1), x.reshape(2, -1).roll(1, 1), 0, 1e-3),
    "cosine_similarity_broadcast": lambda x: F.cosine_similarity(x.reshape(-1, 2), x[:2], dim=-1),
    "pairwise_distance": lambda x: F.pairwise_distance(x.reshape(-1, 2), x.reshape(-1, 2).flip(0)),
    "pairwise_distance_p1_keepdim": lambda x: F.pairwise_distance(x.reshape(2, -1), x.reshape(2, -1).flip(1), 1.0, 1e-6, True),
    "pairwise_distance_p3": lambda x: F.pairwise_distance(x.reshape(-1, 2), x[:2], 3.0, 0.0),
    "cdist": lambda x: torch.cdist(x.reshape(-1, 2), x.reshape(-1, 2)[:3]),
    "cdist_p1": lambda x: torch.cdist(x.reshape(-1, 2), x.reshape(-1, 2).flip(0), p=1.0),
    "cdist_inf": lambda x: torch.cdist(x.reshape(-1, 2), x.reshape(-1, 2)[1:4], p=float("inf")),
    "cdist_p3_batched": lambda x: torch.cdist(x.reshape(2, -1, 1), x.reshape(2, -1, 1)[:, :2], p=3.0),
    "group_norm": lambda x: F.group_norm(x.reshape(1, 2, -1), 1),
    "group_norm_affine": lambda x: F.group_norm(x.reshape(1, 2, -1), 2, x[:2], x[2:4], eps=1e-3),
    "instance_norm": lambda x: F.instance_norm(x.reshape(1, 2, -1)),
    "instance_norm_affine": lambda x: F.instance_norm(x.reshape(2, 1, -1), weight=x[:1], bias=x[1:2], eps=1e-3),
    "batch_norm": lambda x: F.batch_norm(x.reshape(-1, 2), x[:2].detach(), x[2:4].detach().abs() + 0.5),
    "batch_norm_train": lambda x: F.batch_norm(x.reshape(-1, 2), None, None, training=True),
    "batch_norm_train_affine": lambda x: F.batch_norm(x.reshape(-1, 1, 2), None, None, x[:1], x[1:2], training=True,
                                                      eps=1e-3),
    # einsum with an ellipsis (broadcast across operands of other ranks) and sizes of 1 broadcast
    "einsum_ellipsis_matmul": lambda x: torch.einsum("...ij,...jk->...ik", x.reshape(2, -1, 1), x[:2].reshape(1, 1, 2)),
    "einsum_ellipsis_sum": lambda x: torch.einsum("i...->...", x.reshape(2, -1)),
    "einsum_ellipsis_implicit": lambda x: torch.einsum("...i,i", x.reshape(-1, 2), x[:2]),
    "einsum_ellipsis_dot": lambda x: torch.einsum("...i,...i->...", x.reshape(-1, 2), x[:2] * 2),
    "einsum_ellipsis_transpose": lambda x: torch.einsum("...ij->...ji", x.reshape(2, 1, -1)),
    "einsum_size_one": lambda x: torch.einsum("i,i->i", x, x[:1]),
    # pdist over 7 rows, and over 9 of which the last two repeat the first two (zero distances)
    "pdist": lambda x: torch.pdist(x.reshape(-1, 2)),
    "pdist_repeated_rows": lambda x: F.pdist(torch.cat([x.reshape(-1, 2), x.reshape(-1, 2)[:2]])),
    "pdist_p1": lambda x: torch.pdist(x.reshape(-1, 2), 1.0),
    "pdist_inf": lambda x: torch.pdist(x.reshape(-1, 2), p=float("inf")),
    "pdist_p3": lambda x: torch.pdist(x.reshape(-1, 2), 3.0),
    "pdist_p0": lambda x: torch.pdist(x.reshape(-1, 2), 0.0),
    # kron of matrices, of a vector with a matrix (its rank padded) and of rank 3 with rank 2
    "kron": lambda x: torch.kron(x.reshape(2, -1), x[:2].reshape(2, 1)),
    "kron_vector": lambda x: torch.kron(x[:4], x),
    "kron_ranks": lambda x: torch.kron(x.reshape(-1, 2), x[:3].reshape(1, 3, 1)),
    # tensor indices among other indices: x[:, idx] (its shape in place of dim 1), two indices
    # apart (their broadcast shape first), an int (a select) then a slice then an index
    "index_columns": lambda x: x.reshape(2, -1)[:, COLS],
    "index_apart": lambda x: x.reshape(2, 1, -1)[ROWS, :, COLS_2D],
    "index_after_int": lambda x: x.reshape(2, 1, -1)[1, :, COLS],
    # flatten (a view as reshape), sum_to_size (kept dims of size 1, leading dims viewed away),
    # negative and clip (names of neg and clamp), and the factories full_like and linspace
    "flatten": lambda x: x.reshape(2, 1, -1).flatten(),
    "flatten_from": lambda x: x.reshape(2, 1, -1).flatten(1),
    "flatten_range": lambda x: x.reshape(1, 2, -1).flatten(0, 1),
    "sum_to_size": lambda x: x.reshape(2, -1).sum_to_size(1, x.numel() // 2),
    "sum_to_size_columns": lambda x: x.reshape(-1, 2).sum_to_size(x.numel() // 2, 1),
    "sum_to_size_leading": lambda x: x.reshape(2, 1, -1).sum_to_size(x.numel() // 2),
    "negative": torch.negative,
    "clip": lambda x: x.clip(-1.0, 2.0),
    "full_like": lambda x: torch.full_like(x, 2.5) * x,
    "linspace": lambda x: x * torch.linspace(-3.0, 7.0, x.numel(), dtype=x.dtype),
    "linspace_uneven": lambda x: torch.linspace(0.1, -2.3, x.numel(), dtype=x.dtype) - x,
    # local_response_norm: a window of channels (dim 1) about each channel, odd and even (uneven
    # about the channel), wider than the channels, with PyTorch's defaults and other alpha, beta, k
    "local_response_norm": lambda x: F.local_response_norm(x.reshape(1, -1, 2), 3),
    "local_response_norm_even": lambda x: F.local_response_norm(x.reshape(2, -1, 1), 4, 0.5, 1.5, 2.0),
    "local_response_norm_wide": lambda x: F.local_response_norm(x.reshape(1, 2, 1, -1), 5, 1.0, 0.5, 0.5),
    # glu halves the last dim (or dim); sigmoid of the second half gates the first
    "glu": lambda x: F.glu(x),
    "glu_dim0": lambda x: F.glu(x.reshape(2, -1), 0),
    "glu_rows": lambda x: F.glu(x.reshape(-1, 2), dim=1),
    # rolled so that the elements below the diagonal that the gradient reaches are finite in f32
    "trace_tall": lambda x: x.roll(2).reshape(-1, 2).trace(),
    # index_put (a repeated index: the last write stays, or the sum) and a write through a slice
    "index_put": lambda x: torch.index_put(x * x, (PUT_AT,), x[5:8] ** 2),
    "index_put_accumulate_": lambda x: (x * x).index_put_((PUT_AT,), x[5:8] ** 2, accumulate=True),
    "setitem_slice": set_slice,
    # writes through tensor indices among other indices (through the view of the basic indices:
    # CopySlices): x[:, idx] = v, after an int, and two indices apart (their broadcast shape first)
    "clone": lambda x: x.clone(),
    "setitem_columns": set_columns,
    "setitem_after_int": set_after_int,
    "setitem_apart": set_apart,
}


# Functions whose second derivative is not compared (none: where PyTorch's is NaN, as vector_norm's
# below ord 1 at zero elements, gradc's is NaN there too).
NO_SECOND = set()


NO_SPECIAL = set()
# PyTorch's cdist kernel treats NaN and infinities its own way (the inf-distance skips NaN, the
# gradient at a NaN element is NaN where the vector norm's is 0): see SPECIAL_PART below.

# Functions compared on a part of SPECIAL only, each for the reason given.
SPECIAL_PART = {}
# PyTorch's glu backward multiplies (1 - s) * s * a * grad in that order, finite where gradc's
# grad * a of the product rule overflows (a = +-1e308), and its sigmoid(+-30) is one ulp from
# gradc's, which 1 - s magnifies to 1e-3: the special values but those four.
for name in ("glu", "glu_dim0", "glu_rows"):
    SPECIAL_PART[name] = [NAN, INF, -INF, 0.0, -0.0, 800.0, -800.0, 5e-324]
# PyTorch's pdist kernel treats NaN and infinities by the order of its vector lanes for p other
# than 2 and 3 (its inf-distance may skip a NaN, its sign of a NaN difference is NaN where
# vector_norm's gradient is 0, and where an overflowing difference ties the infinite distance its
# gradient is NaN, gradc's 0): finite values for those, with ties, -0 and a subnormal, and for
# p = 1 and 0 an overflowing difference (1e308 and -1e308 in one column), for inf the largest f32
# values; all the special values for p = 2 and 3.
for name in ("pdist_p1", "pdist_p0"):
    SPECIAL_PART[name] = [0.0, -0.0, 1e308, 800.0, -1e308, -800.0, 30.0, -30.0, 5e-324, 2.0,
                          800.0, 0.0]
SPECIAL_PART["pdist_inf"] = [0.0, -0.0, 3e38, -3e38, 800.0, -800.0, 30.0, -30.0, 5e-324, 2.0,
                             800.0, 0.0]
# cdist, the same kernels between two sets of rows: finite values whose squares do not overflow f32
# (where PyTorch's p = 2 gradient is inf / inf), with ties, -0 and a subnormal, for every p.
for name in ("cdist", "cdist_p1", "cdist_inf", "cdist_p3_batched"):
    SPECIAL_PART[name] = [0.0, -0.0, 1e18, -1e18, 800.0, -800.0, 30.0, -30.0, 5e-324, 2.0, 800.0,
                          0.0]

# LAPACK's SVD raises for a matrix holding NaN and gives NaN for one holding an infinity: the
# special values (NaN among them) are SvdTest's and MisuseTest's, ordinary values only here.
NO_SPECIAL = NO_SPECIAL | {"svdvals", "svdvals_tall", "matrix_norm_2", "matrix_norm_neg2_dims",
                           "matrix_norm_nuc", "matrix_norm_nuc_dims"}


def case(name, fn, values, dtype, second):
    x = torch.tensor(values, dtype=dtype, requires_grad=True)
    y = fn(x)
    n = y.numel()
    c = torch.linspace(-1.5, 2.0, n, dtype=dtype).reshape(y.shape)
    out = {"name": name, "inputs": [dict(enc(x), requires_grad=True)], "value": enc(y),
           "grad_fn": type(y.grad_fn).__name__ if y.grad_fn is not None else None, "cotangent": enc(c)}
    (g,) = torch.autograd.grad((y * c).sum(), x, create_graph=second, allow_unused=True)
    if g is None:  # a function of x whose gradient PyTorch leaves undefined (vector_norm, ord 0)
        g = torch.zeros_like(x)
    out["grads"] = [enc(g)]
    if second:
        w = torch.linspace(0.5, -1.0, x.numel(), dtype=dtype)
        out["weight"] = enc(w)
        if g.requires_grad:
            try:
                (gg,) = torch.autograd.grad((g * w).sum(), x, allow_unused=True)
                out["second"] = [enc(gg) if gg is not None else enc(torch.zeros_like(x))]
            except RuntimeError:
                out["second"] = None  # PyTorch has no double backward for it
        else:
            out["second"] = [enc(torch.zeros_like(x))]
    return out


def main():
    cases = []
    for name, fn in FUNCTIONS.items():
        for dtype in (torch.float64, torch.float32):
            d = DTYPES[dtype]
            cases.append(case(f"{name}__{d}", fn, ORDINARY, dtype, name not in NO_SECOND))
            if name not in NO_SPECIAL:
                values = SPECIAL_PART.get(name, SPECIAL)
                cases.append(case(f"{name}__special_{d}", fn, values, dtype, False))
    with open(OUT, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
