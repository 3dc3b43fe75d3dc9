package dev.gradc.ir;

import dev.gradc.ir.math.MathF64;
import dev.gradc.ir.math.SpecialF64;

/**
 * The scalar semantics of elementwise ops, in f64, as PyTorch defines them. The interpreter and the
 * builder's constant folding call these; codegen emits the same arithmetic inline and copies the
 * bytecode of the helpers (these and {@link MathF64}'s) into generated classes, so compiled kernels
 * keep depending on {@code java.base} only and agree with the interpreter bit for bit. The
 * elementary functions ({@code exp}, {@code log}, {@code expm1}, {@code log1p}, {@code sin}, {@code
 * cos}, {@code tanh}, {@code sigmoid}, {@code erf}) are gradc's own ({@link MathF64}): the same
 * bits on every machine, where the JDK's intrinsics may differ between machines and JVM modes.
 */
public final class ScalarMath {
  private ScalarMath() {}

  /** Applies an elementwise op; unused operands are ignored. Booleans are 0 and 1. */
  public static double apply(Op op, double x, double y, double z) {
    return switch (op.elementwise()) {
      case ADD -> x + y;
      case SUB -> x - y;
      case MUL -> x * y;
      case DIV -> x / y;
      case POW -> pow(x, y);
      case MAXIMUM -> Math.max(x, y);
      case MINIMUM -> Math.min(x, y);
      case ATAN2 -> StrictMath.atan2(x, y);
      case HYPOT -> StrictMath.hypot(x, y);
      case REMAINDER -> remainder(x, y);
      case FMOD -> x % y;
      case COPYSIGN -> Math.copySign(x, y);
      case XLOGY -> xlogy(x, y);
      case XLOG1PY -> xlog1py(x, y);
      case LOGADDEXP -> logaddexp(x, y);
      case LOGADDEXP2 -> logaddexp2(x, y);
      case POLYGAMMA -> SpecialF64.polygamma(x, y);
      case LT -> x < y ? 1 : 0;
      case LE -> x <= y ? 1 : 0;
      case GT -> x > y ? 1 : 0;
      case GE -> x >= y ? 1 : 0;
      case EQ -> x == y ? 1 : 0;
      case NE -> x != y ? 1 : 0;
      case WHERE -> x != 0 ? y : z;
      case CLAMP -> clamp(x, y, z);
      case NEG -> -x;
      case ABS -> Math.abs(x);
      case SIGN -> sign(x);
      case EXP -> MathF64.exp(x);
      case EXPM1 -> MathF64.expm1(x);
      case LOG -> MathF64.log(x);
      case LOG1P -> MathF64.log1p(x);
      case SQRT -> Math.sqrt(x);
      case RSQRT -> 1 / Math.sqrt(x);
      case SQUARE -> x * x;
      case RECIPROCAL -> 1 / x;
      case SIN -> MathF64.sin(x);
      case COS -> MathF64.cos(x);
      case TAN -> Math.tan(x);
      case TANH -> MathF64.tanh(x);
      case SIGMOID -> MathF64.sigmoid(x);
      case RELU -> relu(x);
      case SOFTPLUS -> softplus(x);
      case ERF -> MathF64.erf(x);
      case SINH -> StrictMath.sinh(x);
      case COSH -> StrictMath.cosh(x);
      case ASINH -> asinh(x);
      case ACOSH -> acosh(x);
      case ATANH -> atanh(x);
      case ASIN -> StrictMath.asin(x);
      case ACOS -> StrictMath.acos(x);
      case ATAN -> StrictMath.atan(x);
      case LOG2 -> log2(x);
      case LOG10 -> StrictMath.log10(x);
      case ERFC -> MathF64.erfc(x);
      case SINC -> sinc(x);
      case EXP2 -> StrictMath.pow(2, x);
      case LGAMMA -> SpecialF64.lgamma(x);
      case DIGAMMA -> SpecialF64.digamma(x);
      case ERFINV -> SpecialF64.erfinv(x);
      case FLOOR -> Math.floor(x);
      case CEIL -> Math.ceil(x);
      case ROUND -> Math.rint(x);
      case TRUNC -> trunc(x);
      case DETACH, CAST -> x;
    };
  }

  /**
   * Whether {@code op} is computed in 64-bit integer arithmetic, wrapping as PyTorch's int64 does:
   * the arithmetic, selections and comparisons of i64 operands, and casts from and to i64. {@code
   * operand} is the dtype of the op's last operand (the values a {@code where} selects), {@code
   * result} the dtype of its result. Other ops on integers are computed in f64.
   */
  public static boolean isInteger(Op op, DType operand, DType result) {
    Op.IntegerOp i = op.integerOp();
    if (i == null) {
      return false;
    }
    if (op.isComparison()) {
      return operand == DType.I64;
    }
    if (i == Op.IntegerOp.CAST) {
      return operand == DType.I64 || result == DType.I64;
    }
    return operand == DType.I64 && result == DType.I64;
  }

  /**
   * An op for which {@link #isInteger} holds, on i64 operands (a {@code where}'s condition and
   * comparisons' results are 0 and 1; casts are handled by {@link #castFromLong}). The i64 twin of
   * {@link #apply}'s integer cases, on purpose: {@code long} arithmetic wraps where {@code double}
   * rounds, so the two cannot share one method.
   */
  public static long applyLong(Op op, long x, long y, long z) {
    return switch (op.integerOp()) {
      case ADD -> x + y;
      case SUB -> x - y;
      case MUL -> x * y;
      case POW -> powLong(x, y);
      case MAXIMUM -> Math.max(x, y);
      case MINIMUM -> Math.min(x, y);
      case REMAINDER -> remainderLong(x, y);
      case FMOD -> fmodLong(x, y);
      case CLAMP -> Math.min(Math.max(x, y), z);
      case WHERE -> x != 0 ? y : z;
      case NEG -> -x;
      case ABS -> Math.abs(x);
      case SIGN -> Long.signum(x);
      case SQUARE -> x * x;
      case RELU -> Math.max(x, 0);
      case IDENTITY, CAST -> x;
      case LT -> x < y ? 1 : 0;
      case LE -> x <= y ? 1 : 0;
      case GT -> x > y ? 1 : 0;
      case GE -> x >= y ? 1 : 0;
      case EQ -> x == y ? 1 : 0;
      case NE -> x != y ? 1 : 0;
    };
  }

  /** An i64 value cast to {@code to} (rounded once, as PyTorch's static_cast), as a double. */
  public static double castFromLong(long x, DType to) {
    return switch (to) {
      case F64, I64 -> x;
      case F32 -> (float) x;
      case BOOL -> x != 0 ? 1 : 0;
    };
  }

  /**
   * {@code x} to the integer power {@code y} as PyTorch's int64 computes it: by squaring, wrapping;
   * a negative exponent gives 1 for {@code x = 1}, {@code ±1} for {@code x = -1} and 0 otherwise.
   */
  public static long powLong(long x, long y) {
    if (y < 0) {
      return x == 1 ? 1 : x == -1 ? ((y & 1) == 0 ? 1 : -1) : 0;
    }
    long r = 1;
    long b = x;
    while (y != 0) {
      if ((y & 1) != 0) {
        r *= b;
      }
      b *= b;
      y >>>= 1;
    }
    return r;
  }

  /** {@code min(max(x, lo), hi)}; NaN stays NaN, as in PyTorch. */
  public static double clamp(double x, double lo, double hi) {
    return Math.min(Math.max(x, lo), hi);
  }

  /**
   * {@code x} to the power {@code y} as PyTorch computes it: C's {@code pow}, in which {@code 1^y}
   * and {@code (-1)^±inf} are 1 where Java's {@code Math.pow} gives NaN; and the exponents 0.5 and
   * -0.5 as {@code sqrt} and {@code rsqrt}, as PyTorch computes scalar exponents ({@code
   * (-inf)^0.5} is NaN).
   */
  public static double pow(double x, double y) {
    if (x == 1 || (x == -1 && Double.isInfinite(y))) {
      return 1;
    }
    if (y == 0.5) {
      return Math.sqrt(x);
    }
    if (y == -0.5) {
      return 1 / Math.sqrt(x);
    }
    return Math.pow(x, y);
  }

  /**
   * -1, 0 or 1; 0 for NaN, as PyTorch's {@code (0 < x) - (x < 0)} (so {@code abs'(NaN)} is 0),
   * without a branch ({@link #gt}).
   */
  public static double sign(double x) {
    return gt(x, 0) - gt(0, x);
  }

  // Comparisons as 1.0 or 0.0, computed from bits without a branch: a kernel compiled while a
  // comparison went one way (every weight zero at a fit's start, say) is not deoptimized and
  // recompiled when the data makes it go the other way. Each gives the bits of Java's operator.

  /** {@code a > b}: 0 when either is NaN. */
  public static double gt(double a, double b) {
    // a - b is positive exactly when a > b: the difference of finite operands is zero only when
    // they are equal (gradual underflow), an overflow keeps its sign, and inf - inf and NaN give
    // NaN. The positive doubles are the bit patterns 1 to 0x7ff0000000000000 (+inf).
    long t = Double.doubleToRawLongBits(a - b) - 1;
    return (double) ((~t & (t - 0x7ff0000000000000L)) >>> 63);
  }

  /** {@code a >= b}: 0 when either is NaN. */
  public static double ge(double a, double b) {
    return ordered(a, b) - gt(b, a);
  }

  /** {@code a == b}: 0 when either is NaN, 1 for -0 and +0. */
  public static double eq(double a, double b) {
    return ordered(a, b) - gt(a, b) - gt(b, a);
  }

  /** {@code a != b}: 1 when either is NaN. */
  public static double ne(double a, double b) {
    return 1 - eq(a, b);
  }

  /** {@code a < b} of longs, without a branch (the signed comparison, safe from overflow). */
  public static double lt(long a, long b) {
    long d = a - b;
    return (double) ((d ^ ((a ^ b) & (d ^ a))) >>> 63);
  }

  /** {@code a <= b} of longs. */
  public static double le(long a, long b) {
    return 1 - lt(b, a);
  }

  /** {@code a == b} of longs. */
  public static double eq(long a, long b) {
    return 1 - lt(a, b) - lt(b, a);
  }

  /** {@code a != b} of longs. */
  public static double ne(long a, long b) {
    return lt(a, b) + lt(b, a);
  }

  /** 1 when neither operand is NaN, else 0. */
  private static double ordered(double a, double b) {
    // A magnitude's bits above +inf's are a NaN's; the difference is then negative.
    long inf = 0x7ff0000000000000L;
    long na = inf - (Double.doubleToRawLongBits(a) & Long.MAX_VALUE);
    long nb = inf - (Double.doubleToRawLongBits(b) & Long.MAX_VALUE);
    return (double) (1 - ((na | nb) >>> 63));
  }

  /**
   * {@code max(x, 0)} that keeps NaN: {@code x <= 0 ? +0 : x} bit for bit (-0 gives +0), without a
   * branch, so a kernel compiled while every {@code x} had one sign is not deoptimized when the
   * signs change.
   */
  public static double relu(double x) {
    return Math.max(x, 0.0);
  }

  /** PyTorch's softplus with beta 1 and threshold 20. */
  public static double softplus(double x) {
    return x > 20 ? x : MathF64.log1p(MathF64.exp(x));
  }

  /** {@code ln 2}. */
  private static final double LN2 = 0.6931471805599453;

  /** {@code 2^28}: past it {@code sqrt(x*x ± 1)} is {@code |x|} in f64. */
  private static final double TWO28 = 0x1p28;

  /** The inverse hyperbolic sine, fdlibm's method: odd, {@code -0} stays {@code -0}. */
  public static double asinh(double x) {
    double a = Math.abs(x);
    if (Double.isNaN(x) || Double.isInfinite(x) || a < 0x1p-28) {
      return x;
    }
    double w;
    if (a > TWO28) {
      w = MathF64.log(a) + LN2;
    } else if (a > 2) {
      w = MathF64.log(2 * a + 1 / (Math.sqrt(x * x + 1) + a));
    } else {
      double t = x * x;
      w = MathF64.log1p(a + t / (1 + Math.sqrt(1 + t)));
    }
    return Math.copySign(w, x);
  }

  /** The inverse hyperbolic cosine, fdlibm's method: NaN below 1, {@code acosh(1) = 0}. */
  public static double acosh(double x) {
    if (!(x >= 1)) {
      return Double.NaN;
    }
    if (x >= TWO28) {
      return Double.isInfinite(x) ? x : MathF64.log(x) + LN2;
    }
    if (x > 2) {
      return MathF64.log(2 * x - 1 / (x + Math.sqrt(x * x - 1)));
    }
    double t = x - 1;
    return MathF64.log1p(t + Math.sqrt(2 * t + t * t));
  }

  /** The inverse hyperbolic tangent, fdlibm's method: {@code ±inf} at {@code ±1}, NaN beyond. */
  public static double atanh(double x) {
    double a = Math.abs(x);
    if (!(a <= 1)) {
      return Double.NaN;
    }
    if (a == 1) {
      return x / 0.0;
    }
    if (a < 0x1p-28) {
      return x;
    }
    double t;
    if (a < 0.5) {
      double d = a + a;
      t = 0.5 * MathF64.log1p(d + d * a / (1 - a));
    } else {
      t = 0.5 * MathF64.log1p((a + a) / (1 - a));
    }
    return Math.copySign(t, x);
  }

  /**
   * The base-2 logarithm, exact at powers of two: {@code x = m 2^e} with {@code m} in {@code
   * [sqrt(1/2), sqrt(2))}, {@code e + log(m) / ln 2}.
   */
  public static double log2(double x) {
    if (!(x > 0) || x == Double.POSITIVE_INFINITY) {
      return x == 0 ? Double.NEGATIVE_INFINITY : x > 0 ? x : Double.NaN;
    }
    int shift = 0;
    if (x < Double.MIN_NORMAL) {
      x *= 0x1p54;
      shift = 54;
    }
    int e = Math.getExponent(x);
    double m = Math.scalb(x, -e);
    if (m > 1.4142135623730951) {
      m *= 0.5;
      e++;
    }
    return (e - shift) + MathF64.log(m) * (1 / LN2);
  }

  /** {@code sin(pi x) / (pi x)}, 1 at 0, as PyTorch's kernel. */
  public static double sinc(double x) {
    if (x == 0) {
      return 1;
    }
    double p = Math.PI * x;
    return MathF64.sin(p) / p;
  }

  /** PyTorch's message for an integer division or modulo by zero. */
  public static final String ZERO_DIVISION = "ZeroDivisionError";

  /**
   * Python's modulo as PyTorch computes it: {@code fmod}, moved by the divisor where the signs
   * differ, so the result has the divisor's sign.
   */
  public static double remainder(double x, double y) {
    double m = x % y;
    if (m != 0 && (y < 0) != (m < 0)) {
      m += y;
    }
    return m;
  }

  /**
   * {@link #remainder} of i64s; a zero divisor raises PyTorch's {@code ZeroDivisionError} (as an
   * {@code IllegalArgumentException}, which compiled code may throw: the interpreter and the
   * runtime report it as a data error).
   */
  public static long remainderLong(long x, long y) {
    if (y == 0) {
      throw new IllegalArgumentException(ZERO_DIVISION);
    }
    long r = x % y;
    if (r != 0 && (r < 0) != (y < 0)) {
      r += y;
    }
    return r;
  }

  /** C's {@code %} of i64s (the dividend's sign); a zero divisor as {@link #remainderLong}. */
  public static long fmodLong(long x, long y) {
    if (y == 0) {
      throw new IllegalArgumentException(ZERO_DIVISION);
    }
    return x % y;
  }

  /** {@code x * log(y)}, 0 where {@code x} is 0 unless {@code y} is NaN, as PyTorch. */
  public static double xlogy(double x, double y) {
    if (Double.isNaN(y)) {
      return Double.NaN;
    }
    return x == 0 ? 0 : x * MathF64.log(y);
  }

  /** {@code x * log1p(y)}, 0 where {@code x} is 0 unless {@code y} is NaN, as PyTorch. */
  public static double xlog1py(double x, double y) {
    if (Double.isNaN(y)) {
      return Double.NaN;
    }
    return x == 0 ? 0 : x * MathF64.log1p(y);
  }

  /** {@code log(exp(x) + exp(y))} as PyTorch: {@code max + log1p(exp(-|x - y|))}. */
  public static double logaddexp(double x, double y) {
    if (Double.isInfinite(x) && x == y) {
      return x;
    }
    return Math.max(x, y) + MathF64.log1p(MathF64.exp(-Math.abs(x - y)));
  }

  /** {@code log2(2^x + 2^y)} as PyTorch: {@code max + log1p(2^-|x - y|) / ln 2}. */
  public static double logaddexp2(double x, double y) {
    if (Double.isInfinite(x) && x == y) {
      return x;
    }
    return Math.max(x, y) + MathF64.log1p(StrictMath.pow(2, -Math.abs(x - y))) * (1 / LN2);
  }

  /** Rounds toward zero; {@code -0}, infinities and NaN stay. */
  public static double trunc(double x) {
    return x < 0 ? Math.ceil(x) : Math.floor(x);
  }

  // remainderLong is the i64 twin of remainder, and fmodLong repeats its zero check: Java has no
  // primitive generics, and each is copied into generated classes alone, by name. (This note stands
  // last so that the copied methods keep their line numbers.)
}
