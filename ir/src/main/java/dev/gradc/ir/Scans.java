package dev.gradc.ir;

/**
 * The cumulative ops along one dim ({@code cumsum}, {@code cumprod}, {@code logcumsumexp}, {@code
 * cummax}, {@code cummin} and the indices of the last two), shared by the interpreter and compiled
 * code (copied into generated classes; {@code java.base} only). An operand of shape {@code [outer,
 * size, inner]} (the scanned dim in the middle) is scanned lane by lane, from the first element or,
 * {@code reverse}, from the last, as PyTorch's CPU kernels do: floats accumulate in f64 and each
 * result is rounded to the element type; i64 sums and products wrap; {@code cummax} takes an
 * element that is {@code >=} the running value (so ties move the index to the latest) or NaN.
 * {@code argsort} is a lane's sorting permutation, written by the same loop over lanes.
 */
public final class Scans {
  private Scans() {}

  /** {@code kind} of {@link #scan}: the running sum. */
  public static final int SUM = 0;

  /** {@code kind} of {@link #scan}: the running product. */
  public static final int PROD = 1;

  /** {@code kind} of {@link #scan}: the running {@code log(sum(exp))}. */
  public static final int LOG_SUM_EXP = 2;

  /** {@code kind} of {@link #scan}: the running maximum. */
  public static final int MAX = 3;

  /** {@code kind} of {@link #scan}: the running minimum. */
  public static final int MIN = 4;

  /** {@code kind} of {@link #scan}: the index of the running maximum (into a {@code long[]}). */
  public static final int MAX_INDEX = 5;

  /** {@code kind} of {@link #scan}: the index of the running minimum (into a {@code long[]}). */
  public static final int MIN_INDEX = 6;

  /**
   * {@code kind} of {@link #scan}: the positions that sort the lane (into a {@code long[]}),
   * stably, NaN as the largest and {@code -0.0} equal to {@code 0.0}; {@code reverse} descending.
   */
  public static final int SORT_INDEX = 7;

  /**
   * Scans {@code x} ({@code double[]}, {@code float[]} or {@code long[]}) into {@code out} (of the
   * same type, {@code long[]} for the index kinds).
   */
  public static void scan(
      Object x, Object out, int outer, int size, int inner, int kind, boolean reverse) {
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) {
        int base = o * size * inner + i;
        int step = reverse ? -inner : inner;
        int first = reverse ? base + (size - 1) * inner : base;
        if (kind == SORT_INDEX) {
          sortLane(x, (long[]) out, base, inner, size, reverse);
        } else if (x instanceof long[] lx) {
          scanLongs(lx, out, first, step, size, kind, reverse);
        } else {
          scanFloats(x, out, first, step, size, kind, reverse);
        }
      }
    }
  }

  private static void scanLongs(
      long[] x, Object out, int first, int step, int size, int kind, boolean reverse) {
    long acc = kind == PROD ? 1L : 0L;
    long best = size > 0 ? x[first] : 0L;
    long idx = 0;
    for (int j = 0; j < size; j++) {
      int p = first + j * step;
      long v = x[p];
      if (kind == SUM) {
        acc += v;
        ((long[]) out)[p] = acc;
      } else if (kind == PROD) {
        acc *= v;
        ((long[]) out)[p] = acc;
      } else {
        boolean max = kind == MAX || kind == MAX_INDEX;
        if (max ? v >= best : v <= best) {
          best = v;
          idx = reverse ? size - 1 - j : j;
        }
        ((long[]) out)[p] = kind == MAX || kind == MIN ? best : idx;
      }
    }
  }

  private static void scanFloats(
      Object x, Object out, int first, int step, int size, int kind, boolean reverse) {
    double acc = kind == PROD ? 1.0 : kind == LOG_SUM_EXP ? Double.NEGATIVE_INFINITY : 0.0;
    double best = size > 0 ? read(x, first) : 0.0;
    long idx = 0;
    for (int j = 0; j < size; j++) {
      int p = first + j * step;
      double v = read(x, p);
      switch (kind) {
        case SUM -> acc += v;
        case PROD -> acc *= v;
        case LOG_SUM_EXP -> acc = logAddExp(v, acc);
        default -> {
          boolean max = kind == MAX || kind == MAX_INDEX;
          if (Double.isNaN(v) || (!Double.isNaN(best) && (max ? v >= best : v <= best))) {
            best = v;
            idx = reverse ? size - 1 - j : j;
          }
          acc = best;
        }
      }
      if (kind == MAX_INDEX || kind == MIN_INDEX) {
        ((long[]) out)[p] = idx;
      } else if (out instanceof float[] f) {
        f[p] = (float) acc;
      } else {
        ((double[]) out)[p] = acc;
      }
    }
  }

  /**
   * A stable merge sort of one lane's positions, bottom up, the lane's keys copied out first (longs
   * compare exactly; floats as doubles).
   */
  private static void sortLane(
      Object x, long[] out, int base, int stride, int size, boolean descending) {
    long[] lkeys = x instanceof long[] ? new long[size] : null;
    double[] dkeys = lkeys == null ? new double[size] : null;
    for (int j = 0; j < size; j++) {
      int p = base + j * stride;
      if (lkeys != null) {
        lkeys[j] = ((long[]) x)[p];
      } else {
        dkeys[j] = read(x, p);
      }
    }
    int[] a = new int[size];
    int[] tmp = new int[size];
    for (int j = 0; j < size; j++) {
      a[j] = j;
    }
    for (int width = 1; width < size; width *= 2) {
      for (int lo = 0; lo < size - width; lo += 2 * width) {
        int mid = lo + width;
        int hi = Math.min(lo + 2 * width, size);
        int i = lo;
        int k = mid;
        int o = lo;
        while (i < mid && k < hi) {
          int c =
              lkeys != null
                  ? Long.compare(lkeys[a[k]], lkeys[a[i]])
                  : compare(dkeys[a[k]], dkeys[a[i]]);
          // the right run's element goes first only when strictly before: ties keep their order
          if (descending ? c > 0 : c < 0) {
            tmp[o++] = a[k++];
          } else {
            tmp[o++] = a[i++];
          }
        }
        while (i < mid) {
          tmp[o++] = a[i++];
        }
        while (k < hi) {
          tmp[o++] = a[k++];
        }
        System.arraycopy(tmp, lo, a, lo, hi - lo);
      }
    }
    for (int j = 0; j < size; j++) {
      out[base + j * stride] = a[j];
    }
  }

  /** Ascending order with NaN the largest and the zeros equal. */
  private static int compare(double a, double b) {
    if (Double.isNaN(a)) {
      return Double.isNaN(b) ? 0 : 1;
    }
    if (Double.isNaN(b)) {
      return -1;
    }
    return a < b ? -1 : a > b ? 1 : 0;
  }

  private static double read(Object x, int p) {
    return x instanceof float[] f ? f[p] : ((double[]) x)[p];
  }

  /**
   * PyTorch's {@code _log_add_exp_helper(x, acc)}: {@code log1p(exp(min - max)) + max}, NaN
   * propagating, and {@code x} itself where both are the same infinity.
   */
  private static double logAddExp(double x, double y) {
    double min = Double.isNaN(y) ? y : (y < x ? y : x);
    double max = Double.isNaN(y) ? y : (x < y ? y : x);
    if (min != max || Double.isFinite(min)) {
      return Math.log1p(Math.exp(min - max)) + max;
    }
    return x;
  }
}
