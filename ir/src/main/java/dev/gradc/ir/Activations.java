package dev.gradc.ir;

/**
 * PyTorch's activation functions as compositions of IR ops, shared by the Java API and the {@code
 * .grad} builtins. Each follows PyTorch's CPU kernel in its order of operations and in what its
 * backward computes at kinks, NaN and infinities, so that reverse mode of the composition gives
 * PyTorch's gradient (and a second derivative) without a rule of its own, and the ops fuse into the
 * surrounding loops.
 *
 * <p>Two patterns keep reverse mode from producing what PyTorch's backward does not: a branch of a
 * {@code where} that is not taken still receives a zero gradient, and {@code 0 * inf} in it would
 * be NaN, so each branch sees its input clamped to its own domain ({@code elu}, {@code hardswish});
 * where PyTorch's backward is zero on a region on which the value is not constant (NaN inputs of
 * {@code hardsigmoid}), the value there is the detached full formula. Where PyTorch's f32 and f64
 * kernels disagree on the gradient of NaN, each dtype follows its own.
 */
public final class Activations {
  private Activations() {}

  /** {@code sqrt(1/2)}, PyTorch's {@code M_SQRT1_2}. */
  private static final double SQRT1_2 = 0.7071067811865476;

  /** {@code sqrt(2 / pi)}, PyTorch's {@code M_SQRT2 * M_2_SQRTPI * 0.5}. */
  private static final double SQRT_2_OVER_PI = 1.4142135623730951 * 1.1283791670955126 * 0.5;

  /** The scale of {@code selu}. */
  public static final double SELU_SCALE = 1.0507009873554805;

  /** The alpha of {@code selu}. */
  public static final double SELU_ALPHA = 1.6732632423543772;

  /**
   * Whether a NaN input gets the gradient of the linear branch (PyTorch 1.13's f32 CPU kernels of
   * {@code elu}, {@code hardtanh} and {@code hardswish}) rather than NaN or 0 (their f64 kernels).
   */
  private static boolean nanPassesGradient(Value x) {
    return x.type().dtype() == DType.F32;
  }

  private static Lit lit(double v) {
    return Builder.lit(v, DType.F64);
  }

  /**
   * {@code x * 0.5 * (1 + erf(x / sqrt 2))}, or with {@code tanh} the approximation {@code 0.5 x (1
   * + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}.
   */
  public static Value gelu(Builder b, Value x, boolean tanh) {
    if (!tanh) {
      Value cdf = b.add(b.unary(Op.ERF, b.mul(x, SQRT1_2)), 1);
      return b.mul(b.mul(x, 0.5), cdf);
    }
    Value cube = b.mul(b.mul(x, x), x);
    Value inner = b.mul(b.add(x, b.mul(cube, 0.044715)), SQRT_2_OVER_PI);
    return b.mul(b.mul(x, 0.5), b.add(b.unary(Op.TANH, inner), 1));
  }

  /** {@code x * sigmoid(x)}. */
  public static Value silu(Builder b, Value x) {
    return b.mul(x, b.unary(Op.SIGMOID, x));
  }

  /** {@code x * tanh(softplus(x))}. */
  public static Value mish(Builder b, Value x) {
    return b.mul(x, b.unary(Op.TANH, b.unary(Op.SOFTPLUS, x)));
  }

  /** {@code x} where {@code x > 0}, else {@code x * slope} (NaN too, as PyTorch's backward). */
  public static Value leakyRelu(Builder b, Value x, double slope) {
    return b.where(b.binary(Op.GT, x, lit(0)), x, b.mul(x, slope));
  }

  /**
   * PyTorch's {@code elu} kernel: {@code expm1(x * inputScale) * alpha * scale} where {@code x <=
   * 0}, else {@code x * scale}; {@code selu} and {@code celu} are its special cases. At 0 the value
   * is the tangent line, whose second derivative is 0 as in PyTorch's double backward (which has
   * {@code x < 0}).
   */
  public static Value elu(Builder b, Value x, double alpha, double scale, double inputScale) {
    // NaN takes the linear branch in f32, the exponential one in f64 (see the class comment)
    Value linear = b.mul(x, scale);
    Value below =
        nanPassesGradient(x)
            ? b.where(b.binary(Op.LE, x, lit(0)), x, lit(0))
            : b.where(b.binary(Op.GT, x, lit(0)), lit(0), x);
    Value negative = b.mul(b.unary(Op.EXPM1, b.mul(below, inputScale)), alpha * scale);
    Value atZero = b.mul(x, alpha * scale * inputScale);
    Value rest = b.where(b.binary(Op.EQ, x, lit(0)), atZero, negative);
    return nanPassesGradient(x)
        ? b.where(b.binary(Op.LE, x, lit(0)), rest, linear)
        : b.where(b.binary(Op.GT, x, lit(0)), linear, rest);
  }

  /**
   * {@code x - log1p(exp(x))} below 0, else {@code -log1p(exp(-x))}: PyTorch's {@code min(x, 0) -
   * log1p(exp(-|x|))} with each branch smooth, so that 0 has the second derivative {@code -1/4}.
   */
  public static Value logsigmoid(Builder b, Value x) {
    Value negative = b.binary(Op.LT, x, lit(0));
    Value below = b.where(negative, x, lit(0));
    Value above = b.where(negative, lit(0), x);
    Value low = b.sub(below, b.unary(Op.LOG1P, b.exp(below)));
    Value high = b.neg(b.unary(Op.LOG1P, b.exp(b.neg(above))));
    return b.where(negative, low, high);
  }

  /**
   * {@code clamp(x, min, max)} whose gradient is zero at the bounds and for NaN, as PyTorch's
   * {@code hardtanh_backward}.
   */
  public static Value hardtanh(Builder b, Value x, double min, double max) {
    Value full = b.detach(b.clamp(x, lit(min), lit(max)));
    if (nanPassesGradient(x)) {
      Value high = b.where(b.binary(Op.GE, x, lit(max)), full, x);
      return b.where(b.binary(Op.LE, x, lit(min)), full, high);
    }
    Value inside = b.where(b.binary(Op.LT, x, lit(max)), x, full);
    return b.where(b.binary(Op.GT, x, lit(min)), inside, full);
  }

  /** {@code 1/6} as PyTorch's hardsigmoid backward has it: the float {@code 1.0f / 6.0f}. */
  private static final double ONE_SIXTH_FLOAT = 1.0f / 6.0f;

  /**
   * {@code min(max(x + 3, 0), 6) / 6}, with gradient PyTorch's float {@code 1/6} strictly inside
   * (-3, 3) and 0 elsewhere (NaN too). PyTorch has no second derivative for it; this one is 0.
   */
  public static Value hardsigmoid(Builder b, Value x) {
    Value shifted = b.add(x, 3);
    Value full = b.detach(b.div(b.clamp(shifted, lit(0), lit(6)), lit(6)));
    Value slope = b.mul(b.sub(x, b.detach(x)), ONE_SIXTH_FLOAT);
    Value linear = b.add(b.detach(b.div(shifted, lit(6))), slope);
    Value inside = b.where(b.binary(Op.LT, x, lit(3)), linear, full);
    return b.where(b.binary(Op.GT, x, lit(-3)), inside, full);
  }

  /**
   * {@code x * min(max(x + 3, 0), 6) / 6}. PyTorch's gradient is 0 below -3, {@code x/3 + 1/2} on
   * [-3, 3] and 1 above (NaN for NaN); its second derivative is {@code 1/3} strictly inside (-3,
   * 3), so at ±3 the value is the tangent line.
   */
  public static Value hardswish(Builder b, Value x) {
    Value full = b.div(b.mul(x, b.clamp(b.add(x, 3), lit(0), lit(6))), lit(6));
    Value mid = b.clamp(x, lit(-3), lit(3));
    Value quadratic = b.div(b.mul(mid, b.add(mid, 3)), lit(6));
    Value atLow = b.mul(b.add(x, 3), -0.5);
    Value atHigh = b.add(b.mul(b.add(x, -3), 1.5), 3);
    Value inner =
        b.where(
            b.binary(Op.EQ, x, lit(-3)),
            atLow,
            b.where(b.binary(Op.EQ, x, lit(3)), atHigh, quadratic));
    Value above = full;
    if (nanPassesGradient(x)) {
      // NaN is x itself; the formula sees 4 there, so that its zero gradient stays 0
      Value over = b.binary(Op.GT, x, lit(3));
      Value xa = b.where(over, x, lit(4));
      above = b.where(over, b.div(b.mul(xa, b.clamp(b.add(xa, 3), lit(0), lit(6))), lit(6)), x);
    }
    Value upper = b.where(b.binary(Op.LE, x, lit(3)), inner, above);
    return b.where(b.binary(Op.LT, x, lit(-3)), b.detach(full), upper);
  }

  /** {@code value} where {@code x <= threshold}, else {@code x}. */
  public static Value threshold(Builder b, Value x, double threshold, double value) {
    return b.where(b.binary(Op.LE, x, lit(threshold)), lit(value), x);
  }

  /**
   * {@code glu(x, dim)}: the first half of {@code x} along {@code dim} times the sigmoid of the
   * second, with PyTorch's errors for a scalar and an odd size; slices, sigmoid and a product,
   * which fuse.
   */
  public static Value glu(Builder b, Value x, int dim) {
    int rank = x.type().rank();
    if (rank == 0) {
      throw new GradcException("glu does not support scalars because halving size must be even");
    }
    int d = Builder.normalizeDim(dim, rank);
    Dim size = x.type().dim(d);
    if (!size.isStatic() || size.size() % 2 != 0) {
      throw new GradcException(
          "Halving dimension must be even, but dimension " + d + " is size " + size);
    }
    int h = size.size() / 2;
    return b.mul(b.slice(x, d, 0, 1, h), b.unary(Op.SIGMOID, b.slice(x, d, h, 1, h)));
  }
}
