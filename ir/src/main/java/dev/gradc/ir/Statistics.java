package dev.gradc.ir;

/**
 * PyTorch's statistics over dims ({@code var}, {@code std}) as fusing compositions of IR ops,
 * shared by the Java API and the {@code .grad} builtins. Each divides as PyTorch does, by {@code
 * max(0, N - correction)}, so one element with the unbiased correction is NaN and a correction
 * beyond the count is infinite.
 *
 * <p>Reverse mode of the plain formula would route part of the gradient through the mean, so one
 * infinite element would make its whole slice's gradient NaN, where PyTorch's {@code var_backward},
 * {@code 2 / (N - correction) * grad * (x - mean)}, is NaN only at the non-finite elements. So the
 * variance is its detached value plus terms whose value is 0 and whose derivatives are PyTorch's
 * backward and its own derivative: {@code z} is 0 with slope 1 at finite elements, and {@code 2
 * sum(z (x - mean)) - sum((z - mean z)^2)}, divided, has the gradient {@code 2 (x - mean) /
 * divisor} and the Hessian of the variance (the second term cancels the first's doubled Hessian).
 */
public final class Statistics {
  private Statistics() {}

  private static Lit lit(double v) {
    return Builder.lit(v, DType.F64);
  }

  /** The sum of squared deviations from the mean over {@code dims}, divided as PyTorch does. */
  public static Value var(Builder b, Value x, int[] dims, long correction, boolean keepdim) {
    Value d = b.sub(x, b.reduce(Op.MEAN, x, dims, true));
    Value divisor = divisor(b, x, dims, correction);
    Value plain = b.div(b.reduce(Op.SUM, b.square(d), dims, keepdim), divisor);
    if (divisor instanceof Lit l && l.value() == 0) {
      return plain; // no finite slope to follow: the value is NaN or infinite
    }
    Value finite = b.binary(Op.LT, b.abs(x), lit(Double.POSITIVE_INFINITY));
    Value kept = b.where(finite, x, lit(0));
    Value z = b.sub(kept, b.detach(kept));
    Value centered = b.sub(z, b.reduce(Op.MEAN, z, dims, true));
    Value slope =
        b.sub(
            b.mul(b.reduce(Op.SUM, b.mul(z, d), dims, keepdim), lit(2)),
            b.reduce(Op.SUM, b.square(centered), dims, keepdim));
    // NaN, as PyTorch's gradient, at non-finite elements (the value is NaN there already)
    Value nonFinite = nanWhereNonFinite(b, x, dims, keepdim);
    return b.add(b.add(b.detach(plain), b.div(slope, divisor)), nonFinite);
  }

  /**
   * The mean that {@code var_mean} and {@code std_mean} give with the spread: PyTorch computes both
   * in one Welford pass, whose mean is NaN when a slice of more than one element holds an infinity
   * (the plain mean would be infinite); its gradient is the mean's.
   */
  public static Value meanOfSpread(Builder b, Value x, int[] dims, boolean keepdim) {
    Value mean = b.reduce(Op.MEAN, x, dims, keepdim);
    Value n = b.numel(x, dims, x.type().dtype());
    if (n instanceof Lit l && l.value() <= 1) {
      return mean;
    }
    return b.add(mean, b.detach(nanWhereNonFinite(b, x, dims, keepdim)));
  }

  /** 0 over a slice of finite elements, else NaN; its gradient is NaN at the non-finite ones. */
  private static Value nanWhereNonFinite(Builder b, Value x, int[] dims, boolean keepdim) {
    Value finite = b.binary(Op.LT, b.abs(x), lit(Double.POSITIVE_INFINITY));
    Value nanMask = b.cast(b.where(finite, lit(0), lit(Double.NaN)), x.type().dtype());
    return b.reduce(Op.SUM, b.mul(x, nanMask), dims, keepdim);
  }

  /**
   * The square root of {@link #var}; where it is 0 its gradient is 0, as PyTorch's {@code
   * std_backward} masks it, not the NaN of {@code sqrt}'s infinite slope times a zero deviation.
   */
  public static Value std(Builder b, Value x, int[] dims, long correction, boolean keepdim) {
    return safeSqrt(b, var(b, x, dims, correction, keepdim));
  }

  /** {@code sqrt(v)}, with a zero gradient where {@code v} is 0. */
  static Value safeSqrt(Builder b, Value v) {
    Value zero = b.binary(Op.EQ, v, lit(0));
    Value root = b.unary(Op.SQRT, b.where(zero, lit(1), v));
    return b.where(zero, lit(0), root);
  }

  /** {@code max(0, N - correction)} in {@code x}'s dtype, N the count over {@code dims}. */
  private static Value divisor(Builder b, Value x, int[] dims, long correction) {
    Value n = b.numel(x, dims, x.type().dtype());
    return b.maximum(b.sub(n, lit((double) correction)), lit(0));
  }
}
