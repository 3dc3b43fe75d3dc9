package dev.gradc.ir.math;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gradc.ir.ScalarMath;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link ScalarMath}'s comparisons without branches give Java's operators on every pair drawn from
 * the special doubles (zeros, subnormals, the largest finite, infinities, NaNs with other payloads)
 * and their neighbours, and on random pairs; the long forms on the extremes and random longs.
 */
class BranchFreeComparisonTest {
  private static List<Double> doubles() {
    double[] special = {
      0.0,
      -0.0,
      Double.MIN_VALUE,
      -Double.MIN_VALUE,
      Double.MIN_NORMAL,
      -Double.MIN_NORMAL,
      1.0,
      -1.0,
      0.5,
      Double.MAX_VALUE,
      -Double.MAX_VALUE,
      Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY,
      Double.NaN,
      Double.longBitsToDouble(0x7ff0000000000001L),
      Double.longBitsToDouble(0xfff8000000000000L),
      Double.longBitsToDouble(0xffffffffffffffffL),
      1e308,
      -1e308,
      3.0,
      20.0
    };
    List<Double> out = new ArrayList<>();
    for (double d : special) {
      out.add(d);
      out.add(Math.nextUp(d));
      out.add(Math.nextDown(d));
    }
    SplittableRandom r = new SplittableRandom(16);
    for (int i = 0; i < 60; i++) {
      out.add(Double.longBitsToDouble(r.nextLong()));
      out.add(r.nextDouble(-4, 4));
    }
    return out;
  }

  private static double of(boolean b) {
    return b ? 1 : 0;
  }

  @Test
  void doubleComparisonsAreJavasOperators() {
    List<Double> values = doubles();
    for (double a : values) {
      for (double b : values) {
        String at = a + " vs " + b;
        assertEquals(of(a > b), ScalarMath.gt(a, b), at);
        assertEquals(of(a >= b), ScalarMath.ge(a, b), at);
        assertEquals(of(a == b), ScalarMath.eq(a, b), at);
        assertEquals(of(a != b), ScalarMath.ne(a, b), at);
        assertEquals(of(a < b), ScalarMath.gt(b, a), at);
        assertEquals(of(a <= b), ScalarMath.ge(b, a), at);
      }
      assertEquals(a > 0 ? 1.0 : a < 0 ? -1.0 : 0.0, ScalarMath.sign(a), "sign " + a);
      assertEquals(
          Double.doubleToRawLongBits(a <= 0 ? 0.0 : a),
          Double.doubleToRawLongBits(ScalarMath.relu(a)),
          "relu " + a);
    }
  }

  @Test
  void floatComparisonsWidenedAreTheFloatOperators() {
    SplittableRandom r = new SplittableRandom(32);
    float[] special = {
      0f,
      -0f,
      Float.MIN_VALUE,
      Float.MAX_VALUE,
      Float.POSITIVE_INFINITY,
      Float.NEGATIVE_INFINITY,
      Float.NaN,
      1f,
      -1f
    };
    List<Float> values = new ArrayList<>();
    for (float f : special) {
      values.add(f);
      values.add(Math.nextUp(f));
      values.add(Math.nextDown(f));
    }
    for (int i = 0; i < 40; i++) {
      values.add(Float.intBitsToFloat(r.nextInt()));
    }
    for (float a : values) {
      for (float b : values) {
        String at = a + " vs " + b;
        assertEquals(of(a > b), ScalarMath.gt(a, b), at);
        assertEquals(of(a >= b), ScalarMath.ge(a, b), at);
        assertEquals(of(a == b), ScalarMath.eq(a, b), at);
        assertEquals(of(a != b), ScalarMath.ne(a, b), at);
      }
    }
  }

  @Test
  void longComparisonsAreJavasOperators() {
    long[] special = {
      0,
      1,
      -1,
      2,
      -2,
      Long.MAX_VALUE,
      Long.MIN_VALUE,
      Long.MAX_VALUE - 1,
      Long.MIN_VALUE + 1,
      1L << 53,
      -(1L << 53)
    };
    List<Long> values = new ArrayList<>();
    for (long v : special) {
      values.add(v);
    }
    SplittableRandom r = new SplittableRandom(64);
    for (int i = 0; i < 60; i++) {
      values.add(r.nextLong());
      values.add(r.nextLong(-5, 5));
    }
    for (long a : values) {
      for (long b : values) {
        String at = a + " vs " + b;
        assertEquals(of(a < b), ScalarMath.lt(a, b), at);
        assertEquals(of(a <= b), ScalarMath.le(a, b), at);
        assertEquals(of(a == b), ScalarMath.eq(a, b), at);
        assertEquals(of(a != b), ScalarMath.ne(a, b), at);
      }
    }
  }
}
