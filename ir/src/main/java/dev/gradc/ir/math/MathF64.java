package dev.gradc.ir.math;

import static dev.gradc.ir.math.Coefficients.*;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * gradc's own elementary functions in f64, built from {@code +}, {@code *}, {@code /}, fused
 * multiply-adds and exact bit operations only (each correctly rounded by IEEE 754), so that they
 * give the same bits on every machine, and a vector form that applies the same operations lane by
 * lane gives the same bits as this scalar one. The JDK's {@code Math.exp}, {@code Math.log}, {@code
 * Math.sin}, ... are intrinsics whose results may differ between machines and JVM modes; these do
 * not.
 *
 * <p>Each function reduces its argument to a short interval, evaluates a polynomial there (Horner's
 * rule with {@code Math.fma}, or Estrin's scheme where a long polynomial would make a long chain:
 * erf's tail; coefficients from {@code tools/math/fit.py}, near-minimax, their own error below
 * 2^-58 of the result) and reconstructs. Accuracy, measured by {@code MathF64Test} against mpmath
 * over dense and random arguments: within 1 ulp of the correctly rounded result ({@code erfc}'s far
 * tail within 2). f32 ops use these kernels and round once, so f32 results are correctly rounded
 * but for rare double roundings (within 1 ulp).
 *
 * <p>Special values follow PyTorch (C99): NaN in, NaN out; {@code exp(-inf) = 0}, {@code log(0) =
 * -inf}, {@code log(x < 0) = NaN}, {@code log1p(-1) = -inf}, {@code expm1(-inf) = -1}, {@code
 * tanh(+-inf) = +-1}, {@code sigmoid(-inf) = 0}, {@code erfc(-inf) = 2}, {@code sin(+-inf) = NaN};
 * odd functions keep the sign of zero. Results underflow gradually (subnormals) and overflow to
 * infinity where the exact value does.
 *
 * <p>Building blocks shared by several functions: the reduction {@code x = k ln2 + r} and the power
 * {@link #scale} (exp, expm1, sigmoid, tanh, erfc), the reduction {@code x = 2^e (1 + f)} and the
 * series of {@code log(1 + f)} (log, log1p), the reduction modulo {@code pi/2} (sin, cos; huge
 * arguments through {@link BigInteger}). New ops build on them ({@code pow} as {@code exp(y log x)}
 * with a double-length log, {@code atan}, ...).
 *
 * <p>Every method is static, uses only its arguments, locals, compile-time constants and {@code
 * java.*}, and has no fields: code generation copies them into generated classes ({@code
 * LibraryCopier}), which keep depending on {@code java.base} only.
 */
public final class MathF64 {
  private MathF64() {}

  /** {@code 2^k} for {@code k} in {@code [-1022, 1023]}. */
  public static double pow2(long k) {
    return Double.longBitsToDouble((k + 1023) << 52);
  }

  /**
   * A small integer ({@code |n| < 2^51}) as a double, through the bits of {@link
   * Coefficients#SHIFT} (vector units convert longs to doubles only with AVX-512).
   */
  public static double integer(long n) {
    return Double.longBitsToDouble(SHIFT_BITS + n) - SHIFT;
  }

  /** {@code p * 2^k} for {@code k} in {@code [-2044, 2046]}, rounded once. */
  public static double scale(double p, long k) {
    long k1 = k >> 1;
    return p * pow2(k1) * pow2(k - k1);
  }

  /** Horner's rule with fused multiply-adds: {@code c0 + c1 y + ... } for the exp kernel. */
  private static double expPoly(double r) {
    double p = EXP9;
    p = Math.fma(p, r, EXP8);
    p = Math.fma(p, r, EXP7);
    p = Math.fma(p, r, EXP6);
    p = Math.fma(p, r, EXP5);
    p = Math.fma(p, r, EXP4);
    p = Math.fma(p, r, EXP3);
    p = Math.fma(p, r, EXP2);
    p = Math.fma(p, r, EXP1);
    return Math.fma(p, r, EXP0);
  }

  /**
   * {@code e^x}, within 1 ulp. {@code x = k ln2 + r + lo} with {@code |r| <= ln2/2} (the product
   * {@code k LN2_HI} is exact, so is {@code r}'s high part; {@code lo} is {@code r}'s rounding
   * error), then {@link #expReduced}.
   */
  public static double exp(double x) {
    double xc = Math.min(Math.max(x, EXP_MIN), EXP_MAX);
    double t = Math.fma(xc, INV_LN2, SHIFT);
    double kd = t - SHIFT;
    double hi = Math.fma(-kd, LN2_HI, xc);
    double r = Math.fma(-kd, LN2_LO, hi);
    return expReduced(r, Math.fma(-kd, LN2_LO, hi - r), t);
  }

  /**
   * {@code g e^(x + tail)} for a {@code tail} below an ulp of {@code x} (the low part of a
   * double-length argument, such as the rounding error of a square: erfc's {@code e^-(a^2)}): the
   * tail joins the reduced argument, summed exactly, and {@code g} multiplies {@code 1 + (e^r - 1)}
   * in one fused multiply-add, so the product is rounded once.
   */
  public static double expTailTimes(double x, double tail, double g) {
    double xc = Math.min(Math.max(x, EXP_MIN), EXP_MAX);
    double t = Math.fma(xc, INV_LN2, SHIFT);
    double kd = t - SHIFT;
    double hi = Math.fma(-kd, LN2_HI, xc);
    double a = Math.fma(-kd, LN2_LO, tail);
    double r = hi + a;
    double u = expm1Reduced(r, twoSumError(hi, a, r));
    return scale(Math.fma(g, u, g), Double.doubleToRawLongBits(t) - SHIFT_BITS);
  }

  /**
   * {@code e^(r + lo) 2^k} for {@code |r| <= ln2/2}, {@code lo} below an ulp of {@code r}, and
   * {@code k} in the low bits of {@code t = k + SHIFT}.
   */
  private static double expReduced(double r, double lo, double t) {
    return scale(1 + expm1Reduced(r, lo), Double.doubleToRawLongBits(t) - SHIFT_BITS);
  }

  /** {@code e^(r + lo) - 1 = r + (r^2 (1/2 + r P(r)) + lo)} for {@code |r| <= ln2/2}. */
  private static double expm1Reduced(double r, double lo) {
    return r + Math.fma(r * r, Math.fma(r, expPoly(r), 0.5), lo);
  }

  /** The polynomial of {@link #expm1}, on {@code |r| <= 0.7}. */
  private static double expm1Poly(double r) {
    double p = EXPM111;
    p = Math.fma(p, r, EXPM110);
    p = Math.fma(p, r, EXPM19);
    p = Math.fma(p, r, EXPM18);
    p = Math.fma(p, r, EXPM17);
    p = Math.fma(p, r, EXPM16);
    p = Math.fma(p, r, EXPM15);
    p = Math.fma(p, r, EXPM14);
    p = Math.fma(p, r, EXPM13);
    p = Math.fma(p, r, EXPM12);
    p = Math.fma(p, r, EXPM11);
    return Math.fma(p, r, EXPM10);
  }

  /**
   * {@code e^x - 1}, within 1 ulp. Below {@code ln2} in magnitude, {@code r = x} and the result is
   * the polynomial {@code q = r + r^2 (1/2 + r P(r))} itself; above, {@code x = k ln2 + r} and
   * {@code e^x - 1 = 2^k q + (2^k - 1)} in one fused multiply-add ({@code 2^k - 1} is exact for
   * {@code |k| <= 53}); for larger {@code k} the {@code -1} or the {@code 2^k} is lost in rounding,
   * and the result is {@code 2^k (1 + q) - 1} or {@code (1 + q) 2^k}.
   */
  public static double expm1(double x) {
    double xc = Math.min(Math.max(x, -40.0), EXP_MAX);
    double t = Math.fma(xc, INV_LN2, SHIFT);
    double kd = Math.abs(xc) <= LN2 ? 0 : t - SHIFT;
    double hi = Math.fma(-kd, LN2_HI, xc);
    double r = Math.fma(-kd, LN2_LO, hi);
    double lo = Math.fma(-kd, LN2_LO, hi - r);
    // r^2 exactly as r2 + r2lo: the term r^2/2 is large next to the result near |x| = ln2.
    double r2 = r * r;
    double r2lo = Math.fma(r, r, -r2);
    double h = Math.fma(r, expm1Poly(r), 0.5);
    double q = r + Math.fma(r2, h, Math.fma(r2lo, h, lo));
    long k = Double.doubleToRawLongBits(kd + SHIFT) - SHIFT_BITS;
    double y;
    if (k < -53) {
      y = Math.fma(pow2(k), 1 + q, -1);
    } else if (k <= 53) {
      double p = pow2(k);
      y = Math.fma(p, q, p - 1);
    } else {
      y = (1 + q) * pow2(k - 1) * 2;
    }
    return x == 0 ? x : y;
  }

  /**
   * The series of {@code log(1 + f)} for {@code f} in {@code [sqrt(1/2) - 1, sqrt(2) - 1]}: with
   * {@code s = f / (2 + f)}, {@code log(1 + f) = 2s + s z U(z)}, {@code z = s^2}, written as {@code
   * f - (f^2/2 - s (f^2/2 + z U(z)))} so that the large terms are exact; {@code e ln2} and {@code
   * c} (a correction of {@code f}) are added in the same expression, smallest first.
   */
  private static double log1pCore(double f, double e, double c) {
    double s = f / (2 + f);
    double z = s * s;
    double u = LOG7;
    u = Math.fma(u, z, LOG6);
    u = Math.fma(u, z, LOG5);
    u = Math.fma(u, z, LOG4);
    u = Math.fma(u, z, LOG3);
    u = Math.fma(u, z, LOG2);
    u = Math.fma(u, z, LOG1);
    u = Math.fma(u, z, LOG0);
    double hfsq = 0.5 * f * f;
    double tail = Math.fma(e, LN2_LO, c);
    return Math.fma(e, LN2_HI, -((hfsq - Math.fma(s, Math.fma(z, u, hfsq), tail)) - f));
  }

  /** {@code log(x)}, within 1 ulp: {@code x = 2^e (1 + f)}, then {@link #log1pCore}. */
  public static double log(double x) {
    boolean subnormal = x < 0x1p-1022;
    long ix = Double.doubleToRawLongBits(subnormal ? x * 0x1p54 : x) - SQRT_HALF_BITS;
    double e = integer((ix >> 52) - (subnormal ? 54 : 0));
    double f = Double.longBitsToDouble((ix & MANTISSA) + SQRT_HALF_BITS) - 1;
    double y = log1pCore(f, e, 0);
    if (!(x > 0)) {
      return x == 0 ? Double.NEGATIVE_INFINITY : Double.NaN;
    }
    return x == Double.POSITIVE_INFINITY ? x : y;
  }

  /**
   * {@code log(1 + x)}, within 1 ulp. Near 0 ({@code 1 + x} within {@code [sqrt(1/2), sqrt(2))}),
   * {@code f = x} exactly; elsewhere {@code u = 1 + x} rounded is split as {@link #log}'s argument,
   * and {@code (x - (u - 1)) / u} (both differences exact) corrects the rounding of {@code u}.
   */
  public static double log1p(double x) {
    double u = 1 + x;
    long iu = Double.doubleToRawLongBits(u) - SQRT_HALF_BITS;
    long e = iu >> 52;
    double f = e == 0 ? x : Double.longBitsToDouble((iu & MANTISSA) + SQRT_HALF_BITS) - 1;
    // u - x is exact from u = 2 on (x <= u <= 2x), u - 1 below it (u/2 <= 1 <= 2u)
    double c = e == 0 ? 0 : (u >= 2 ? 1 - (u - x) : x - (u - 1)) / u;
    double y = log1pCore(f, integer(e), c);
    if (!(x > -1)) {
      return x == -1 ? Double.NEGATIVE_INFINITY : Double.NaN;
    }
    return x == 0 || x == Double.POSITIVE_INFINITY ? x : y;
  }

  /**
   * {@code 1 / (1 + e^-x)}, within 1.5 ulp: {@code u = e^-|x|}, then {@code 1 / (1 + u)} or {@code
   * u / (1 + u)}, the denominator's rounding error {@code d} corrected to first order ({@code n /
   * (den + d) = q - q d / den}).
   */
  public static double sigmoid(double x) {
    double u = exp(-Math.abs(x));
    double den = 1 + u;
    double d = (1 - den) + u;
    double q = (x >= 0 ? 1 : u) / den;
    return Math.fma(-q, d / den, q);
  }

  /**
   * {@code tanh(x)}, within 1 ulp: {@code x + x^3 P(x^2)} below 0.75 in magnitude, else {@code 1 -
   * 2u / (1 + u)} with {@code u = e^-2|x|} (so nothing overflows), signed.
   */
  public static double tanh(double x) {
    double a = Math.abs(x);
    if (a < 0.75) {
      double y = x * x;
      double p = TANH13;
      p = Math.fma(p, y, TANH12);
      p = Math.fma(p, y, TANH11);
      p = Math.fma(p, y, TANH10);
      p = Math.fma(p, y, TANH9);
      p = Math.fma(p, y, TANH8);
      p = Math.fma(p, y, TANH7);
      p = Math.fma(p, y, TANH6);
      p = Math.fma(p, y, TANH5);
      p = Math.fma(p, y, TANH4);
      p = Math.fma(p, y, TANH3);
      p = Math.fma(p, y, TANH2);
      p = Math.fma(p, y, TANH1);
      p = Math.fma(p, y, TANH0);
      return x == 0 ? x : Math.fma(x * y, p, x);
    }
    double u = exp(-2 * a);
    double den = 1 + u;
    double q = (u + u) / den;
    // the denominator's rounding error, corrected to first order as in sigmoid
    return Math.copySign(1 - Math.fma(-q, ((1 - den) + u) / den, q), x);
  }

  /** {@code erf(x) - x} over {@code x} near 0 (|x| < 0.84375), of {@code y = x^2}. */
  private static double erf0(double y) {
    double p = ERF0_11;
    p = Math.fma(p, y, ERF0_10);
    p = Math.fma(p, y, ERF0_9);
    p = Math.fma(p, y, ERF0_8);
    p = Math.fma(p, y, ERF0_7);
    p = Math.fma(p, y, ERF0_6);
    p = Math.fma(p, y, ERF0_5);
    p = Math.fma(p, y, ERF0_4);
    p = Math.fma(p, y, ERF0_3);
    p = Math.fma(p, y, ERF0_2);
    p = Math.fma(p, y, ERF0_1);
    return Math.fma(p, y, ERF0_0);
  }

  /** {@code erf(a) - ERX} for {@code a} in {@code [0.84375, 1.25]}, of {@code s = a - 1}. */
  private static double erf1(double s) {
    double p = ERF1_13;
    p = Math.fma(p, s, ERF1_12);
    p = Math.fma(p, s, ERF1_11);
    p = Math.fma(p, s, ERF1_10);
    p = Math.fma(p, s, ERF1_9);
    p = Math.fma(p, s, ERF1_8);
    p = Math.fma(p, s, ERF1_7);
    p = Math.fma(p, s, ERF1_6);
    p = Math.fma(p, s, ERF1_5);
    p = Math.fma(p, s, ERF1_4);
    p = Math.fma(p, s, ERF1_3);
    p = Math.fma(p, s, ERF1_2);
    p = Math.fma(p, s, ERF1_1);
    return Math.fma(p, s, ERF1_0);
  }

  /**
   * {@code erfc(a) e^(a^2)} for {@code a >= 1.25}: a polynomial in {@code a - c} on three pieces
   * below 6, then {@code P(1/a^2) / a}.
   */
  private static double erfcScaled(double a) {
    double p;
    if (a < 2.25) {
      double s = a - 1.75;
      p = ERFC1_16;
      p = Math.fma(p, s, ERFC1_15);
      p = Math.fma(p, s, ERFC1_14);
      p = Math.fma(p, s, ERFC1_13);
      p = Math.fma(p, s, ERFC1_12);
      p = Math.fma(p, s, ERFC1_11);
      p = Math.fma(p, s, ERFC1_10);
      p = Math.fma(p, s, ERFC1_9);
      p = Math.fma(p, s, ERFC1_8);
      p = Math.fma(p, s, ERFC1_7);
      p = Math.fma(p, s, ERFC1_6);
      p = Math.fma(p, s, ERFC1_5);
      p = Math.fma(p, s, ERFC1_4);
      p = Math.fma(p, s, ERFC1_3);
      p = Math.fma(p, s, ERFC1_2);
      p = Math.fma(p, s, ERFC1_1);
      return Math.fma(p, s, ERFC1_0);
    }
    if (a < 3.5) {
      double s = a - 2.875;
      p = ERFC2_16;
      p = Math.fma(p, s, ERFC2_15);
      p = Math.fma(p, s, ERFC2_14);
      p = Math.fma(p, s, ERFC2_13);
      p = Math.fma(p, s, ERFC2_12);
      p = Math.fma(p, s, ERFC2_11);
      p = Math.fma(p, s, ERFC2_10);
      p = Math.fma(p, s, ERFC2_9);
      p = Math.fma(p, s, ERFC2_8);
      p = Math.fma(p, s, ERFC2_7);
      p = Math.fma(p, s, ERFC2_6);
      p = Math.fma(p, s, ERFC2_5);
      p = Math.fma(p, s, ERFC2_4);
      p = Math.fma(p, s, ERFC2_3);
      p = Math.fma(p, s, ERFC2_2);
      p = Math.fma(p, s, ERFC2_1);
      return Math.fma(p, s, ERFC2_0);
    }
    if (a < 6) {
      double s = a - 4.75;
      p = ERFC3_18;
      p = Math.fma(p, s, ERFC3_17);
      p = Math.fma(p, s, ERFC3_16);
      p = Math.fma(p, s, ERFC3_15);
      p = Math.fma(p, s, ERFC3_14);
      p = Math.fma(p, s, ERFC3_13);
      p = Math.fma(p, s, ERFC3_12);
      p = Math.fma(p, s, ERFC3_11);
      p = Math.fma(p, s, ERFC3_10);
      p = Math.fma(p, s, ERFC3_9);
      p = Math.fma(p, s, ERFC3_8);
      p = Math.fma(p, s, ERFC3_7);
      p = Math.fma(p, s, ERFC3_6);
      p = Math.fma(p, s, ERFC3_5);
      p = Math.fma(p, s, ERFC3_4);
      p = Math.fma(p, s, ERFC3_3);
      p = Math.fma(p, s, ERFC3_2);
      p = Math.fma(p, s, ERFC3_1);
      return Math.fma(p, s, ERFC3_0);
    }
    double s = 1 / (a * a) - 0.0145;
    p = ERFC4_10;
    p = Math.fma(p, s, ERFC4_9);
    p = Math.fma(p, s, ERFC4_8);
    p = Math.fma(p, s, ERFC4_7);
    p = Math.fma(p, s, ERFC4_6);
    p = Math.fma(p, s, ERFC4_5);
    p = Math.fma(p, s, ERFC4_4);
    p = Math.fma(p, s, ERFC4_3);
    p = Math.fma(p, s, ERFC4_2);
    p = Math.fma(p, s, ERFC4_1);
    return Math.fma(p, s, ERFC4_0) / a;
  }

  /**
   * {@code erfc(a)} for {@code a >= 1.25}: {@code e^-(a^2) G(a)}, with {@code a^2} split exactly
   * into a double and its rounding error (passed to {@link #expTailTimes}), and zero from 28 on.
   */
  private static double erfcLarge(double a) {
    double hi = a * a;
    double lo = Math.fma(a, a, -hi);
    double y = expTailTimes(-hi, -lo, erfcScaled(a));
    return a >= 28 ? 0 : y;
  }

  /**
   * {@code c0 + c1 s + ... + c15 s^15} by Estrin's scheme: pairs, then pairs of pairs with {@code
   * s^2}, {@code s^4}, {@code s^8}; a chain of four fused multiply-adds instead of Horner's
   * fifteen.
   */
  private static double estrin15(
      double s,
      double c0,
      double c1,
      double c2,
      double c3,
      double c4,
      double c5,
      double c6,
      double c7,
      double c8,
      double c9,
      double c10,
      double c11,
      double c12,
      double c13,
      double c14,
      double c15) {
    double s2 = s * s;
    double s4 = s2 * s2;
    double q0 = Math.fma(Math.fma(c3, s, c2), s2, Math.fma(c1, s, c0));
    double q1 = Math.fma(Math.fma(c7, s, c6), s2, Math.fma(c5, s, c4));
    double q2 = Math.fma(Math.fma(c11, s, c10), s2, Math.fma(c9, s, c8));
    double q3 = Math.fma(Math.fma(c15, s, c14), s2, Math.fma(c13, s, c12));
    return Math.fma(Math.fma(q3, s4, q2), s4 * s4, Math.fma(q1, s4, q0));
  }

  /**
   * {@code erfc(a)} to an ulp of 1 (not of itself) for {@code a} in {@code [1.25, 5.9375)}, which
   * is all {@code erf} needs: a polynomial of degree 15 in {@code a - c} on six pieces, with no
   * exponential.
   */
  private static double erfTail(double a) {
    // two halves, each small enough for C2 to inline into erf (one method of all six pieces,
    // 382 bytes of bytecode, is past FreqInlineSize: a call per argument beyond 1.25)
    return a < 2.875 ? erfTailLow(a) : erfTailHigh(a);
  }

  /** {@link #erfTail} below 2.875. */
  private static double erfTailLow(double a) {
    if (a < 1.75) {
      return estrin15(
          a - 1.5, ERFT1_0, ERFT1_1, ERFT1_2, ERFT1_3, ERFT1_4, ERFT1_5, ERFT1_6, ERFT1_7, ERFT1_8,
          ERFT1_9, ERFT1_10, ERFT1_11, ERFT1_12, ERFT1_13, ERFT1_14, ERFT1_15);
    }
    if (a < 2.25) {
      return estrin15(
          a - 2.0, ERFT2_0, ERFT2_1, ERFT2_2, ERFT2_3, ERFT2_4, ERFT2_5, ERFT2_6, ERFT2_7, ERFT2_8,
          ERFT2_9, ERFT2_10, ERFT2_11, ERFT2_12, ERFT2_13, ERFT2_14, ERFT2_15);
    }
    return estrin15(
        a - 2.5625,
        ERFT3_0,
        ERFT3_1,
        ERFT3_2,
        ERFT3_3,
        ERFT3_4,
        ERFT3_5,
        ERFT3_6,
        ERFT3_7,
        ERFT3_8,
        ERFT3_9,
        ERFT3_10,
        ERFT3_11,
        ERFT3_12,
        ERFT3_13,
        ERFT3_14,
        ERFT3_15);
  }

  /** {@link #erfTail} from 2.875 on. */
  private static double erfTailHigh(double a) {
    if (a < 3.5) {
      return estrin15(
          a - 3.1875,
          ERFT4_0,
          ERFT4_1,
          ERFT4_2,
          ERFT4_3,
          ERFT4_4,
          ERFT4_5,
          ERFT4_6,
          ERFT4_7,
          ERFT4_8,
          ERFT4_9,
          ERFT4_10,
          ERFT4_11,
          ERFT4_12,
          ERFT4_13,
          ERFT4_14,
          ERFT4_15);
    }
    if (a < 4.5) {
      return estrin15(
          a - 4.0, ERFT5_0, ERFT5_1, ERFT5_2, ERFT5_3, ERFT5_4, ERFT5_5, ERFT5_6, ERFT5_7, ERFT5_8,
          ERFT5_9, ERFT5_10, ERFT5_11, ERFT5_12, ERFT5_13, ERFT5_14, ERFT5_15);
    }
    return estrin15(
        a - 5.21875,
        ERFT6_0,
        ERFT6_1,
        ERFT6_2,
        ERFT6_3,
        ERFT6_4,
        ERFT6_5,
        ERFT6_6,
        ERFT6_7,
        ERFT6_8,
        ERFT6_9,
        ERFT6_10,
        ERFT6_11,
        ERFT6_12,
        ERFT6_13,
        ERFT6_14,
        ERFT6_15);
  }

  /**
   * The error function, within 1 ulp: {@code x + x P(x^2)} near 0, {@code ERX + Q(a - 1)} (ERX
   * short, so the sum is exact-ish) up to 1.25, {@code 1 - T(a)} ({@link #erfTail}) up to 5.9375,
   * where erf has rounded to 1 already, then {@code +-1}.
   */
  public static double erf(double x) {
    double a = Math.abs(x);
    if (a < 0.84375) {
      return x == 0 ? x : Math.fma(x, erf0(x * x), x);
    }
    if (a < 1.25) {
      return Math.copySign(ERX + erf1(a - 1), x);
    }
    if (a >= 5.9375) {
      return Math.copySign(1.0, x);
    }
    return Math.copySign(1 - erfTail(a), x);
  }

  /**
   * The complementary error function {@code 1 - erf(x)}, within 1 ulp (2 in the far tail, where the
   * result is below 2^-50): near 0 from {@link #erf}'s polynomial ({@code 0.5 - ((x - 0.5) + x P)}
   * from 1/4 on, so the large terms cancel exactly), {@code (1 - ERX) - Q(a - 1)} up to 1.25,
   * {@code e^-(a^2) G(a)} beyond, and {@code 2 - erfc(-x)} for negative {@code x}.
   */
  public static double erfc(double x) {
    double a = Math.abs(x);
    if (a < 0.84375) {
      double r = x * erf0(x * x);
      return x < 0.25 ? 1 - (x + r) : 0.5 - ((x - 0.5) + r);
    }
    if (a < 1.25) {
      double q = erf1(a - 1);
      return x > 0 ? (1 - ERX) - q : 1 + (ERX + q);
    }
    double c = erfcLarge(a);
    return x > 0 || Double.isNaN(x) ? c : 2 - c;
  }

  /** {@code sin(x)}, within 1 ulp: see {@link #sinCos}. */
  public static double sin(double x) {
    return sinCos(x, 0);
  }

  /** {@code cos(x)}, within 1 ulp: see {@link #sinCos}. */
  public static double cos(double x) {
    return sinCos(x, 1);
  }

  /**
   * {@code sin(x)} ({@code shift} 0) or {@code cos(x) = sin(x + pi/2)} ({@code shift} 1). {@code x
   * = k pi/2 + r}, {@code r} a double-length {@code rh + rl} with {@code |r| <= pi/4}: below 2^20
   * pi/2 in magnitude with {@code pi/2} in four parts (three of 33 bits, so {@code k} times each is
   * exact, summed with exact two-sums); beyond, exactly with {@link BigInteger} ({@link
   * #reduceHuge}). Then {@code sin} or {@code cos} of {@code r} by quadrant {@code k + shift}.
   */
  private static double sinCos(double x, int shift) {
    double rh;
    double rl;
    long k;
    double a = Math.abs(x);
    if (a <= PI_4) {
      rh = x;
      rl = 0;
      k = 0;
    } else if (a < HUGE || !Double.isFinite(a)) {
      double t = Math.fma(x, TWO_OVER_PI, SHIFT);
      double kd = t - SHIFT;
      k = Double.doubleToRawLongBits(t) - SHIFT_BITS;
      double r1 = Math.fma(-kd, PIO2_1, x);
      double w2 = -kd * PIO2_2;
      double s2 = r1 + w2;
      double e2 = twoSumError(r1, w2, s2);
      double w3 = -kd * PIO2_3;
      double s3 = s2 + w3;
      double e3 = twoSumError(s2, w3, s3);
      double tail = Math.fma(-kd, PIO2_4, e2 + e3);
      rh = s3 + tail;
      rl = twoSumError(s3, tail, rh);
    } else {
      double[] r = reduceHuge(x);
      k = (long) r[0];
      rh = r[1];
      rl = r[2];
    }
    double y = sinCosReduced(rh, rl, k + shift);
    return x == 0 && shift == 0 ? x : y;
  }

  /** The rounding error of {@code s = a + b} (Knuth's two-sum: exact, for any magnitudes). */
  private static double twoSumError(double a, double b, double s) {
    double bv = s - a;
    return (a - (s - bv)) + (b - bv);
  }

  /**
   * {@code sin(r + q pi/2)} for {@code r = rh + rl}, {@code |r| <= pi/4}: quadrant {@code q mod 4}
   * picks {@code sin r}, {@code cos r} and the sign. {@code sin r = rh + (rh^3 S(rh^2) + rl (1 -
   * rh^2/2))}; {@code cos r = w + ((1 - w) - rh^2/2 + (rh^4 C(rh^2) - rh rl))}, {@code w = 1 -
   * rh^2/2} (its rounding error kept).
   */
  public static double sinCosReduced(double rh, double rl, long q) {
    double z = rh * rh;
    double s = SIN6;
    s = Math.fma(s, z, SIN5);
    s = Math.fma(s, z, SIN4);
    s = Math.fma(s, z, SIN3);
    s = Math.fma(s, z, SIN2);
    s = Math.fma(s, z, SIN1);
    s = Math.fma(s, z, SIN0);
    double sin = rh + Math.fma(rh * z, s, Math.fma(-0.5 * z, rl, rl));
    double c = COS5;
    c = Math.fma(c, z, COS4);
    c = Math.fma(c, z, COS3);
    c = Math.fma(c, z, COS2);
    c = Math.fma(c, z, COS1);
    c = Math.fma(c, z, COS0);
    double hz = 0.5 * z;
    double w = 1 - hz;
    double cos = w + (((1 - w) - hz) + Math.fma(z * z, c, -rh * rl));
    int quadrant = (int) (q & 3);
    double v = (quadrant & 1) == 0 ? sin : cos;
    return quadrant >= 2 ? -v : v;
  }

  /**
   * Payne and Hanek's reduction, exactly, for finite {@code |x| >= 2^20 pi/2} (rare, and slower):
   * with {@code |x| = m 2^e}, {@code |x| 2/pi mod 4} takes only the bits of 2/pi ({@link
   * BigInteger}, to 2^-1280) below {@code 2^(2 - e)}; its 128 bits after the binary point give
   * {@code k} (rounded) and {@code f = |x| 2/pi - k} in {@code [-1/2, 1/2]} as two doubles, and
   * {@code r = f pi/2} in double-length arithmetic. Returns {@code {k, rh, rl}}.
   */
  public static double[] reduceHuge(double x) {
    long bits = Double.doubleToRawLongBits(x);
    long m = (bits & MANTISSA) | (1L << 52);
    int e = (int) ((bits >>> 52) & 0x7ff) - 1075;
    int keep = 1282 - e;
    BigInteger low = BigInteger.ONE.shiftLeft(keep).subtract(BigInteger.ONE);
    BigInteger y =
        new BigInteger(TWO_OVER_PI_BITS, 16).and(low).multiply(BigInteger.valueOf(m)).and(low);
    BigInteger f = y.shiftRight(keep - 130);
    long k = f.add(BigInteger.ONE.shiftLeft(127)).shiftRight(128).longValue();
    BigInteger frac = f.subtract(BigInteger.valueOf(k).shiftLeft(128));
    double fh = frac.doubleValue();
    double fl = frac.subtract(new BigDecimal(fh).toBigInteger()).doubleValue();
    fh *= 0x1p-128;
    fl *= 0x1p-128;
    double ph = fh * PIO2_HI;
    double pl = Math.fma(fh, PIO2_HI, -ph) + Math.fma(fh, PIO2_LO, fl * PIO2_HI);
    double rh = ph + pl;
    double rl = twoSumError(ph, pl, rh);
    return x < 0 ? new double[] {-k, -rh, -rl} : new double[] {k, rh, rl};
  }

  // The Horner chains above are written out, one line a named coefficient, rather than looped over
  // an array: the coefficients stay compile-time constants, so a method copied into a generated
  // class needs no array field and C2 sees a straight chain of fused multiply-adds. (This note
  // stands last so that the copied methods keep their line numbers.)
}
