package dev.gradc.optim;

/**
 * Where an optimizer stopped: the parameters, the loss and gradient norm there, the iterations and
 * function evaluations it took, and why it stopped.
 */
public final class Result {
  /** Why an optimizer stopped. */
  public enum Stop {
    /** The gradient norm fell below the gradient tolerance. */
    GRADIENT_TOLERANCE,
    /** The loss changed by less than the function tolerance, relative to its size. */
    FUNCTION_TOLERANCE,
    /** No step along the search direction lowered the loss (the optimum within rounding). */
    LINE_SEARCH,
    /** The iteration bound. */
    MAX_ITERATIONS
  }

  private final double[] x;
  private final double loss;
  private final double gradientNorm;
  private final int iterations;
  private final long evaluations;
  private final Stop stop;

  Result(
      double[] x, double loss, double gradientNorm, int iterations, long evaluations, Stop stop) {
    this.x = x.clone();
    this.loss = loss;
    this.gradientNorm = gradientNorm;
    this.iterations = iterations;
    this.evaluations = evaluations;
    this.stop = stop;
  }

  /** The parameters (a copy). */
  public double[] x() {
    return x.clone();
  }

  public double loss() {
    return loss;
  }

  public double gradientNorm() {
    return gradientNorm;
  }

  public int iterations() {
    return iterations;
  }

  public long evaluations() {
    return evaluations;
  }

  public Stop stop() {
    return stop;
  }

  @Override
  public String toString() {
    return "stopped by "
        + stop
        + " after "
        + iterations
        + " iterations ("
        + evaluations
        + " evaluations): loss "
        + loss
        + ", |grad| "
        + gradientNorm;
  }
}
