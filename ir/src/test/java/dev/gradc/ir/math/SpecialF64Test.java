package dev.gradc.ir.math;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link SpecialF64}'s accuracy against mpmath ({@code tools/math/reference.py} wrote the reference
 * values, as for {@link MathF64Test}), in f64 and for f32 arguments rounded once, and PyTorch
 * 1.13's values at poles and edges. On the negative axis, where the functions cross zero between
 * the poles and their reflections cancel, the error is measured in ulps of {@code max(|f(x)|, 1)}
 * (of polygamma's largest term).
 */
class SpecialF64Test {
  static DoubleUnaryOperator function(String name) {
    return switch (name) {
      case "lgamma" -> SpecialF64::lgamma;
      case "digamma" -> SpecialF64::digamma;
      case "erfinv" -> SpecialF64::erfinv;
      case "polygamma1" -> x -> SpecialF64.polygamma(1, x);
      case "polygamma2" -> x -> SpecialF64.polygamma(2, x);
      case "polygamma3" -> x -> SpecialF64.polygamma(3, x);
      case "polygamma4" -> x -> SpecialF64.polygamma(4, x);
      default -> throw new IllegalArgumentException(name);
    };
  }

  /**
   * The error in ulps of the result; for negative arguments, in ulps of {@code max(|result|, 1)},
   * and for polygamma of the largest term of its series, {@code n! / d^(n+1)} with {@code d} the
   * distance to the nearest pole.
   */
  private static double error(String name, double got, MathF64Test.Ref ref) {
    double x = ref.x();
    if (x >= 0) {
      return MathF64Test.ulps(got, ref);
    }
    double scale = Math.max(Math.abs(ref.y()), 1);
    if (name.startsWith("polygamma")) {
      int n = name.charAt(name.length() - 1) - '0';
      double d = Math.abs(x - Math.rint(x));
      double f = 1;
      for (int k = 2; k <= n; k++) {
        f *= k;
      }
      scale = Math.max(scale, f / Math.pow(d, n + 1));
    }
    double exact = ref.y() + ref.err() * Math.ulp(ref.y());
    return Math.abs(got - exact) / Math.ulp(scale);
  }

  @ParameterizedTest(name = "{0} within {1} ulp")
  @CsvSource({
    "lgamma, 4",
    "digamma, 7",
    "erfinv, 2.5",
    "polygamma1, 8",
    "polygamma2, 8",
    "polygamma3, 8",
    "polygamma4, 8"
  })
  void f64_withinBoundOfMpmath(String name, double bound) throws IOException {
    DoubleUnaryOperator f = function(name);
    MathF64Test.assertWorst(
        name, MathF64Test.table(name), ref -> error(name, f.applyAsDouble(ref.x()), ref), bound);
  }

  @ParameterizedTest(name = "{0} in f32 within 1 ulp")
  @CsvSource({
    "lgamma",
    "digamma",
    "erfinv",
    "polygamma1",
    "polygamma2",
    "polygamma3",
    "polygamma4"
  })
  void f32_roundedOnce_withinAnUlpOfMpmath(String name) throws IOException {
    DoubleUnaryOperator f = function(name);
    // for negative arguments, in ulps of max(|result|, 1), as in f64
    MathF64Test.assertWorst(
        name + " in f32",
        MathF64Test.table(name + "_f32"),
        ref -> MathF64Test.f32Ulps((float) f.applyAsDouble(ref.x()), ref, ref.x() < 0 ? 1f : 0f),
        1);
  }

  @Test
  void specialValues_followPyTorch() {
    double nan = Double.NaN;
    double inf = Double.POSITIVE_INFINITY;
    for (double x : new double[] {0.0, -0.0, -1, -2, -1e300, inf, -inf}) {
      assertBits(inf, SpecialF64.lgamma(x), "lgamma(" + x + ")");
    }
    assertBits(nan, SpecialF64.lgamma(nan), "lgamma(NaN)");
    assertBits(0.0, SpecialF64.lgamma(1), "lgamma(1)");
    assertBits(0.0, SpecialF64.lgamma(2), "lgamma(2)");
    assertBits(-inf, SpecialF64.digamma(0.0), "digamma(0)");
    assertBits(inf, SpecialF64.digamma(-0.0), "digamma(-0)");
    assertBits(nan, SpecialF64.digamma(-1), "digamma(-1)");
    assertBits(nan, SpecialF64.digamma(-inf), "digamma(-inf)");
    assertBits(inf, SpecialF64.digamma(inf), "digamma(inf)");
    assertBits(-0.5772156649015329, SpecialF64.digamma(1), "digamma(1)");
    assertBits(inf, SpecialF64.polygamma(1, 0), "trigamma(0)");
    // PyTorch's reflection at the negative integers, as torch.polygamma(1, -1.0) printed it
    assertBits(6.580790147320947e+32, SpecialF64.polygamma(1, -1), "trigamma(-1)");
    assertBits(1.6451975368302367e+32, SpecialF64.polygamma(1, -2), "trigamma(-2)");
    assertBits(0.0, SpecialF64.polygamma(1, inf), "trigamma(inf)");
    assertBits(nan, SpecialF64.polygamma(1, -inf), "trigamma(-inf)");
    assertBits(1e-308, SpecialF64.polygamma(1, 1e308), "trigamma(1e308)");
    assertBits(-inf, SpecialF64.polygamma(2, 0), "polygamma(2, 0)");
    assertBits(-inf, SpecialF64.polygamma(2, -3), "polygamma(2, -3)");
    assertBits(inf, SpecialF64.polygamma(3, -inf), "polygamma(3, -inf)");
    assertBits(nan, SpecialF64.polygamma(2, inf), "polygamma(2, inf)");
    assertBits(-0.0, SpecialF64.polygamma(2, 1e308), "polygamma(2, 1e308)");
    assertBits(0.0, SpecialF64.polygamma(3, 1e308), "polygamma(3, 1e308)");
    assertBits(nan, SpecialF64.polygamma(2, nan), "polygamma(2, NaN)");
    assertBits(nan, SpecialF64.polygamma(-1, 1), "polygamma(-1, 1)");
    assertBits(nan, SpecialF64.polygamma(1.5, 1), "polygamma(1.5, 1)");
    assertBits(inf, SpecialF64.erfinv(1), "erfinv(1)");
    assertBits(-inf, SpecialF64.erfinv(-1), "erfinv(-1)");
    assertBits(-0.0, SpecialF64.erfinv(-0.0), "erfinv(-0)");
    assertBits(nan, SpecialF64.erfinv(1.5), "erfinv(1.5)");
    assertBits(nan, SpecialF64.erfinv(-inf), "erfinv(-inf)");
    assertBits(nan, SpecialF64.erfinv(nan), "erfinv(NaN)");
  }

  private static void assertBits(double want, double got, String what) {
    assertEquals(Double.doubleToLongBits(want), Double.doubleToLongBits(got), what);
  }
}
