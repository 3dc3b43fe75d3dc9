package dev.gradc.optim;

import java.util.Arrays;

/**
 * The loop that full-batch descent and L-BFGS share: a search direction, a backtracking line search
 * for a sufficient decrease (Armijo, {@code c1 = 1e-4}, safeguarded quadratic interpolation), the
 * stopping tests and the listener. Everything is deterministic: the same function gives the same
 * iterates.
 */
final class Descent {
  /** Where the next step goes and how far the line search first tries. */
  interface Direction {
    /** The search direction at gradient {@code g} (need not be a descent direction). */
    double[] direction(double[] g);

    /** The first step length to try along {@code d} at iteration {@code iteration}. */
    double initialStep(int iteration, double[] g, double[] d, double previousStep);

    /** The accepted step {@code s = x' - x} and the gradient change {@code y = g' - g}. */
    void accepted(double[] s, double[] y);

    /** Forgets what it learned (after a direction that was not a descent direction). */
    void reset();
  }

  private static final double C1 = 1e-4;
  private static final int MAX_TRIALS = 60;

  private Descent() {}

  static Result run(
      DifferentiableFunction f,
      double[] x0,
      Direction dir,
      int maxIterations,
      double gradientTolerance,
      double functionTolerance,
      IterationListener listener) {
    int n = f.dimension();
    if (x0.length != n) {
      throw new IllegalArgumentException("a start of " + n + " parameters, got " + x0.length);
    }
    double[] x = x0.clone();
    double[] g = new double[n];
    double loss = f.valueAndGradient(x, g);
    long evaluations = 1;
    checkFinite(loss, "the loss at the start");
    double norm = norm(g);
    double step = 0;
    double[] xNew = new double[n];
    double[] gNew = new double[n];
    for (int it = 1; it <= maxIterations; it++) {
      if (norm <= gradientTolerance) {
        return new Result(x, loss, norm, it - 1, evaluations, Result.Stop.GRADIENT_TOLERANCE);
      }
      double[] d = dir.direction(g);
      double slope = dot(g, d);
      if (!(slope < 0)) {
        dir.reset();
        d = dir.direction(g);
        slope = dot(g, d);
      }
      double t = dir.initialStep(it, g, d, step);
      double trial = Double.NaN;
      boolean found = false;
      for (int k = 0; k < MAX_TRIALS; k++) {
        for (int i = 0; i < n; i++) {
          xNew[i] = x[i] + t * d[i];
        }
        trial = f.valueAndGradient(xNew, gNew);
        evaluations++;
        if (Double.isFinite(trial) && trial <= loss + C1 * t * slope) {
          found = true;
          break;
        }
        // The minimizer of the quadratic through f(0), f'(0) and f(t), kept in [0.1 t, 0.5 t].
        double q = Double.isFinite(trial) ? -slope * t * t / (2 * (trial - loss - slope * t)) : 0;
        t = Math.min(0.5 * t, Math.max(0.1 * t, q));
      }
      if (!found) {
        listener.onIteration(it, loss, norm, evaluations);
        return new Result(x, loss, norm, it - 1, evaluations, Result.Stop.LINE_SEARCH);
      }
      double[] s = new double[n];
      double[] y = new double[n];
      for (int i = 0; i < n; i++) {
        s[i] = xNew[i] - x[i];
        y[i] = gNew[i] - g[i];
      }
      dir.accepted(s, y);
      double previous = loss;
      System.arraycopy(xNew, 0, x, 0, n);
      System.arraycopy(gNew, 0, g, 0, n);
      loss = trial;
      norm = norm(g);
      step = t;
      listener.onIteration(it, loss, norm, evaluations);
      if (norm <= gradientTolerance) {
        return new Result(x, loss, norm, it, evaluations, Result.Stop.GRADIENT_TOLERANCE);
      }
      if (Math.abs(previous - loss)
          <= functionTolerance * Math.max(1, Math.max(Math.abs(previous), Math.abs(loss)))) {
        return new Result(x, loss, norm, it, evaluations, Result.Stop.FUNCTION_TOLERANCE);
      }
    }
    return new Result(x, loss, norm, maxIterations, evaluations, Result.Stop.MAX_ITERATIONS);
  }

  static void checkFinite(double v, String what) {
    if (!Double.isFinite(v)) {
      throw new ArithmeticException(what + " is " + v);
    }
  }

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  static double norm(double[] a) {
    return Math.sqrt(dot(a, a));
  }

  static double[] negated(double[] g) {
    double[] d = Arrays.copyOf(g, g.length);
    for (int i = 0; i < d.length; i++) {
      d[i] = -d[i];
    }
    return d;
  }

  static void checkPositive(double v, String what) {
    if (!(v > 0)) {
      throw new IllegalArgumentException(what + " must be positive, not " + v);
    }
  }
}
