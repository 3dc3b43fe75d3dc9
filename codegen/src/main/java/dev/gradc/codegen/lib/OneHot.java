package dev.gradc.codegen.lib;

/** {@code one_hot} for generated classes (copied into them; {@code java.base} only). */
public final class OneHot {
  private OneHot() {}

  /** Writes {@code out[i * classes + idx[i]] = 1} and zeros elsewhere, with PyTorch's errors. */
  public static void oneHot(long[] idx, long[] out, int classes) {
    java.util.Arrays.fill(out, 0L);
    for (int i = 0; i < idx.length; i++) {
      long v = idx[i];
      if (v < 0) {
        throw new IllegalArgumentException("Class values must be non-negative.");
      }
      if (v >= classes) {
        throw new IllegalArgumentException("Class values must be smaller than num_classes.");
      }
      out[i * classes + (int) v] = 1;
    }
  }
}
