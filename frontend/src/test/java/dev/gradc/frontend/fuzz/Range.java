package dev.gradc.frontend.fuzz;

import java.util.function.DoubleUnaryOperator;

/**
 * A closed interval that holds every element of a generated value, for the inputs' domains. The
 * generator uses it to keep arguments inside each op's domain and away from overflow; the bounds
 * are conservative, never tight.
 */
record Range(double lo, double hi) {
  Range {
    if (!(lo <= hi)) {
      throw new IllegalArgumentException("empty range [" + lo + ", " + hi + "]");
    }
  }

  static final Range UNIT = new Range(-1, 1);
  static final Range PROBABILITY = new Range(0, 1);
  static final Range BOOL = new Range(0, 1);

  static Range point(double v) {
    return new Range(v, v);
  }

  static Range hull(Range a, Range b) {
    return new Range(Math.min(a.lo, b.lo), Math.max(a.hi, b.hi));
  }

  /** The largest absolute value. */
  double mag() {
    return Math.max(Math.abs(lo), Math.abs(hi));
  }

  boolean within(double a, double b) {
    return lo >= a && hi <= b;
  }

  Range add(Range o) {
    return new Range(lo + o.lo, hi + o.hi);
  }

  Range sub(Range o) {
    return new Range(lo - o.hi, hi - o.lo);
  }

  Range neg() {
    return new Range(-hi, -lo);
  }

  Range mul(Range o) {
    double a = lo * o.lo;
    double b = lo * o.hi;
    double c = hi * o.lo;
    double d = hi * o.hi;
    return new Range(
        Math.min(Math.min(a, b), Math.min(c, d)), Math.max(Math.max(a, b), Math.max(c, d)));
  }

  Range scale(double k) {
    return mul(point(k));
  }

  /** The image under an increasing function. */
  Range map(DoubleUnaryOperator increasing) {
    return new Range(increasing.applyAsDouble(lo), increasing.applyAsDouble(hi));
  }

  Range square() {
    double m = mag();
    double least = lo <= 0 && hi >= 0 ? 0 : Math.min(lo * lo, hi * hi);
    return new Range(least, m * m);
  }

  Range abs() {
    double least = lo <= 0 && hi >= 0 ? 0 : Math.min(Math.abs(lo), Math.abs(hi));
    return new Range(least, mag());
  }

  Range max(Range o) {
    return new Range(Math.max(lo, o.lo), Math.max(hi, o.hi));
  }

  Range min(Range o) {
    return new Range(Math.min(lo, o.lo), Math.min(hi, o.hi));
  }

  /** The sum of {@code n} elements of this range. */
  Range times(int n) {
    return new Range(lo * n, hi * n);
  }
}
