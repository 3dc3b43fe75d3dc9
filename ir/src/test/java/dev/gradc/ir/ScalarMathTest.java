package dev.gradc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * ScalarMath's own {@code log1p} and {@code expm1} against the JDK's fdlibm ones ({@code
 * StrictMath}, within one ulp of the exact value): at most 2 ulp apart on a million points spread
 * over every binade, and the same special values.
 */
class ScalarMathTest {
  private static final int POINTS = 1_000_000;

  @Test
  void log1p_isWithinTwoUlpOfFdlibm() {
    double worst =
        worstUlp(ScalarMath::log1p, StrictMath::log1p, -1, 1e300, new SplittableRandom(11));
    assertTrue(worst <= 2, "log1p is " + worst + " ulp from StrictMath.log1p");
  }

  @Test
  void expm1_isWithinTwoUlpOfFdlibm() {
    double worst =
        worstUlp(ScalarMath::expm1, StrictMath::expm1, -745, 709.7, new SplittableRandom(12));
    assertTrue(worst <= 2, "expm1 is " + worst + " ulp from StrictMath.expm1");
  }

  @Test
  void log1p_specialValues() {
    for (double x :
        new double[] {
          0.0,
          -0.0,
          Double.MIN_VALUE,
          -Double.MIN_VALUE,
          1e-320,
          1e-17,
          -1e-17,
          1e-16,
          0.5,
          -0.5,
          -1,
          -1.5,
          -Double.MAX_VALUE,
          Double.MAX_VALUE,
          Double.POSITIVE_INFINITY,
          Double.NEGATIVE_INFINITY,
          Double.NaN,
          Math.nextUp(-1.0)
        }) {
      assertWithinAnUlp(StrictMath.log1p(x), ScalarMath.log1p(x), x);
    }
  }

  @Test
  void expm1_specialValues() {
    for (double x :
        new double[] {
          0.0,
          -0.0,
          Double.MIN_VALUE,
          -Double.MIN_VALUE,
          1e-320,
          1e-17,
          -1e-17,
          1e-16,
          0.5,
          -0.5,
          -37,
          -38,
          -40,
          -745,
          -746,
          709,
          709.78,
          710,
          -Double.MAX_VALUE,
          Double.MAX_VALUE,
          Double.POSITIVE_INFINITY,
          Double.NEGATIVE_INFINITY,
          Double.NaN
        }) {
      assertWithinAnUlp(StrictMath.expm1(x), ScalarMath.expm1(x), x);
    }
  }

  /** Within an ulp when finite; infinities, NaN and signed zeros exactly. */
  private static void assertWithinAnUlp(double expected, double actual, double x) {
    if (Double.isFinite(expected) && expected != 0) {
      assertEquals(expected, actual, Math.ulp(expected), "at " + x);
    } else {
      assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(actual), "at " + x);
    }
  }

  /**
   * The largest distance in ulps (of the reference value) over points uniform in {@code [lo, hi]}
   * near zero and log-uniform in magnitude across the range, both signs.
   */
  private static double worstUlp(
      DoubleUnaryOperator f, DoubleUnaryOperator ref, double lo, double hi, SplittableRandom r) {
    double worst = 0;
    for (int i = 0; i < POINTS; i++) {
      double x =
          switch (i % 3) {
            case 0 -> r.nextDouble(Math.max(lo, -2), Math.min(hi, 2));
            case 1 -> Math.pow(10, r.nextDouble(-300, Math.log10(hi)));
            default -> -Math.pow(10, r.nextDouble(-300, Math.log10(-lo)));
          };
      if (x < lo || x > hi) {
        continue;
      }
      double want = ref.applyAsDouble(x);
      double got = f.applyAsDouble(x);
      double ulps = Math.abs(got - want) / Math.ulp(want);
      worst = Math.max(worst, ulps);
    }
    return worst;
  }
}
