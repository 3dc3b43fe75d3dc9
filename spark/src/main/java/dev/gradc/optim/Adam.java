package dev.gradc.optim;

/**
 * Adam (Kingma and Ba), and AdamW with {@link #weightDecay} (decoupled: {@code x *= 1 - lr * wd}
 * before the Adam step, as {@code torch.optim.AdamW}), over a mini-batch loss for a fixed number of
 * steps. The update is PyTorch's, in its order of operations: {@code x -= lr / (1 - b1^t) * m /
 * (sqrt(v) / sqrt(1 - b2^t) + eps)}.
 */
public final class Adam {
  private double learningRate = 1e-3;
  private double beta1 = 0.9;
  private double beta2 = 0.999;
  private double eps = 1e-8;
  private double weightDecay = 0;
  private int steps = 1000;
  private IterationListener listener = IterationListener.NONE;

  public Adam learningRate(double lr) {
    Descent.checkPositive(lr, "the learning rate");
    this.learningRate = lr;
    return this;
  }

  public Adam betas(double b1, double b2) {
    if (!(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1)) {
      throw new IllegalArgumentException("betas in [0, 1), not " + b1 + ", " + b2);
    }
    this.beta1 = b1;
    this.beta2 = b2;
    return this;
  }

  public Adam eps(double e) {
    Descent.checkPositive(e, "eps");
    this.eps = e;
    return this;
  }

  /** Decoupled weight decay (AdamW); 0, the default, is plain Adam. */
  public Adam weightDecay(double wd) {
    this.weightDecay = wd;
    return this;
  }

  public Adam steps(int n) {
    this.steps = n;
    return this;
  }

  public Adam listener(IterationListener l) {
    this.listener = l;
    return this;
  }

  /** Runs {@link #steps} steps from {@code x0} (which is not changed). */
  public Result minimize(StochasticFunction f, double[] x0) {
    double[] m = new double[x0.length];
    double[] v = new double[x0.length];
    return MiniBatch.run(
        f,
        x0,
        steps,
        listener,
        (t, x, g) -> {
          double c1 = 1 - Math.pow(beta1, t);
          double sqrtC2 = Math.sqrt(1 - Math.pow(beta2, t));
          double stepSize = learningRate / c1;
          for (int i = 0; i < x.length; i++) {
            x[i] *= 1 - learningRate * weightDecay;
            m[i] = m[i] * beta1 + g[i] * (1 - beta1);
            v[i] = v[i] * beta2 + (1 - beta2) * g[i] * g[i];
            x[i] -= stepSize * (m[i] / (Math.sqrt(v[i]) / sqrtC2 + eps));
          }
        });
  }
}
