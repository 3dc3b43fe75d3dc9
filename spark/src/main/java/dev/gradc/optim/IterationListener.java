package dev.gradc.optim;

import java.io.PrintStream;
import java.util.Locale;

/** Told the loss and gradient norm after each iteration of an optimizer. */
public interface IterationListener {
  /**
   * Iteration {@code iteration} (1-based) ended at loss {@code loss} with gradient norm {@code
   * gradientNorm}, after {@code evaluations} evaluations of the function in all.
   */
  void onIteration(int iteration, double loss, double gradientNorm, long evaluations);

  /** Listens to nothing. */
  IterationListener NONE = (i, loss, norm, evaluations) -> {};

  /**
   * Prints a progress line for the first iteration and then at most once every {@code everyMillis}
   * milliseconds: {@code iteration 12: loss 0.3132, |grad| 1.2e-04, 15 evaluations, 2.1 s}.
   */
  static IterationListener progress(PrintStream out, long everyMillis) {
    long start = System.nanoTime();
    long[] last = {Long.MIN_VALUE};
    return (i, loss, norm, evaluations) -> {
      long now = System.nanoTime();
      if (last[0] != Long.MIN_VALUE && now - last[0] < everyMillis * 1_000_000L) {
        return;
      }
      last[0] = now;
      out.printf(
          Locale.ROOT,
          "iteration %d: loss %.10g, |grad| %.3e, %d evaluations, %.1f s%n",
          i,
          loss,
          norm,
          evaluations,
          (now - start) / 1e9);
    };
  }

  /** Both listeners, this one first. */
  default IterationListener andThen(IterationListener next) {
    return (i, loss, norm, evaluations) -> {
      onIteration(i, loss, norm, evaluations);
      next.onIteration(i, loss, norm, evaluations);
    };
  }
}
