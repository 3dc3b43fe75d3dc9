package dev.gradc.ir;

/**
 * The scalar semantics of elementwise ops, in f64, as PyTorch defines them. The interpreter and the
 * builder's constant folding call these; codegen emits the same arithmetic inline and copies the
 * bytecode of the helpers that are not JDK intrinsics ({@link #erf}) into generated classes, so
 * compiled kernels keep depending on {@code java.base} only.
 */
public final class ScalarMath {
  private ScalarMath() {}

  /** Applies an elementwise op; unused operands are ignored. Booleans are 0 and 1. */
  public static double apply(Op op, double x, double y, double z) {
    return switch (op) {
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
      case EXP -> Math.exp(x);
      case EXPM1 -> Math.expm1(x);
      case LOG -> Math.log(x);
      case LOG1P -> Math.log1p(x);
      case SQRT -> Math.sqrt(x);
      case RSQRT -> 1 / Math.sqrt(x);
      case SQUARE -> x * x;
      case RECIPROCAL -> 1 / x;
      case SIN -> Math.sin(x);
      case COS -> Math.cos(x);
      case TAN -> Math.tan(x);
      case TANH -> Math.tanh(x);
      case SIGMOID -> sigmoid(x);
      case RELU -> relu(x);
      case SOFTPLUS -> softplus(x);
      case ERF -> erf(x);
      case DETACH, CAST -> x;
      case SUM,
          MEAN,
          AMAX,
          AMIN,
          LOGSUMEXP,
          RESHAPE,
          TRANSPOSE,
          PERMUTE,
          UNSQUEEZE,
          SQUEEZE,
          EXPAND,
          BROADCAST,
          SUM_TO,
          MATMUL,
          SOFTMAX,
          LOG_SOFTMAX,
          ONE_HOT,
          NUMEL ->
          throw new IllegalArgumentException(op.mnemonic() + " is not elementwise");
    };
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

  /** {@code 1 / (1 + exp(-x))}. */
  public static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /** PyTorch's softplus with beta 1 and threshold 20. */
  public static double softplus(double x) {
    return x > 20 ? x : Math.log1p(Math.exp(x));
  }

  private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;

  /**
   * The error function. Below 2.5 in magnitude it sums {@code exp(-x^2)} times a series of positive
   * terms, which has no cancellation; above, it evaluates the continued fraction of {@code erfc}.
   */
  public static double erf(double x) {
    double a = Math.abs(x);
    if (!(a < 6)) {
      return Double.isNaN(x) ? x : Math.copySign(1, x);
    }
    double r;
    if (a < 2.5) {
      // erf(a) = 2/sqrt(pi) * exp(-a^2) * sum_n (2a^2)^n a / (1*3*...*(2n+1))
      double a2 = 2 * a * a;
      double term = a;
      double sum = a;
      for (int n = 1; n < 200 && term > sum * 1e-17; n++) {
        term *= a2 / (2 * n + 1);
        sum += term;
      }
      r = TWO_OVER_SQRT_PI * Math.exp(-a * a) * sum;
    } else {
      // erfc(a) = exp(-a^2)/sqrt(pi) / (a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))), from the tail
      double f = a;
      for (int k = 60; k >= 1; k--) {
        f = a + (k * 0.5) / f;
      }
      r = 1 - Math.exp(-a * a) / (1.7724538509055159 * f);
    }
    return Math.copySign(r, x);
  }
}
