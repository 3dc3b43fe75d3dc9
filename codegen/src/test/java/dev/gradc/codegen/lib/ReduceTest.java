package dev.gradc.codegen.lib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.codegen.lib.vector.ReduceVector;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Reduce} follows its documented order (16 lanes from the range's start, then the halving
 * tree), {@link ReduceVector} gives the same bits for every length and offset, and the error stays
 * within the documented bound.
 */
class ReduceTest {
  @Test
  void sumF64_everyLengthAndOffset_followsTheOrderInBothForms() {
    SplittableRandom rnd = new SplittableRandom(1);
    for (int n = 0; n <= 300; n++) {
      int from = rnd.nextInt(20);
      double[] x = wideRange(rnd, from + n + rnd.nextInt(20));
      double want = byDefinition(x, from, from + n);
      assertBits(want, Reduce.sumF64(x, from, from + n), "scalar n=" + n);
      assertBits(want, ReduceVector.sumF64(x, from, from + n), "vector n=" + n);
    }
  }

  @Test
  void sumF32_everyLengthAndOffset_followsTheOrderInBothForms() {
    SplittableRandom rnd = new SplittableRandom(2);
    for (int n = 0; n <= 300; n++) {
      int from = rnd.nextInt(20);
      float[] x = new float[from + n + rnd.nextInt(20)];
      double[] widened = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) (rnd.nextDouble(-1, 1) * Math.pow(2, rnd.nextInt(-30, 30)));
        widened[i] = x[i];
      }
      double want = byDefinition(widened, from, from + n);
      assertBits(want, Reduce.sumF32(x, from, from + n), "scalar n=" + n);
      assertBits(want, ReduceVector.sumF32(x, from, from + n), "vector n=" + n);
    }
  }

  @Test
  void dot_everyLength_roundsEachProductThenFollowsTheOrder() {
    SplittableRandom rnd = new SplittableRandom(3);
    for (int n = 0; n <= 100; n++) {
      double[] x = wideRange(rnd, n + 3);
      double[] y = wideRange(rnd, n + 5);
      double[] products = new double[n];
      float[] x32 = new float[n + 3];
      float[] y32 = new float[n + 5];
      double[] products32 = new double[n];
      for (int i = 0; i < x32.length; i++) {
        x32[i] = (float) x[i];
      }
      for (int i = 0; i < y32.length; i++) {
        y32[i] = (float) y[i];
      }
      for (int i = 0; i < n; i++) {
        products[i] = x[3 + i] * y[5 + i];
        products32[i] = x32[3 + i] * y32[5 + i];
      }
      double want = byDefinition(products, 0, n);
      assertBits(want, Reduce.dotF64(x, 3, y, 5, n), "scalar n=" + n);
      assertBits(want, ReduceVector.dotF64(x, 3, y, 5, n), "vector n=" + n);
      double want32 = byDefinition(products32, 0, n);
      assertBits(want32, Reduce.dotF32(x32, 3, y32, 5, n), "scalar f32 n=" + n);
      assertBits(want32, ReduceVector.dotF32(x32, 3, y32, 5, n), "vector f32 n=" + n);
    }
  }

  @Test
  void specialValues_sameBitsInBothForms() {
    double[] specials = {
      Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0, Double.MAX_VALUE
    };
    SplittableRandom rnd = new SplittableRandom(4);
    for (int trial = 0; trial < 500; trial++) {
      int n = rnd.nextInt(40);
      double[] x = new double[n];
      for (int i = 0; i < n; i++) {
        x[i] = rnd.nextInt(3) == 0 ? specials[rnd.nextInt(specials.length)] : rnd.nextDouble();
      }
      assertBits(byDefinition(x, 0, n), ReduceVector.sumF64(x, 0, n), "trial " + trial);
      assertBits(byDefinition(x, 0, n), Reduce.sumF64(x, 0, n), "trial " + trial);
    }
    // All -0.0: +0.0, as PyTorch sums (the partials start at +0.0).
    assertBits(0.0, ReduceVector.sumF64(new double[] {-0.0, -0.0, -0.0}, 0, 3), "-0");
  }

  @Test
  void error_withinTheDocumentedBound_andTighterThanOneAccumulator() {
    SplittableRandom rnd = new SplittableRandom(5);
    int n = 1 << 16;
    double worstRatio = 0;
    double sequentialWorse = 0;
    for (int trial = 0; trial < 20; trial++) {
      double[] x = new double[n];
      for (int i = 0; i < n; i++) {
        x[i] = rnd.nextDouble(-1, 1) + 1e-3;
      }
      BigDecimal exact = BigDecimal.ZERO;
      double absSum = 0;
      double sequential = 0;
      for (double v : x) {
        exact = exact.add(new BigDecimal(v));
        absSum += Math.abs(v);
        sequential += v;
      }
      double err = new BigDecimal(Reduce.sumF64(x, 0, n)).subtract(exact).abs().doubleValue();
      double u = Math.ulp(1.0) / 2;
      double j = n / 16.0 + 3;
      double bound = j * u / (1 - j * u) * absSum;
      worstRatio = Math.max(worstRatio, err / bound);
      double errSeq =
          new BigDecimal(sequential).subtract(exact, MathContext.DECIMAL128).abs().doubleValue();
      sequentialWorse += errSeq > err ? 1 : 0;
    }
    assertTrue(worstRatio <= 1, "error over the bound: " + worstRatio);
    assertTrue(sequentialWorse >= 15, "16 lanes are not more accurate: " + sequentialWorse);
  }

  @Test
  void order_isNotTheSequentialOne() {
    // 1 + 2^-53 * 16 in lane 0 versus in order: the lanes keep the small terms together.
    double[] x = new double[17];
    x[0] = 1;
    for (int i = 1; i < 17; i++) {
      x[i] = 0x1p-53;
    }
    double sequential = 0;
    for (double v : x) {
      sequential += v;
    }
    assertEquals(1.0, sequential);
    assertNotEquals(1.0, Reduce.sumF64(x, 0, 17));
  }

  /** The documented order, written out: lane of each element, ascending, then the tree. */
  private static double byDefinition(double[] x, int from, int to) {
    double[] lanes = new double[16];
    for (int i = from; i < to; i++) {
      lanes[(i - from) % 16] += x[i];
    }
    double[] t = lanes;
    for (int half = 8; half >= 1; half /= 2) {
      double[] next = new double[half];
      for (int l = 0; l < half; l++) {
        next[l] = t[l] + t[l + half];
      }
      t = next;
    }
    return t[0];
  }

  private static double[] wideRange(SplittableRandom rnd, int n) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = rnd.nextDouble(-1, 1) * Math.pow(2, rnd.nextInt(-40, 40));
    }
    return x;
  }

  private static void assertBits(double want, double got, String what) {
    assertEquals(Double.doubleToLongBits(want), Double.doubleToLongBits(got), what);
  }
}
