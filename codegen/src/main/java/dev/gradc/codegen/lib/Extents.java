package dev.gradc.codegen.lib;

/**
 * Sizes, strides and element counts in generated drivers (copied into them; {@code java.base}
 * only). A product too large for an {@code int} is kept as -1 rather than an error: a fused loop
 * over an {@code [N, N]} domain computes the extent {@code N * N} without ever using it. Only a use
 * of the extent (a buffer's length, a loop bound, a count) checks it.
 */
public final class Extents {
  private Extents() {}

  /** {@code a * b} for sizes {@code a} (or -1) and {@code b >= 0}; -1 when it exceeds an int. */
  public static int times(int a, int b) {
    long p = (long) a * b;
    return a < 0 || p > Integer.MAX_VALUE ? -1 : (int) p;
  }

  /** {@code n}, or an {@link IllegalArgumentException} when it is -1 (too large). */
  public static int used(int n) {
    if (n < 0) {
      throw new IllegalArgumentException(
          "a tensor the program needs has more than "
              + Integer.MAX_VALUE
              + " elements, more than a Java array holds");
    }
    return n;
  }
}
