package dev.gradc.bench;

/**
 * How large the benchmark problems are: {@link #FULL} is issue 7's sizes, {@link #SMALL} a
 * hundredth of the work for smoke runs and for the reference interpreter.
 */
public enum Size {
  FULL(1),
  SMALL(100);

  private final int divisor;

  Size(int divisor) {
    this.divisor = divisor;
  }

  /** {@code n} divided by this size's divisor, at least 1. */
  public int of(int n) {
    return Math.max(1, n / divisor);
  }

  /** Parses {@code full} or {@code small}, as given to JMH's {@code -p size=...}. */
  public static Size parse(String s) {
    return valueOf(s.toUpperCase(java.util.Locale.ROOT));
  }
}
