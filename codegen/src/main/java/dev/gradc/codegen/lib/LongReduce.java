package dev.gradc.codegen.lib;

/**
 * i64 {@code sum}, {@code prod}, {@code amax} and {@code amin} for generated classes (copied into
 * them; {@code java.base} only): 64-bit integer arithmetic that wraps as PyTorch's int64 does,
 * where the loops of kernels accumulate in f64.
 */
public final class LongReduce {
  private LongReduce() {}

  /** {@code combine} of {@link #reduce}: a wrapping sum. */
  public static final int SUM = 0;

  /** {@code combine} of {@link #reduce}: the maximum. */
  public static final int MAX = 1;

  /** {@code combine} of {@link #reduce}: the minimum. */
  public static final int MIN = 2;

  /** {@code combine} of {@link #reduce}: a wrapping product. */
  public static final int PROD = 3;

  /**
   * Reduces the contiguous row-major {@code x} of {@code shape} over the dims whose bit is set in
   * {@code reduced} (bit {@code d} for dim {@code d}) into {@code out}, row-major over the kept
   * dims.
   */
  public static void reduce(long[] x, int[] shape, int reduced, long[] out, int combine) {
    java.util.Arrays.fill(
        out,
        combine == SUM
            ? 0L
            : combine == PROD ? 1L : combine == MAX ? Long.MIN_VALUE : Long.MAX_VALUE);
    int rank = shape.length;
    int[] stride = new int[rank];
    int s = 1;
    for (int d = rank - 1; d >= 0; d--) {
      if ((reduced & (1 << d)) == 0) {
        stride[d] = s;
        s *= shape[d];
      }
    }
    int[] idx = new int[rank];
    int o = 0;
    for (int i = 0; i < x.length; i++) {
      long v = x[i];
      out[o] =
          combine == SUM
              ? out[o] + v
              : combine == PROD
                  ? out[o] * v
                  : combine == MAX ? Math.max(out[o], v) : Math.min(out[o], v);
      // advance the multi-index and the output offset with it
      for (int d = rank - 1; d >= 0; d--) {
        if (++idx[d] < shape[d]) {
          o += stride[d];
          break;
        }
        o -= stride[d] * (idx[d] - 1);
        idx[d] = 0;
      }
    }
  }
}
