package dev.gradc.optim;

/**
 * Full-batch gradient descent with a backtracking line search: each iteration first tries twice the
 * previous accepted step along {@code -g}, and halves it (or less, by quadratic interpolation)
 * until the loss decreases enough. Stops as {@link Lbfgs} does.
 */
public final class GradientDescent {
  private int maxIterations = 1000;
  private double gradientTolerance = 1e-8;
  private double functionTolerance = 1e-12;
  private IterationListener listener = IterationListener.NONE;

  public GradientDescent maxIterations(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("maxIterations must be at least 0, not " + n);
    }
    this.maxIterations = n;
    return this;
  }

  public GradientDescent gradientTolerance(double tol) {
    this.gradientTolerance = tol;
    return this;
  }

  public GradientDescent functionTolerance(double tol) {
    this.functionTolerance = tol;
    return this;
  }

  public GradientDescent listener(IterationListener l) {
    this.listener = l;
    return this;
  }

  /** Minimizes {@code f} from {@code x0} (which is not changed). */
  public Result minimize(DifferentiableFunction f, double[] x0) {
    Descent.Direction dir =
        new Descent.Direction() {
          @Override
          public double[] direction(double[] g) {
            return Descent.negated(g);
          }

          @Override
          public double initialStep(int iteration, double[] g, double[] d, double previousStep) {
            return previousStep > 0 ? 2 * previousStep : Math.min(1, 1 / Descent.norm(g));
          }

          @Override
          public void accepted(double[] s, double[] y) {}

          @Override
          public void reset() {}
        };
    return Descent.run(f, x0, dir, maxIterations, gradientTolerance, functionTolerance, listener);
  }
}
