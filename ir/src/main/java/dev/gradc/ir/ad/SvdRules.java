package dev.gradc.ir.ad;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Indices;
import dev.gradc.ir.Inst;
import dev.gradc.ir.LinearAlgebra;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Op;
import dev.gradc.ir.Svd;
import dev.gradc.ir.Value;

/**
 * The gradient and tangent of each part of {@code svd} ({@code A = U diag(S) Vh}, reduced, {@code k
 * = min(m, n)}), as compositions of IR ops (the parts themselves among them), so that their own
 * derivatives come from the rules of those ops. The gradient is PyTorch's {@code svd_backward} for
 * real inputs, term by term and in its order of products, for one part's gradient at a time (it is
 * linear in the three): with {@code E[i][j] = S[j]^2 - S[i]^2} (1 on the diagonal),
 *
 * <ul>
 *   <li>{@code S}: {@code U (gS[:, None] * Vh)} ({@code (U * gS) Vh} when {@code m < n});
 *   <li>{@code U}: {@code U ((skew(U^T gU) / E) * S) Vh}, plus {@code (I - U U^T) gU / S Vh} when
 *       {@code m > n};
 *   <li>{@code Vh}: {@code U (S[:, None] * (skew(Vh gVh^T) / E)) Vh}, plus {@code U (I - Vh^T Vh)}
 *       applied to {@code gVh / S[:, None]} when {@code m < n};
 * </ul>
 *
 * with {@code skew(X) = X - X^T}. Equal singular values divide by zero, as in PyTorch: there the
 * singular vectors are not functions of {@code A}. The tangent is the same calculus forward: {@code
 * dP = U^T dA V}, {@code dS = diag(dP)}, {@code dU = U (F o (dP S + S dP^T)) + (I - U U^T) dA V /
 * S}, {@code dV = V (F o (S dP + dP^T S)) + (I - V V^T) dA^T U / S}, {@code F = 1 / E} off the
 * diagonal and 0 on it.
 */
final class SvdRules {
  private SvdRules() {}

  /** The parts and sizes of one decomposition. */
  private record Parts(Value x, Value u, Value vh, int m, int n) {
    static Parts of(Builder b, Value x) {
      int r = x.type().rank();
      int m = size(x.type().dim(r - 2));
      int n = size(x.type().dim(r - 1));
      return new Parts(x, b.svd(x, Svd.U), b.svd(x, Svd.VH), m, n);
    }

    private static int size(Dim d) {
      if (!d.isStatic()) {
        throw new GradcException(
            "the derivative of linalg.svd needs fixed matrix sizes, got a dim of size " + d);
      }
      return d.size();
    }

    /** The {@code k x k} identity mask. */
    Value eye(Builder b) {
      Value iota = Indices.iota(b, Math.min(m, n));
      return b.binary(Op.EQ, b.unsqueeze(iota, 1), b.unsqueeze(iota, 0));
    }

    /** {@code E[i][j] = S[j]^2 - S[i]^2}, 1 on the diagonal. */
    Value gaps(Builder b, Value s, Value eye) {
      Value s2 = b.mul(s, s);
      Value e = b.sub(b.unsqueeze(s2, -2), b.unsqueeze(s2, -1));
      return b.where(eye, Builder.lit(1, x.type().dtype()), e);
    }
  }

  private static Value mT(Builder b, Value v) {
    return b.transpose(v, -2, -1);
  }

  /**
   * The gradient of {@code inst} (a part of {@code svd} of {@code x}) given its adjoint {@code g}.
   */
  static Value vjp(Builder b, Inst inst, Value x, Value g) {
    Parts p = Parts.of(b, x);
    Value u = p.u();
    Value vh = p.vh();
    boolean tall = p.m() >= p.n();
    switch (inst.dim(0)) {
      case Svd.VALUES -> {
        return tall
            ? b.matmul(u, b.mul(b.unsqueeze(g, -1), vh))
            : b.matmul(b.mul(u, b.unsqueeze(g, -2)), vh);
      }
      case Svd.U -> {
        Value s = b.svd(x, Svd.VALUES);
        Value uhgu = b.matmul(mT(b, u), g);
        uhgu = b.sub(uhgu, mT(b, uhgu));
        Value inner = b.mul(b.div(uhgu, p.gaps(b, s, p.eye(b))), b.unsqueeze(s, -2));
        if (p.m() > p.n()) {
          Value ga = b.matmul(u, inner);
          Value gUSinv = b.div(g, b.unsqueeze(s, -2));
          ga = b.sub(b.add(ga, gUSinv), b.matmul(u, b.matmul(mT(b, u), gUSinv)));
          return b.matmul(ga, vh);
        }
        return around(b, p, inner);
      }
      default -> {
        Value s = b.svd(x, Svd.VALUES);
        Value vhgv = b.matmul(vh, mT(b, g));
        vhgv = b.sub(vhgv, mT(b, vhgv));
        Value inner = b.mul(b.unsqueeze(s, -1), b.div(vhgv, p.gaps(b, s, p.eye(b))));
        if (p.m() < p.n()) {
          Value ga = b.matmul(inner, vh);
          Value gVSinv = b.div(g, b.unsqueeze(s, -1));
          ga = b.sub(b.add(ga, gVSinv), b.matmul(b.matmul(gVSinv, mT(b, vh)), vh));
          return b.matmul(u, ga);
        }
        return around(b, p, inner);
      }
    }
  }

  /** {@code U inner Vh}, multiplied in PyTorch's order. */
  private static Value around(Builder b, Parts p, Value inner) {
    return p.m() >= p.n()
        ? b.matmul(p.u(), b.matmul(inner, p.vh()))
        : b.matmul(b.matmul(p.u(), inner), p.vh());
  }

  /** The tangent of {@code inst} (a part of {@code svd} of {@code x}) along {@code t}. */
  static Value jvp(Builder b, Inst inst, Value x, Value t) {
    Parts p = Parts.of(b, x);
    Value u = p.u();
    Value v = mT(b, p.vh());
    Value dp = b.matmul(b.matmul(mT(b, u), t), v);
    if (inst.dim(0) == Svd.VALUES) {
      return LinearAlgebra.diagonal(b, dp, 0, -2, -1);
    }
    DType dt = x.type().dtype();
    Value s = b.svd(x, Svd.VALUES);
    Lit zero = Builder.lit(0, dt);
    Value eye = p.eye(b);
    Value f = b.where(eye, zero, b.div(Builder.lit(1, dt), p.gaps(b, s, eye)));
    Value sRow = b.unsqueeze(s, -2);
    Value sCol = b.unsqueeze(s, -1);
    if (inst.dim(0) == Svd.U) {
      Value du = b.matmul(u, b.mul(f, b.add(b.mul(dp, sRow), b.mul(sCol, mT(b, dp)))));
      if (p.m() > p.n()) {
        Value av = b.matmul(t, v);
        du = b.add(du, b.div(b.sub(av, b.matmul(u, b.matmul(mT(b, u), av))), sRow));
      }
      return du;
    }
    Value dv = b.matmul(v, b.mul(f, b.add(b.mul(sCol, dp), b.mul(mT(b, dp), sRow))));
    if (p.m() < p.n()) {
      Value au = b.matmul(mT(b, t), u);
      dv = b.add(dv, b.div(b.sub(au, b.matmul(v, b.matmul(p.vh(), au))), sRow));
    }
    return mT(b, dv);
  }
}
