package dev.gradc.ir.testing;

import dev.gradc.ir.DType;
import java.util.SplittableRandom;

/**
 * Where a test draws the values of one argument: uniform in {@code [lo, hi]}, at least {@code gap}
 * away from each kink (so finite differences never straddle one), rounded to the dtype. Integer and
 * boolean dtypes draw integers in {@code [lo, hi]}.
 */
public final class Domain {
  private final double lo;
  private final double hi;
  private final double gap;
  private final double[] kinks;

  /** Anywhere in {@code [-2, 2]} but near 0, where {@code abs}, {@code relu}, ... have kinks. */
  public static final Domain ANY = new Domain(-2, 2, 0.2, 0);

  /** Positive and away from 0: arguments of {@code log}, {@code sqrt}, a {@code pow} base. */
  public static final Domain POSITIVE = new Domain(0.5, 2, 0);

  /** Inside {@code (-1, 1)} but near 0: arguments of {@code tan}. */
  public static final Domain UNIT = new Domain(-1, 1, 0.1, 0);

  /** Probabilities away from 0 and 1: targets of binary cross entropy. */
  public static final Domain PROBABILITY = new Domain(0.05, 0.95, 0);

  /** Booleans. */
  public static final Domain BOOL = new Domain(0, 1, 0);

  /** Class indices {@code 0 .. classes-1}. */
  public static Domain index(int classes) {
    return new Domain(0, classes - 1, 0);
  }

  public Domain(double lo, double hi, double gap, double... kinks) {
    this.lo = lo;
    this.hi = hi;
    this.gap = gap;
    this.kinks = kinks.clone();
  }

  public double lo() {
    return lo;
  }

  public double hi() {
    return hi;
  }

  @Override
  public String toString() {
    return "[" + lo + ", " + hi + "] at least " + gap + " from " + java.util.Arrays.toString(kinks);
  }

  /** {@code n} values of this domain in {@code dtype}. */
  public double[] sample(SplittableRandom rng, DType dtype, int n) {
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = dtype.round(one(rng, dtype));
    }
    return out;
  }

  private double one(SplittableRandom rng, DType dtype) {
    if (!dtype.isFloat()) {
      return lo + rng.nextInt((int) (hi - lo) + 1);
    }
    for (int attempt = 0; attempt < 10_000; attempt++) {
      double v = lo + (hi - lo) * rng.nextDouble();
      if (farFromKinks(v)) {
        return v;
      }
    }
    throw new IllegalStateException("domain " + this + " leaves no room between its kinks");
  }

  private boolean farFromKinks(double v) {
    for (double k : kinks) {
      if (Math.abs(v - k) < gap) {
        return false;
      }
    }
    return true;
  }
}
