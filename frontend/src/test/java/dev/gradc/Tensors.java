package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

/** Test helpers for building and comparing tensors. */
final class Tensors {
  private Tensors() {}

  /** A leaf of the given dtype and shape holding {@code data} in row-major order. */
  static Tensor of(DType dtype, long[] shape, double[] data) {
    Tensor flat = Tensor.tensor(dtype, data);
    if (shape.length == 1) {
      return flat;
    }
    // Copied into a fresh leaf, so that the result is not a view.
    return Tensor.zeros(dtype, shape).copy_(flat.reshape(shape));
  }

  /** Seeded values in {@code [lo, hi)}. */
  static double[] uniform(SplittableRandom r, int n, double lo, double hi) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = lo + (hi - lo) * r.nextDouble();
    }
    return v;
  }

  static void assertClose(double[] expected, double[] actual, double tol, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      double e = expected[i];
      double a = actual[i];
      if (Double.isNaN(e) || Double.isInfinite(e)) {
        assertEquals(e, a, what + "[" + i + "]");
        continue;
      }
      double err = Math.abs(e - a) / Math.max(1, Math.abs(e));
      if (!(err <= tol)) { // a NaN where a number is expected fails too
        assertArrayEquals(expected, actual, tol, what + ": element " + i + " differs");
      }
    }
  }
}
