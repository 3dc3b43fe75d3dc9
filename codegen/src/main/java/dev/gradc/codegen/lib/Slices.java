package dev.gradc.codegen.lib;

/**
 * {@code slice} and {@code slice_backward} for generated classes (copied into them; {@code
 * java.base} only). An operand of shape {@code [outer, size, inner]} (the sliced dim in the middle)
 * and its slice {@code [outer, length, inner]}, which reads the elements {@code start, start +
 * step, ...} of the middle dim; any array type, copied one run of {@code inner} elements at a time.
 */
public final class Slices {
  private Slices() {}

  /** {@code out = x[:, start:start + step * length:step, :]}. */
  public static void slice(
      Object x, Object out, int outer, int size, int inner, int start, int step, int length) {
    for (int o = 0; o < outer; o++) {
      for (int j = 0; j < length; j++) {
        System.arraycopy(
            x, (o * size + start + j * step) * inner, out, (o * length + j) * inner, inner);
      }
    }
  }

  /** {@code out = zeros; out[:, start:start + step * length:step, :] = g}. */
  public static void sliceBackward(
      Object g, Object out, int outer, int size, int inner, int start, int step, int length) {
    if (out instanceof double[] a) {
      java.util.Arrays.fill(a, 0.0);
    } else if (out instanceof float[] a) {
      java.util.Arrays.fill(a, 0f);
    } else if (out instanceof long[] a) {
      java.util.Arrays.fill(a, 0L);
    } else {
      java.util.Arrays.fill((boolean[]) out, false);
    }
    for (int o = 0; o < outer; o++) {
      for (int j = 0; j < length; j++) {
        System.arraycopy(
            g, (o * length + j) * inner, out, (o * size + start + j * step) * inner, inner);
      }
    }
  }
}
