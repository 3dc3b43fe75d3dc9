package dev.gradc.optim;

/** A function of a flat parameter vector that computes its value and gradient together. */
public interface DifferentiableFunction {
  /** The number of parameters. */
  int dimension();

  /** The value at {@code x}; writes the gradient into {@code grad} (of {@link #dimension()}). */
  double valueAndGradient(double[] x, double[] grad);
}
