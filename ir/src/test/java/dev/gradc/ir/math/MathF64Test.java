package dev.gradc.ir.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link MathF64}'s accuracy against mpmath ({@code tools/math/reference.py} wrote the reference
 * values: dense grids, every piece boundary and its neighbours, log-uniform random arguments over
 * the whole domain, subnormal and huge ones), in f64 and for f32 arguments rounded once; against
 * the JDK's fdlibm ({@code StrictMath}) on 200,000 random arguments each; and PyTorch's special
 * values.
 */
public class MathF64Test {
  /** One reference point: the argument, the correctly rounded result and its error in ulps. */
  record Ref(double x, double y, double err) {}

  static List<Ref> table(String name) throws IOException {
    List<Ref> out = new ArrayList<>();
    try (InputStream in = MathF64Test.class.getResourceAsStream("/math/" + name + ".txt");
        BufferedReader r =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        String[] f = line.split(" ", -1);
        out.add(
            new Ref(
                Double.longBitsToDouble(Long.parseUnsignedLong(f[0], 16)),
                Double.longBitsToDouble(Long.parseUnsignedLong(f[1], 16)),
                Double.parseDouble(f[2])));
      }
    }
    return out;
  }

  /** The scalar function of that name (also for the vector forms' tests in codegen). */
  public static DoubleUnaryOperator function(String name) {
    return switch (name) {
      case "exp" -> MathF64::exp;
      case "expm1" -> MathF64::expm1;
      case "log" -> MathF64::log;
      case "log1p" -> MathF64::log1p;
      case "sigmoid" -> MathF64::sigmoid;
      case "tanh" -> MathF64::tanh;
      case "erf" -> MathF64::erf;
      case "erfc" -> MathF64::erfc;
      case "sin" -> MathF64::sin;
      case "cos" -> MathF64::cos;
      default -> throw new IllegalArgumentException(name);
    };
  }

  /** The error of {@code got} in ulps of the correctly rounded result. */
  static double ulps(double got, Ref ref) {
    return Math.abs((got - ref.y()) / Math.ulp(ref.y()) - ref.err());
  }

  @ParameterizedTest(name = "{0} within {1} ulp")
  @CsvSource({
    "exp, 1",
    "expm1, 1",
    "log, 1",
    "log1p, 1",
    "sigmoid, 1.5",
    "tanh, 1",
    "erf, 1",
    "erfc, 2",
    "sin, 1",
    "cos, 1"
  })
  void f64_withinBoundOfMpmath(String name, double bound) throws IOException {
    DoubleUnaryOperator f = function(name);
    assertWorst(name, table(name), ref -> ulps(f.applyAsDouble(ref.x()), ref), bound);
  }

  @ParameterizedTest(name = "{0} in f32 within 1 ulp")
  @CsvSource({"exp", "expm1", "log", "log1p", "sigmoid", "tanh", "erf", "erfc", "sin", "cos"})
  void f32_roundedOnce_withinAnUlpOfMpmath(String name) throws IOException {
    DoubleUnaryOperator f = function(name);
    assertWorst(
        name + " in f32",
        table(name + "_f32"),
        ref -> f32Ulps((float) f.applyAsDouble(ref.x()), ref, 0),
        1);
  }

  /**
   * The error of an f32 result in f32 ulps of the exact result rounded to f32, or of {@code
   * minScale} when that is larger; 0 where the rounded result overflows.
   */
  static double f32Ulps(float got, Ref ref, float minScale) {
    double exact = ref.y() + ref.err() * Math.ulp(ref.y());
    float rounded = (float) exact;
    if (Float.isInfinite(rounded)) {
      return 0;
    }
    return Math.abs(got - exact) / Math.ulp(Math.max(Math.abs(rounded), minScale));
  }

  /** Asserts that {@code error} is at most {@code bound} ulp on every point of {@code refs}. */
  static void assertWorst(String what, List<Ref> refs, ToDoubleFunction<Ref> error, double bound) {
    double worst = 0;
    double at = 0;
    for (Ref ref : refs) {
      double e = error.applyAsDouble(ref);
      if (e > worst) {
        worst = e;
        at = ref.x();
      }
    }
    System.out.printf(Locale.ROOT, "%s: at most %.3f ulp (at %s)%n", what, worst, at);
    assertTrue(worst <= bound, what + " is " + worst + " ulp off at " + at);
  }

  @ParameterizedTest(name = "{0} within 2 ulp of fdlibm")
  @CsvSource({"exp", "expm1", "log", "log1p", "tanh", "sin", "cos"})
  void randomArguments_withinTwoUlpOfStrictMath(String name) {
    DoubleUnaryOperator f = function(name);
    DoubleUnaryOperator ref =
        switch (name) {
          case "exp" -> StrictMath::exp;
          case "expm1" -> StrictMath::expm1;
          case "log" -> StrictMath::log;
          case "log1p" -> StrictMath::log1p;
          case "tanh" -> StrictMath::tanh;
          case "sin" -> StrictMath::sin;
          default -> StrictMath::cos;
        };
    SplittableRandom rnd = new SplittableRandom(name.hashCode());
    double worst = 0;
    for (int i = 0; i < 200_000; i++) {
      double x =
          switch (i % 3) {
            case 0 -> rnd.nextDouble(-20, 20);
            case 1 -> Math.pow(2, rnd.nextDouble(-1074, 1024)) * (rnd.nextBoolean() ? 1 : -1);
            default -> rnd.nextDouble(-800, 800);
          };
      double want = ref.applyAsDouble(x);
      double got = f.applyAsDouble(x);
      if (Double.isNaN(want) || Double.isInfinite(want) || want == 0) {
        assertEquals(
            Double.doubleToLongBits(want), Double.doubleToLongBits(got), name + " at " + x);
      } else {
        worst = Math.max(worst, Math.abs(got - want) / Math.ulp(want));
      }
    }
    assertTrue(worst <= 2, name + " is " + worst + " ulp from StrictMath");
  }

  @Test
  void specialValues_followPyTorch() {
    double nan = Double.NaN;
    double inf = Double.POSITIVE_INFINITY;
    for (String name :
        List.of("exp", "expm1", "log", "log1p", "sigmoid", "tanh", "erf", "erfc", "sin", "cos")) {
      assertBits(nan, function(name).applyAsDouble(nan), name + "(NaN)");
    }
    assertBits(inf, MathF64.exp(inf), "exp(inf)");
    assertBits(0.0, MathF64.exp(-inf), "exp(-inf)");
    assertBits(1.0, MathF64.exp(-0.0), "exp(-0)");
    assertBits(inf, MathF64.exp(709.8), "exp(709.8)");
    assertBits(0.0, MathF64.exp(-746), "exp(-746)");
    assertBits(Double.MIN_VALUE, MathF64.exp(-745.1), "exp(-745.1)");
    assertBits(inf, MathF64.expm1(inf), "expm1(inf)");
    assertBits(-1.0, MathF64.expm1(-inf), "expm1(-inf)");
    assertBits(-0.0, MathF64.expm1(-0.0), "expm1(-0)");
    assertBits(-Double.MIN_VALUE, MathF64.expm1(-Double.MIN_VALUE), "expm1(-min)");
    assertBits(Double.NEGATIVE_INFINITY, MathF64.log(0.0), "log(0)");
    assertBits(Double.NEGATIVE_INFINITY, MathF64.log(-0.0), "log(-0)");
    assertBits(nan, MathF64.log(-1), "log(-1)");
    assertBits(nan, MathF64.log(-inf), "log(-inf)");
    assertBits(inf, MathF64.log(inf), "log(inf)");
    assertBits(0.0, MathF64.log(1), "log(1)");
    assertBits(-744.4400719213812, MathF64.log(Double.MIN_VALUE), "log(min)");
    assertBits(Double.NEGATIVE_INFINITY, MathF64.log1p(-1), "log1p(-1)");
    assertBits(nan, MathF64.log1p(-1.5), "log1p(-1.5)");
    assertBits(-0.0, MathF64.log1p(-0.0), "log1p(-0)");
    assertBits(inf, MathF64.log1p(inf), "log1p(inf)");
    assertBits(1.0, MathF64.sigmoid(inf), "sigmoid(inf)");
    assertBits(0.0, MathF64.sigmoid(-inf), "sigmoid(-inf)");
    assertBits(0.5, MathF64.sigmoid(-0.0), "sigmoid(-0)");
    assertBits(1.0, MathF64.tanh(inf), "tanh(inf)");
    assertBits(-1.0, MathF64.tanh(-inf), "tanh(-inf)");
    assertBits(-0.0, MathF64.tanh(-0.0), "tanh(-0)");
    assertBits(1.0, MathF64.erf(inf), "erf(inf)");
    assertBits(-1.0, MathF64.erf(-inf), "erf(-inf)");
    assertBits(-0.0, MathF64.erf(-0.0), "erf(-0)");
    assertBits(0.0, MathF64.erfc(inf), "erfc(inf)");
    assertBits(2.0, MathF64.erfc(-inf), "erfc(-inf)");
    assertBits(1.0, MathF64.erfc(-0.0), "erfc(-0)");
    assertBits(nan, MathF64.sin(inf), "sin(inf)");
    assertBits(nan, MathF64.cos(-inf), "cos(-inf)");
    assertBits(-0.0, MathF64.sin(-0.0), "sin(-0)");
    assertBits(1.0, MathF64.cos(-0.0), "cos(-0)");
    assertBits(Double.MIN_VALUE, MathF64.sin(Double.MIN_VALUE), "sin(min)");
    // The values PyTorch gave for 1e300 (frontend's special_unary_values fixture).
    assertBits(-0.8178819121159085, MathF64.sin(1e300), "sin(1e300)");
    assertBits(-0.5753861119575491, MathF64.cos(1e300), "cos(1e300)");
  }

  private static void assertBits(double want, double got, String what) {
    assertEquals(Double.doubleToLongBits(want), Double.doubleToLongBits(got), what);
  }
}
