package dev.gradc.ir;

/**
 * PyTorch's elementwise math functions that are compositions of IR ops ({@code frac}, {@code
 * nan_to_num}, {@code round} with decimals), shared by the Java API and the {@code .grad} builtins:
 * each computes PyTorch's value, and reverse mode of the composition gives the gradient of
 * PyTorch's {@code derivatives.yaml} (and a second derivative), while the ops fuse into the
 * surrounding loops.
 */
public final class MathFunctions {
  private MathFunctions() {}

  /**
   * PyTorch's error for a function its kernels do not implement for {@code x}'s dtype, or nothing
   * when {@code x} is floating point: {@code "frac_cpu" not implemented for 'Long'}.
   */
  public static void requireFloat(String kernel, Type x) {
    if (!x.dtype().isFloat()) {
      throw new GradcException(
          "\"" + kernel + "\" not implemented for '" + x.dtype().scalarTypeName() + "'");
    }
  }

  private static Lit lit(double v) {
    return Builder.lit(v, DType.F64);
  }

  /**
   * NaN, {@code inf} and {@code -inf} replaced by {@code nan}, {@code posinf} and {@code neginf}
   * (null: the dtype's largest and lowest finite numbers); the gradient passes where {@code x} is
   * finite, as PyTorch's {@code grad * isfinite(x)}. Integers and bools stay as they are.
   */
  public static Value nanToNum(Builder b, Value x, double nan, Double posinf, Double neginf) {
    DType d = x.type().dtype();
    if (!d.isFloat()) {
      return x;
    }
    double max = d == DType.F32 ? Float.MAX_VALUE : Double.MAX_VALUE;
    Value r = b.where(b.binary(Op.NE, x, x), lit(nan), x);
    r =
        b.where(
            b.binary(Op.EQ, x, lit(Double.POSITIVE_INFINITY)),
            lit(posinf != null ? posinf : max),
            r);
    return b.where(
        b.binary(Op.EQ, x, lit(Double.NEGATIVE_INFINITY)), lit(neginf != null ? neginf : -max), r);
  }

  /**
   * {@code round(x, decimals)} as PyTorch's kernel: {@code rint(x * 10^d) / 10^d}, or {@code rint(x
   * / 10^-d) * 10^-d} for negative {@code d}; integers only with {@code decimals=0}.
   */
  public static Value round(Builder b, Value x, int decimals) {
    if (decimals == 0) {
      return b.unary(Op.ROUND, x);
    }
    requireFloat("round_cpu", x.type());
    Lit p = lit(Math.pow(10, Math.abs(decimals)));
    return decimals > 0
        ? b.div(b.unary(Op.ROUND, b.mul(x, p)), p)
        : b.mul(b.unary(Op.ROUND, b.div(x, p)), p);
  }

  /** {@code x - trunc(x)}, whose gradient is {@code g}; PyTorch refuses integers. */
  public static Value frac(Builder b, Value x) {
    requireFloat("frac_cpu", x.type());
    return b.sub(x, b.unary(Op.TRUNC, x));
  }

  /** {@code polygamma(n, x)}, with PyTorch's error for a negative {@code n}. */
  public static Value polygamma(Builder b, int n, Value x) {
    if (n < 0) {
      throw new GradcException("polygamma(n, x) does not support negative n.");
    }
    return b.binary(Op.POLYGAMMA, Builder.lit(n, DType.F64), x);
  }
}
