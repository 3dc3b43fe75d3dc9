package dev.gradc.optim;

/**
 * A loss estimated on a mini-batch that depends on the step: the same step gives the same batch, so
 * a fit is reproducible.
 */
public interface StochasticFunction {
  /** The number of parameters. */
  int dimension();

  /**
   * The mini-batch loss of step {@code step} at {@code x}; writes its gradient into {@code grad}.
   */
  double valueAndGradient(double[] x, double[] grad, long step);

  /** The step's batch computation of a function over {@code dimension} parameters. */
  interface Batch {
    double valueAndGradient(double[] x, double[] grad, long step);
  }

  /** A stochastic function from its dimension and its batch computation. */
  static StochasticFunction of(int dimension, Batch batch) {
    return new StochasticFunction() {
      @Override
      public int dimension() {
        return dimension;
      }

      @Override
      public double valueAndGradient(double[] x, double[] grad, long step) {
        return batch.valueAndGradient(x, grad, step);
      }
    };
  }

  /** The full function at every step (full-batch descent through a mini-batch optimizer). */
  static StochasticFunction full(DifferentiableFunction f) {
    return of(f.dimension(), (x, grad, step) -> f.valueAndGradient(x, grad));
  }
}
