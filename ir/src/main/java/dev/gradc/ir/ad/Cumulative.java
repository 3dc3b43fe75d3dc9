package dev.gradc.ir.ad;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Op;
import dev.gradc.ir.Value;

/**
 * The gradients of the cumulative ops that are more than one line ({@link Rules}): PyTorch's {@code
 * cumprod_backward}, {@code logcumsumexp_backward} and {@code cummaxmin_backward}, in IR ops, so
 * that each is differentiated again like any other function.
 */
final class Cumulative {
  private Cumulative() {}

  /**
   * {@code cumprod}: {@code sum_{k >= i} g_k y_k / x_i} before a slice's first zero (of the terms
   * before it, as PyTorch's masked reversed cumsum), at the first zero {@code y_{z-1} sum_{z <= k <
   * z2} g_k prod_{z < j <= k} x_j}, zero after it. The zero itself times the first zero's gradient
   * (before it) and times the products without it (between the first and second zero), where these
   * are finite, adds zero to the values and gives the second derivatives toward the zero. Across
   * the first two zeros {@code z1, z2} the second derivative is {@code s = sum_{z2 <= k < z3} g_k
   * prod_{j <= k, j != z1, z2} x_j}: {@code x_z2 s} at the first zero and {@code x_z1 s} at the
   * second add zero and give it, so that the derivative of this gradient is PyTorch's (the
   * derivative of its O(n^2) formula, the products without both elements).
   */
  static Value cumprod(Builder b, Inst inst, Value x, Value y, Value g) {
    int d = inst.dim(0);
    boolean rev = inst.dim(1) == 1;
    Dim size = x.type().dim(d);
    if (size.isStatic() && size.size() <= 1) {
      return g;
    }
    DType dt = x.type().dtype();
    Lit zero = Builder.lit(0, dt);
    Lit one = Builder.lit(1, dt);
    int[] dims = {d};
    Value isZero = b.binary(Op.EQ, x, zero);
    Value zeros = b.cast(isZero, dt);
    Value count = b.scan(Op.CUMSUM, zeros, d, rev);
    // 0 before the first zero, 1 at it, 2 between it and the second, more after
    Value t = b.sub(b.mul(count, 2.0), zeros);
    Value before = b.binary(Op.EQ, t, zero);
    Value first = b.binary(Op.EQ, t, one);
    Value between = b.binary(Op.EQ, t, Builder.lit(2, dt));
    Value upToSecond = b.binary(Op.EQ, count, one);
    Value w = b.mul(y, g);
    // divisors where they are selected; 1 at zeros, so that no branch's derivative is 0 / 0
    Value nonzeros = b.where(isZero, one, x);
    Value productBefore = b.reduce(Op.PROD, b.where(before, x, one), dims, true);
    Value products = b.scan(Op.CUMPROD, b.where(between, x, one), d, rev);
    Value gUpToSecond = b.where(upToSecond, g, zero);
    Value hasZero = b.binary(Op.GT, b.sum(zeros, dims, true), zero);
    Value atFirst =
        b.where(
            hasZero, b.mul(b.sum(b.mul(products, gUpToSecond), dims, true), productBefore), zero);
    Value firstZero = b.sum(b.where(first, x, zero), dims, true);
    // across the first two zeros: the products without both, from the second zero to the third
    Value second = b.binary(Op.EQ, t, Builder.lit(3, dt));
    Value secondZero = b.sum(b.where(second, x, zero), dims, true);
    Value gUpToThird = b.where(b.binary(Op.EQ, count, Builder.lit(2, dt)), g, zero);
    Value afterSecond =
        b.scan(Op.CUMPROD, b.where(b.binary(Op.EQ, t, Builder.lit(4, dt)), x, one), d, rev);
    Value across =
        finite(
            b,
            b.mul(
                b.sum(b.mul(gUpToThird, b.mul(products, afterSecond)), dims, true), productBefore));
    Value beforeGrad =
        b.div(
            b.add(
                b.scan(Op.CUMSUM, b.where(before, w, zero), d, !rev),
                b.mul(firstZero, finite(b, atFirst))),
            nonzeros);
    Value others = b.mul(gUpToSecond, b.mul(products, productBefore));
    Value betweenGrad =
        b.div(b.mul(firstZero, finite(b, b.scan(Op.CUMSUM, others, d, !rev))), nonzeros);
    Value atSecond = b.mul(firstZero, across);
    Value atFirstAcross = b.add(atFirst, b.mul(secondZero, across));
    return b.where(
        before,
        beforeGrad,
        b.where(
            first, atFirstAcross, b.where(between, betweenGrad, b.where(second, atSecond, zero))));
  }

  /** {@code v} where it is finite, else 0: a factor of zero that must stay zero. */
  private static Value finite(Builder b, Value v) {
    Lit zero = Builder.lit(0, v.type().dtype());
    return b.where(b.binary(Op.EQ, b.sub(v, v), zero), v, zero);
  }

  /**
   * {@code logcumsumexp}: the positive and the negative parts of {@code g} apart, each {@code
   * exp(reversed logcumsumexp(log|g| - y) + x)}, with {@code log|g|} replaced by the lowest finite
   * number where the part is empty.
   */
  static Value logcumsumexp(Builder b, Inst inst, Value x, Value y, Value g) {
    int d = inst.dim(0);
    boolean rev = inst.dim(1) == 1;
    DType dt = x.type().dtype();
    Lit zero = Builder.lit(0, dt);
    Lit lowest = Builder.lit(dt == DType.F32 ? -Float.MAX_VALUE : -Double.MAX_VALUE, dt);
    Value logAbs = b.unary(Op.LOG, b.unary(Op.ABS, g));
    Value pos = b.where(b.binary(Op.GT, g, zero), logAbs, lowest);
    Value neg = b.where(b.binary(Op.LT, g, zero), logAbs, lowest);
    Value outPos = b.exp(b.add(b.scan(Op.LOGCUMSUMEXP, b.sub(pos, y), d, !rev), x));
    Value outNeg = b.exp(b.add(b.scan(Op.LOGCUMSUMEXP, b.sub(neg, y), d, !rev), x));
    return b.sub(outPos, outNeg);
  }

  /**
   * {@code cummax} and {@code cummin}: each {@code g_k} added to the element its index selected, in
   * the order of {@code k} (PyTorch's {@code scatter_add}), as a sum over one-hot rows of the
   * indices; the size of the dim must be static.
   */
  static Value extreme(Builder b, Inst inst, Value x, Value g) {
    int d = inst.dim(0);
    Value hit = hits(b, inst, x);
    int r = x.type().rank();
    Value picked = b.where(hit, b.unsqueeze(g, r), Builder.lit(0, g.type().dtype()));
    Value sums = b.sum(picked, new int[] {d}, false);
    int[] perm = new int[r];
    for (int k = 0; k < r; k++) {
      perm[k] = k < d ? k : k == d ? r - 1 : k - 1;
    }
    return b.permute(sums, perm);
  }

  // ---------------------------------------------------------------- tangents (forward mode)

  /**
   * {@code cumprod}'s tangent, as PyTorch's {@code cumprod_jvp}: {@code cumsum(t / x) * y}, and
   * past a slice's first zero the running product with the zero replaced by its tangent.
   */
  static Value cumprodTangent(Builder b, Inst inst, Value x, Value y, Value t) {
    int d = inst.dim(0);
    boolean rev = inst.dim(1) == 1;
    DType dt = x.type().dtype();
    Lit zero = Builder.lit(0, dt);
    Lit one = Builder.lit(1, dt);
    Value general = b.mul(b.scan(Op.CUMSUM, b.div(t, x), d, rev), y);
    Value isZero = b.binary(Op.EQ, x, zero);
    Value zeros = b.cast(isZero, dt);
    Value count = b.scan(Op.CUMSUM, zeros, d, rev);
    Value firstZero = b.binary(Op.EQ, b.sub(b.mul(count, 2.0), zeros), one);
    Value past = b.scan(Op.CUMPROD, b.where(firstZero, t, x), d, rev);
    Value afterFirst = b.binary(Op.GT, count, zero);
    return b.where(afterFirst, past, general);
  }

  /**
   * {@code logcumsumexp}'s tangent, as PyTorch's {@code logcumsumexp_jvp}: {@code cumsum(t * e) /
   * cumsum(e)} with {@code e = exp(x - amax(x))} over the dim.
   */
  static Value logcumsumexpTangent(Builder b, Inst inst, Value x, Value t) {
    int d = inst.dim(0);
    boolean rev = inst.dim(1) == 1;
    Value e = b.exp(b.sub(x, b.reduce(Op.AMAX, x, new int[] {d}, true)));
    return b.div(b.scan(Op.CUMSUM, b.mul(t, e), d, rev), b.scan(Op.CUMSUM, e, d, rev));
  }

  /** {@code cummax}'s and {@code cummin}'s tangent: the tangent at the index each value took. */
  static Value extremeTangent(Builder b, Inst inst, Value x, Value t) {
    int d = inst.dim(0);
    Value hit = hits(b, inst, x);
    int r = x.type().rank();
    int[] toLast = new int[r];
    for (int k = 0; k < r; k++) {
      toLast[k] = k < d ? k : k == r - 1 ? d : k + 1;
    }
    Value along = b.unsqueeze(b.permute(t, toLast), d);
    Value picked = b.where(hit, along, Builder.lit(0, t.type().dtype()));
    return b.sum(picked, new int[] {r}, false);
  }

  /**
   * {@code cummax}'s or {@code cummin}'s picks as bools: {@code x}'s shape and a last dim of the
   * (static) size {@code n} of the scanned dim, true where the running extreme at an element was
   * taken from that index.
   */
  private static Value hits(Builder b, Inst inst, Value x) {
    int d = inst.dim(0);
    int n = staticSize(inst, x, d);
    Op indices = inst.op() == Op.CUMMAX ? Op.CUMMAX_INDICES : Op.CUMMIN_INDICES;
    Value idx = b.scan(indices, x, d, inst.dim(1) == 1);
    return b.binary(Op.EQ, b.oneHot(idx, n), Builder.lit(1, DType.I64));
  }

  private static int staticSize(Inst inst, Value x, int d) {
    Dim size = x.type().dim(d);
    if (!size.isStatic()) {
      throw new GradcException(
          inst.op().mnemonic()
              + "'s gradient needs a static size along dim "
              + d
              + ", got "
              + size);
    }
    return size.size();
  }
}
