package dev.gradc.ir;

/**
 * {@code gather} and {@code scatter_add} on flat row-major arrays, shared by the interpreter and
 * compiled code (copied into generated classes: {@code java.base} only, so its errors are {@link
 * IllegalArgumentException}s that callers turn into their own). An index of shape {@code part}
 * names, for each of its elements, the element of a tensor of shape {@code whole} at the same
 * position but along {@code dim}, where it gives the position itself. A 0-d tensor is one of shape
 * {@code [1]}.
 */
public final class Gathers {
  private Gathers() {}

  /**
   * For each element of {@code index}, in order, the flat offset in {@code whole} it names; an
   * index out of {@code [0, whole[dim])} is PyTorch's error, and nothing is read.
   */
  public static int[] offsets(long[] index, int[] whole, int[] part, int dim) {
    int rank = Math.max(1, whole.length);
    int[] w = whole.length == 0 ? new int[] {1} : whole;
    int[] p = part.length == 0 ? new int[] {1} : part;
    int[] stride = new int[rank];
    int s = 1;
    for (int d = rank - 1; d >= 0; d--) {
      stride[d] = s;
      s *= w[d];
    }
    int[] pos = new int[rank];
    int[] out = new int[index.length];
    for (int j = 0; j < index.length; j++) {
      long v = index[j];
      if (v < 0 || v >= w[dim]) {
        throw new IllegalArgumentException(
            "index " + v + " is out of bounds for dimension " + dim + " with size " + w[dim]);
      }
      int o = (int) v * stride[dim];
      for (int d = 0; d < rank; d++) {
        o += d == dim ? 0 : pos[d] * stride[d];
      }
      out[j] = o;
      for (int d = rank - 1; d >= 0 && ++pos[d] == p[d]; d--) {
        pos[d] = 0;
      }
    }
    return out;
  }

  /** {@code out[j] = x[offsets(index)[j]]}, for any array type. */
  public static void gather(Object x, long[] index, Object out, int[] whole, int[] part, int dim) {
    int[] at = offsets(index, whole, part, dim);
    if (x instanceof double[] a) {
      double[] o = (double[]) out;
      for (int j = 0; j < at.length; j++) {
        o[j] = a[at[j]];
      }
    } else if (x instanceof float[] a) {
      float[] o = (float[]) out;
      for (int j = 0; j < at.length; j++) {
        o[j] = a[at[j]];
      }
    } else if (x instanceof long[] a) {
      long[] o = (long[]) out;
      for (int j = 0; j < at.length; j++) {
        o[j] = a[at[j]];
      }
    } else {
      boolean[] a = (boolean[]) x;
      boolean[] o = (boolean[]) out;
      for (int j = 0; j < at.length; j++) {
        o[j] = a[at[j]];
      }
    }
  }

  /**
   * {@code out = self; out[offsets(index)[j]] += src[j]} in order of {@code j}, so that the sums
   * have the same bits on every run; f32 sums round to float at each addition, i64 sums wrap.
   */
  public static void scatterAdd(
      Object self, long[] index, Object src, Object out, int[] whole, int[] part, int dim) {
    int[] at = offsets(index, whole, part, dim);
    if (self != out) {
      System.arraycopy(self, 0, out, 0, java.lang.reflect.Array.getLength(out));
    }
    if (out instanceof double[] o) {
      double[] a = (double[]) src;
      for (int j = 0; j < at.length; j++) {
        o[at[j]] += a[j];
      }
    } else if (out instanceof float[] o) {
      float[] a = (float[]) src;
      for (int j = 0; j < at.length; j++) {
        o[at[j]] += a[j];
      }
    } else {
      long[] o = (long[]) out;
      long[] a = (long[]) src;
      for (int j = 0; j < at.length; j++) {
        o[at[j]] += a[j];
      }
    }
  }
}
