package dev.gradc.ir.math;

import static dev.gradc.ir.math.SpecialCoefficients.*;

/**
 * gradc's own special functions in f64 ({@code lgamma}, {@code digamma}, {@code polygamma}, {@code
 * erfinv}), written as {@link MathF64} is: {@code +}, {@code *}, {@code /}, fused multiply-adds,
 * exact bit operations and {@link MathF64}'s {@code log}, {@code sin} and {@code cos}, so that they
 * give the same bits on every machine. Polynomials from {@code tools/math/special.py}
 * (near-minimax, their own error below 2^-58 of the result); accuracy measured by {@code
 * SpecialF64Test} against mpmath.
 *
 * <p>Values at poles and edges follow PyTorch 1.13: {@code lgamma} is {@code +inf} at the
 * non-positive integers and at {@code +-inf}; {@code digamma(+-0) = -+inf}, NaN at the negative
 * integers and {@code -inf}; {@code polygamma(n, x)} for {@code n >= 2} is {@code (-1)^(n+1) inf}
 * at the non-positive integers and {@code -inf}, NaN at {@code +inf}; {@code polygamma(1, x)} is
 * {@code +inf} at 0, NaN at {@code -inf}, and at the negative integers the large finite value
 * PyTorch's reflection gives ({@code pi^2 / sin(pi x)^2} with {@code sin(pi x)} of the rounded
 * product); {@code erfinv(+-1) = +-inf}, NaN beyond.
 *
 * <p>Every method is static and uses only its arguments and locals, as {@link MathF64}'s: code
 * generation copies them into generated classes. Their names differ from {@link MathF64}'s, which
 * are copied into the same classes.
 */
public final class SpecialF64 {
  private SpecialF64() {}

  /**
   * {@code log|Gamma(x)|}. Positive {@code x}: {@link #lgammaPositive}; negative, the reflection
   * {@code log(pi / |x sin(pi x)|) - lgamma(-x)} (where lgamma is near a zero on the negative axis,
   * within a few ulp of 1 rather than of itself).
   */
  public static double lgamma(double x) {
    if (x > 0 || Double.isNaN(x)) {
      return lgammaPositive(x);
    }
    double a = -x;
    if (x == Math.rint(x)) {
      return Double.POSITIVE_INFINITY;
    }
    if (a < 0x1p-60) {
      return -MathF64.log(a);
    }
    double s = Math.abs(MathF64.sin(Math.PI * (x - Math.rint(x))));
    return MathF64.log(Math.PI / (a * s)) - lgammaPositive(a);
  }

  /**
   * {@code lgamma(x)} for positive {@code x} (and NaN, {@code +inf}): {@code t P1(t)} near 1 and
   * {@code t P2(t)} near 2 ({@code t} exact), shifted down with one log of a product up to 8,
   * {@code -log x} plus the polynomials below 0.75, Stirling's series beyond 8.
   */
  private static double lgammaPositive(double x) {
    if (x < 0.375) {
      return Math.fma(x, lgammaNear1(x), -MathF64.log(x));
    }
    if (x < 0.75) {
      double t = x - 1;
      return Math.fma(t, lgammaNear2(t), -MathF64.log(x));
    }
    if (x < 1.375) {
      double t = x - 1;
      // + 0: lgamma(1) is +0, as PyTorch's
      return t * lgammaNear1(t) + 0.0;
    }
    if (x < 8) {
      double y = x;
      double prod = 1;
      while (y >= 2.75) {
        y -= 1;
        prod *= y;
      }
      double t = y - 2;
      return prod == 1 ? t * lgammaNear2(t) : Math.fma(t, lgammaNear2(t), MathF64.log(prod));
    }
    double z = 1 / x;
    double tail = Math.fma(z, lgammaStirling(z * z), LGAMMA_S0);
    return Math.fma(x - 0.5, MathF64.log(x) - 1, tail);
  }

  /**
   * {@code digamma(x)}: {@code t P(t)} around its positive zero {@code X0} (a double-length
   * constant, so {@code t} keeps its relative precision), shifted there by {@code digamma(x) =
   * digamma(x - 1) + 1/(x - 1)} up to 10, {@code log x - 1/(2x) - y Q(y)} beyond; negative {@code
   * x} by the reflection {@code digamma(-x) - 1/x - pi cot(pi x)}.
   */
  public static double digamma(double x) {
    if (x == 0) {
      return Math.copySign(Double.POSITIVE_INFINITY, -x);
    }
    if (x < 0) {
      if (x == Math.rint(x)) {
        return Double.NaN;
      }
      double r = Math.PI * (x - Math.rint(x));
      double cot = MathF64.cos(r) / MathF64.sin(r);
      return digammaPositive(-x) - 1 / x - Math.PI * cot;
    }
    return digammaPositive(x);
  }

  private static double digammaPositive(double x) {
    if (!(x < 10)) {
      double y = 1 / (x * x);
      return MathF64.log(x) - 0.5 / x - y * digammaAsymptotic(y);
    }
    if (x < 1) {
      double t = (x - DIGAMMA_X0M1) - DIGAMMA_X0M1_LO;
      return t * digammaNearZero(t) - 1 / x;
    }
    double y = x;
    double s = 0;
    while (y >= 2) {
      y -= 1;
      s += 1 / y;
    }
    double t = (y - DIGAMMA_X0) - DIGAMMA_X0_LO;
    return Math.fma(t, digammaNearZero(t), s);
  }

  /**
   * {@code polygamma(n, x)}, the {@code n}-th derivative of digamma, for integer {@code n >= 0}
   * (NaN for other {@code n}): {@link #digamma} for {@code n = 0}, else {@code (-1)^(n+1) n! zeta(n
   * + 1, x)} with Hurwitz's zeta ({@link #hurwitz}); for negative {@code x}, the terms of negative
   * bases summed apart: {@code zeta(s, x) = zeta(s, 1 - v) + (-1)^s (zeta(s, v) - zeta(s, v + J))},
   * {@code v = ceil(x) - x} and {@code J = 1 - ceil(x)} of them.
   */
  public static double polygamma(double n, double x) {
    if (n == 0) {
      return digamma(x);
    }
    if (!(n >= 1) || n != Math.rint(n) || n > 0x1p31) {
      return Double.NaN;
    }
    boolean odd = ((long) n & 1) == 1;
    double sign = odd ? 1 : -1;
    if (x <= 0 && x == Math.rint(x)) {
      if (n == 1) {
        if (x == 0) {
          return Double.POSITIVE_INFINITY;
        }
        // PyTorch's trigamma reflects with pi^2 / sin(pi x)^2, finite at the negative integers
        double s = MathF64.sin(Math.PI * x);
        return x == Double.NEGATIVE_INFINITY ? Double.NaN : Math.PI * Math.PI / (s * s);
      }
      return sign * Double.POSITIVE_INFINITY;
    }
    if (x == Double.POSITIVE_INFINITY) {
      return n == 1 ? 0 : Double.NaN;
    }
    double f = 1;
    for (double k = 2; k <= n; k++) {
      f *= k;
    }
    double s = n + 1;
    double z;
    if (x > 0 || Double.isNaN(x)) {
      z = hurwitz(s, x, n);
    } else {
      double c = Math.ceil(x);
      double v = c - x;
      double neg = hurwitz(s, v, n) - hurwitz(s, v + (1 - c), n);
      z = hurwitz(s, 1 - v, n) + (odd ? neg : -neg);
    }
    return sign * f * z;
  }

  /**
   * Hurwitz's zeta {@code sum over k >= 0 of (q + k)^-s} for {@code s = n + 1}, {@code n >= 1}, and
   * {@code q > 0}: the terms below {@code m = 20 + 2n} summed smallest first onto the
   * Euler-Maclaurin tail from {@code y >= m}: {@code y^-n (1/n + w/2 + sum of B_2j/(2j)! s (s + 1)
   * ... (s + 2j - 2) w^(2j))}, {@code w = 1/y}, twelve terms (below 2^-60 of the tail there).
   */
  private static double hurwitz(double s, double q, double n) {
    double m = 20 + 2 * n;
    double count = q < m ? Math.ceil(m - q) : 0;
    double y = q + count;
    double w = 1 / y;
    double w2 = w * w;
    double rising = s;
    double wp = 1;
    double acc = 0;
    for (int j = 1; j <= 12; j++) {
      acc = Math.fma(bernoulli(j) * rising, wp, acc);
      rising *= (s + 2 * j - 1) * (s + 2 * j);
      wp *= w2;
    }
    double sum = powInt(w, n) * (1 / n + w * Math.fma(w, acc, 0.5));
    for (double k = count - 1; k >= 0; k--) {
      sum += powInt(1 / (q + k), s);
    }
    return sum;
  }

  /** {@code B_2j / (2j)!}, the Bernoulli numbers of the Euler-Maclaurin series. */
  private static double bernoulli(int j) {
    return switch (j) {
      case 1 -> BERNOULLI1;
      case 2 -> BERNOULLI2;
      case 3 -> BERNOULLI3;
      case 4 -> BERNOULLI4;
      case 5 -> BERNOULLI5;
      case 6 -> BERNOULLI6;
      case 7 -> BERNOULLI7;
      case 8 -> BERNOULLI8;
      case 9 -> BERNOULLI9;
      case 10 -> BERNOULLI10;
      case 11 -> BERNOULLI11;
      default -> BERNOULLI12;
    };
  }

  /** {@code b^e} for a whole {@code e >= 1}, by squaring. */
  private static double powInt(double b, double e) {
    long k = (long) e;
    double r = 1;
    double p = b;
    while (k > 0) {
      if ((k & 1) == 1) {
        r *= p;
      }
      k >>= 1;
      if (k > 0) {
        p *= p;
      }
    }
    return r;
  }

  /**
   * The inverse error function: {@code x P(x^2)} up to 0.75 in magnitude, beyond it a polynomial in
   * {@code w = sqrt(-log(1 - |x|))} ({@code 1 - |x|} exact) on four pieces, signed.
   */
  public static double erfinv(double x) {
    double a = Math.abs(x);
    if (a <= 0.75) {
      return x == 0 ? x : x * erfinvNear0(x * x);
    }
    if (!(a < 1)) {
      return a == 1 ? Math.copySign(Double.POSITIVE_INFINITY, x) : Double.NaN;
    }
    double w = Math.sqrt(-MathF64.log(1 - a));
    double r;
    if (w < 2) {
      r = erfinvTail1(w - ERFINV1_C);
    } else if (w < 3) {
      r = erfinvTail2(w - ERFINV2_C);
    } else if (w < 4.25) {
      r = erfinvTail3(w - ERFINV3_C);
    } else {
      r = erfinvTail4(w - ERFINV4_C);
    }
    return Math.copySign(r, x);
  }

  /** {@code lgamma(1 + t) / t} for {@code t} in {@code [-0.25, 0.375]}. */
  private static double lgammaNear1(double t) {
    double p = LGAMMA1_20;
    p = Math.fma(p, t, LGAMMA1_19);
    p = Math.fma(p, t, LGAMMA1_18);
    p = Math.fma(p, t, LGAMMA1_17);
    p = Math.fma(p, t, LGAMMA1_16);
    p = Math.fma(p, t, LGAMMA1_15);
    p = Math.fma(p, t, LGAMMA1_14);
    p = Math.fma(p, t, LGAMMA1_13);
    p = Math.fma(p, t, LGAMMA1_12);
    p = Math.fma(p, t, LGAMMA1_11);
    p = Math.fma(p, t, LGAMMA1_10);
    p = Math.fma(p, t, LGAMMA1_9);
    p = Math.fma(p, t, LGAMMA1_8);
    p = Math.fma(p, t, LGAMMA1_7);
    p = Math.fma(p, t, LGAMMA1_6);
    p = Math.fma(p, t, LGAMMA1_5);
    p = Math.fma(p, t, LGAMMA1_4);
    p = Math.fma(p, t, LGAMMA1_3);
    p = Math.fma(p, t, LGAMMA1_2);
    p = Math.fma(p, t, LGAMMA1_1);
    return Math.fma(p, t, LGAMMA1_0);
  }

  /** {@code lgamma(2 + t) / t} for {@code t} in {@code [-0.625, 0.75]}. */
  private static double lgammaNear2(double t) {
    double p = LGAMMA2_22;
    p = Math.fma(p, t, LGAMMA2_21);
    p = Math.fma(p, t, LGAMMA2_20);
    p = Math.fma(p, t, LGAMMA2_19);
    p = Math.fma(p, t, LGAMMA2_18);
    p = Math.fma(p, t, LGAMMA2_17);
    p = Math.fma(p, t, LGAMMA2_16);
    p = Math.fma(p, t, LGAMMA2_15);
    p = Math.fma(p, t, LGAMMA2_14);
    p = Math.fma(p, t, LGAMMA2_13);
    p = Math.fma(p, t, LGAMMA2_12);
    p = Math.fma(p, t, LGAMMA2_11);
    p = Math.fma(p, t, LGAMMA2_10);
    p = Math.fma(p, t, LGAMMA2_9);
    p = Math.fma(p, t, LGAMMA2_8);
    p = Math.fma(p, t, LGAMMA2_7);
    p = Math.fma(p, t, LGAMMA2_6);
    p = Math.fma(p, t, LGAMMA2_5);
    p = Math.fma(p, t, LGAMMA2_4);
    p = Math.fma(p, t, LGAMMA2_3);
    p = Math.fma(p, t, LGAMMA2_2);
    p = Math.fma(p, t, LGAMMA2_1);
    return Math.fma(p, t, LGAMMA2_0);
  }

  /** Stirling's correction of {@link #lgamma} beyond 8, of {@code t = 1/x^2}. */
  private static double lgammaStirling(double t) {
    double p = LGAMMAS6;
    p = Math.fma(p, t, LGAMMAS5);
    p = Math.fma(p, t, LGAMMAS4);
    p = Math.fma(p, t, LGAMMAS3);
    p = Math.fma(p, t, LGAMMAS2);
    p = Math.fma(p, t, LGAMMAS1);
    return Math.fma(p, t, LGAMMAS0);
  }

  /** {@code digamma(X0 + t) / t} for {@code X0 + t} in {@code [1, 2]}. */
  private static double digammaNearZero(double t) {
    double p = DIGAMMA22;
    p = Math.fma(p, t, DIGAMMA21);
    p = Math.fma(p, t, DIGAMMA20);
    p = Math.fma(p, t, DIGAMMA19);
    p = Math.fma(p, t, DIGAMMA18);
    p = Math.fma(p, t, DIGAMMA17);
    p = Math.fma(p, t, DIGAMMA16);
    p = Math.fma(p, t, DIGAMMA15);
    p = Math.fma(p, t, DIGAMMA14);
    p = Math.fma(p, t, DIGAMMA13);
    p = Math.fma(p, t, DIGAMMA12);
    p = Math.fma(p, t, DIGAMMA11);
    p = Math.fma(p, t, DIGAMMA10);
    p = Math.fma(p, t, DIGAMMA9);
    p = Math.fma(p, t, DIGAMMA8);
    p = Math.fma(p, t, DIGAMMA7);
    p = Math.fma(p, t, DIGAMMA6);
    p = Math.fma(p, t, DIGAMMA5);
    p = Math.fma(p, t, DIGAMMA4);
    p = Math.fma(p, t, DIGAMMA3);
    p = Math.fma(p, t, DIGAMMA2);
    p = Math.fma(p, t, DIGAMMA1);
    return Math.fma(p, t, DIGAMMA0);
  }

  /** {@code (log x - 1/(2x) - digamma(x)) x^2} beyond 10, of {@code t = 1/x^2}. */
  private static double digammaAsymptotic(double t) {
    double p = DIGAMMAS5;
    p = Math.fma(p, t, DIGAMMAS4);
    p = Math.fma(p, t, DIGAMMAS3);
    p = Math.fma(p, t, DIGAMMAS2);
    p = Math.fma(p, t, DIGAMMAS1);
    return Math.fma(p, t, DIGAMMAS0);
  }

  /** {@code erfinv(x) / x} for {@code t = x^2 <= 0.5625}. */
  private static double erfinvNear0(double t) {
    double p = ERFINV0_23;
    p = Math.fma(p, t, ERFINV0_22);
    p = Math.fma(p, t, ERFINV0_21);
    p = Math.fma(p, t, ERFINV0_20);
    p = Math.fma(p, t, ERFINV0_19);
    p = Math.fma(p, t, ERFINV0_18);
    p = Math.fma(p, t, ERFINV0_17);
    p = Math.fma(p, t, ERFINV0_16);
    p = Math.fma(p, t, ERFINV0_15);
    p = Math.fma(p, t, ERFINV0_14);
    p = Math.fma(p, t, ERFINV0_13);
    p = Math.fma(p, t, ERFINV0_12);
    p = Math.fma(p, t, ERFINV0_11);
    p = Math.fma(p, t, ERFINV0_10);
    p = Math.fma(p, t, ERFINV0_9);
    p = Math.fma(p, t, ERFINV0_8);
    p = Math.fma(p, t, ERFINV0_7);
    p = Math.fma(p, t, ERFINV0_6);
    p = Math.fma(p, t, ERFINV0_5);
    p = Math.fma(p, t, ERFINV0_4);
    p = Math.fma(p, t, ERFINV0_3);
    p = Math.fma(p, t, ERFINV0_2);
    p = Math.fma(p, t, ERFINV0_1);
    return Math.fma(p, t, ERFINV0_0);
  }

  /** {@code erfinv(1 - e^-(w^2))} for {@code w} in {@code [1.17, 2]}, of {@code t = w - c}. */
  private static double erfinvTail1(double t) {
    double p = ERFINV1_17;
    p = Math.fma(p, t, ERFINV1_16);
    p = Math.fma(p, t, ERFINV1_15);
    p = Math.fma(p, t, ERFINV1_14);
    p = Math.fma(p, t, ERFINV1_13);
    p = Math.fma(p, t, ERFINV1_12);
    p = Math.fma(p, t, ERFINV1_11);
    p = Math.fma(p, t, ERFINV1_10);
    p = Math.fma(p, t, ERFINV1_9);
    p = Math.fma(p, t, ERFINV1_8);
    p = Math.fma(p, t, ERFINV1_7);
    p = Math.fma(p, t, ERFINV1_6);
    p = Math.fma(p, t, ERFINV1_5);
    p = Math.fma(p, t, ERFINV1_4);
    p = Math.fma(p, t, ERFINV1_3);
    p = Math.fma(p, t, ERFINV1_2);
    p = Math.fma(p, t, ERFINV1_1);
    return Math.fma(p, t, ERFINV1_0);
  }

  /** The same for {@code w} in {@code [2, 3]}. */
  private static double erfinvTail2(double t) {
    double p = ERFINV2_15;
    p = Math.fma(p, t, ERFINV2_14);
    p = Math.fma(p, t, ERFINV2_13);
    p = Math.fma(p, t, ERFINV2_12);
    p = Math.fma(p, t, ERFINV2_11);
    p = Math.fma(p, t, ERFINV2_10);
    p = Math.fma(p, t, ERFINV2_9);
    p = Math.fma(p, t, ERFINV2_8);
    p = Math.fma(p, t, ERFINV2_7);
    p = Math.fma(p, t, ERFINV2_6);
    p = Math.fma(p, t, ERFINV2_5);
    p = Math.fma(p, t, ERFINV2_4);
    p = Math.fma(p, t, ERFINV2_3);
    p = Math.fma(p, t, ERFINV2_2);
    p = Math.fma(p, t, ERFINV2_1);
    return Math.fma(p, t, ERFINV2_0);
  }

  /** The same for {@code w} in {@code [3, 4.25]}. */
  private static double erfinvTail3(double t) {
    double p = ERFINV3_14;
    p = Math.fma(p, t, ERFINV3_13);
    p = Math.fma(p, t, ERFINV3_12);
    p = Math.fma(p, t, ERFINV3_11);
    p = Math.fma(p, t, ERFINV3_10);
    p = Math.fma(p, t, ERFINV3_9);
    p = Math.fma(p, t, ERFINV3_8);
    p = Math.fma(p, t, ERFINV3_7);
    p = Math.fma(p, t, ERFINV3_6);
    p = Math.fma(p, t, ERFINV3_5);
    p = Math.fma(p, t, ERFINV3_4);
    p = Math.fma(p, t, ERFINV3_3);
    p = Math.fma(p, t, ERFINV3_2);
    p = Math.fma(p, t, ERFINV3_1);
    return Math.fma(p, t, ERFINV3_0);
  }

  /** The same for {@code w} in {@code [4.25, 6.07]}. */
  private static double erfinvTail4(double t) {
    double p = ERFINV4_15;
    p = Math.fma(p, t, ERFINV4_14);
    p = Math.fma(p, t, ERFINV4_13);
    p = Math.fma(p, t, ERFINV4_12);
    p = Math.fma(p, t, ERFINV4_11);
    p = Math.fma(p, t, ERFINV4_10);
    p = Math.fma(p, t, ERFINV4_9);
    p = Math.fma(p, t, ERFINV4_8);
    p = Math.fma(p, t, ERFINV4_7);
    p = Math.fma(p, t, ERFINV4_6);
    p = Math.fma(p, t, ERFINV4_5);
    p = Math.fma(p, t, ERFINV4_4);
    p = Math.fma(p, t, ERFINV4_3);
    p = Math.fma(p, t, ERFINV4_2);
    p = Math.fma(p, t, ERFINV4_1);
    return Math.fma(p, t, ERFINV4_0);
  }
}
