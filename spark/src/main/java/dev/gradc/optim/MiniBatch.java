package dev.gradc.optim;

/** The loop that {@link Sgd} and {@link Adam} share: evaluate the step's batch, update, report. */
final class MiniBatch {
  /** Updates {@code x} in place from the gradient {@code g} of step {@code t} (1-based). */
  interface Update {
    void apply(int t, double[] x, double[] g);
  }

  private MiniBatch() {}

  static Result run(
      StochasticFunction f, double[] x0, int steps, IterationListener listener, Update update) {
    if (x0.length != f.dimension()) {
      throw new IllegalArgumentException(
          "a start of " + f.dimension() + " parameters, got " + x0.length);
    }
    double[] x = x0.clone();
    double[] g = new double[x.length];
    double loss = Double.NaN;
    double norm = Double.NaN;
    for (int t = 1; t <= steps; t++) {
      loss = f.valueAndGradient(x, g, t - 1);
      norm = Descent.norm(g);
      update.apply(t, x, g);
      listener.onIteration(t, loss, norm, t);
    }
    return new Result(x, loss, norm, steps, steps, Result.Stop.MAX_ITERATIONS);
  }
}
