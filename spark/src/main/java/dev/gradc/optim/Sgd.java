package dev.gradc.optim;

/**
 * Stochastic gradient descent with momentum, as {@code torch.optim.SGD}: {@code b = mu * b + g}
 * ({@code b = g} at the first step), {@code x -= lr * b}, with optional L2 weight decay added to
 * the gradient, over a mini-batch loss for a fixed number of steps.
 */
public final class Sgd {
  private double learningRate = 1e-2;
  private double momentum = 0;
  private double weightDecay = 0;
  private int steps = 1000;
  private IterationListener listener = IterationListener.NONE;

  public Sgd learningRate(double lr) {
    Descent.checkPositive(lr, "the learning rate");
    this.learningRate = lr;
    return this;
  }

  public Sgd momentum(double mu) {
    if (!(mu >= 0 && mu < 1)) {
      throw new IllegalArgumentException("momentum in [0, 1), not " + mu);
    }
    this.momentum = mu;
    return this;
  }

  public Sgd weightDecay(double wd) {
    this.weightDecay = wd;
    return this;
  }

  public Sgd steps(int n) {
    this.steps = n;
    return this;
  }

  public Sgd listener(IterationListener l) {
    this.listener = l;
    return this;
  }

  /** Runs {@link #steps} steps from {@code x0} (which is not changed). */
  public Result minimize(StochasticFunction f, double[] x0) {
    double[] b = new double[x0.length];
    return MiniBatch.run(
        f,
        x0,
        steps,
        listener,
        (t, x, g) -> {
          for (int i = 0; i < x.length; i++) {
            double gi = g[i] + weightDecay * x[i];
            b[i] = t == 1 ? gi : momentum * b[i] + gi;
            x[i] -= learningRate * b[i];
          }
        });
  }
}
