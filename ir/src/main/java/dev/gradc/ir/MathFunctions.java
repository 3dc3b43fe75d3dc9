package dev.gradc.ir;

/**
 * PyTorch's elementwise math functions that are compositions of IR ops ({@code frac}), shared by
 * the Java API and the {@code .grad} builtins: each computes PyTorch's value, and reverse mode of
 * the composition gives the gradient of PyTorch's {@code derivatives.yaml} (and a second
 * derivative), while the ops fuse into the surrounding loops.
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

  /** {@code x - trunc(x)}, whose gradient is {@code g}; PyTorch refuses integers. */
  public static Value frac(Builder b, Value x) {
    requireFloat("frac_cpu", x.type());
    return b.sub(x, b.unary(Op.TRUNC, x));
  }
}
