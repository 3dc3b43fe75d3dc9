package dev.gradc.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gradc.runtime.Buffers;

/** Comparison of result buffers for the agreement tests. */
final class Results {
  private Results() {}

  /** Every buffer close to the expected one; see {@link #assertClose(Object, Object, String)}. */
  static void assertClose(Object[] expected, Object[] actual, String what) {
    assertEquals(expected.length, actual.length, what + ": result count");
    for (int i = 0; i < expected.length; i++) {
      assertClose(expected[i], actual[i], what + ", result " + i);
    }
  }

  /** Close relative to the largest magnitude of the expected buffer: 1e-10 in f64, 1e-4 in f32. */
  static void assertClose(Object expected, Object actual, String what) {
    int n = Buffers.length(expected);
    assertEquals(n, Buffers.length(actual), what);
    double scale = 0;
    for (int i = 0; i < n; i++) {
      double e = Buffers.get(expected, i);
      if (Double.isFinite(e)) {
        scale = Math.max(scale, Math.abs(e));
      }
    }
    // A tolerance from an infinite scale would accept any number; non-finite values must match.
    double tol = (expected instanceof float[] ? 1e-4 : 1e-10) * Math.max(scale, 1e-30);
    for (int i = 0; i < n; i++) {
      double e = Buffers.get(expected, i);
      assertEquals(e, Buffers.get(actual, i), Double.isFinite(e) ? tol : 0, what + " at " + i);
    }
  }
}
