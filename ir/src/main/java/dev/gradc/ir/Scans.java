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
   * {@code kind} of {@link #scan}: the lane's positions as PyTorch's CPU {@code topk} leaves them,
   * the first {@code k} its result ({@code reverse}: the largest; {@code sorted}: in order).
   */
  public static final int TOPK_INDEX = 8;

  /**
   * {@code kind} of {@link #scan}: the lane's positions as PyTorch's CPU {@code kthvalue}'s
   * quickselect leaves them, position {@code k - 1} its result.
   */
  public static final int KTH_INDEX = 9;

  /**
   * Scans {@code x} ({@code double[]}, {@code float[]} or {@code long[]}) into {@code out} (of the
   * same type, {@code long[]} for the index kinds); {@code k} and {@code sorted} are the options of
   * the selection orders.
   */
  public static void scan(
      Object x,
      Object out,
      int outer,
      int size,
      int inner,
      int kind,
      boolean reverse,
      int k,
      boolean sorted) {
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) {
        int base = o * size * inner + i;
        int step = reverse ? -inner : inner;
        int first = reverse ? base + (size - 1) * inner : base;
        if (kind >= SORT_INDEX) {
          Orders.lane(x, (long[]) out, base, inner, size, kind, reverse, k, sorted);
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
