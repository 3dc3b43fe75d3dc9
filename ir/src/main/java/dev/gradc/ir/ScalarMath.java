package dev.gradc.ir;

import dev.gradc.ir.math.MathF64;

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

  /** -1, 0 or 1; 0 for NaN, as PyTorch's {@code (0 < x) - (x < 0)} (so {@code abs'(NaN)} is 0). */
  public static double sign(double x) {
    return x > 0 ? 1 : x < 0 ? -1 : 0;
  }

  /** {@code max(x, 0)} that keeps NaN. */
  public static double relu(double x) {
    return x <= 0 ? 0 : x;
  }

  /** PyTorch's softplus with beta 1 and threshold 20. */
  public static double softplus(double x) {
    return x > 20 ? x : MathF64.log1p(MathF64.exp(x));
  }
}
