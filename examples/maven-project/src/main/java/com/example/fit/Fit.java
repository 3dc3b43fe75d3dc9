package com.example.fit;

/**
 * Fits the affine model of {@code mse_loss.grad} by gradient descent, using the facade {@link
 * MseLoss} that gradc-maven-plugin generates from it.
 */
public final class Fit {
  private Fit() {}

  /**
   * Runs {@code steps} plain gradient-descent steps {@code p -= lr * gradient} from the given
   * weights, updating {@code w} and {@code b} in place. The gradient arrays are allocated once.
   *
   * @param x the features, {@code n * 3} values row by row
   * @param y the {@code n} targets
   * @param w the 3 weights, updated
   * @param b the bias (an array of length 1), updated
   * @param lr the learning rate
   * @param steps the number of steps
   * @return the loss at the final weights
   */
  public static double descend(
      double[] x, double[] y, double[] w, double[] b, double lr, int steps) {
    double[] gradW = new double[w.length];
    double[] gradB = new double[1];
    for (int step = 0; step < steps; step++) {
      MseLoss.valueAndGrad(x, y, w, b, gradW, gradB);
      for (int i = 0; i < w.length; i++) {
        w[i] -= lr * gradW[i];
      }
      b[0] -= lr * gradB[0];
    }
    return MseLoss.value(x, y, w, b);
  }

  /**
   * Fits y = 2 x0 - x1 + 0.5 x2 + 1 on a small grid and prints the weights.
   *
   * @param args unused
   */
  public static void main(String[] args) {
    int n = 27;
    double[] x = new double[n * 3];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      x[3 * i] = i % 3 - 1;
      x[3 * i + 1] = (i / 3) % 3 - 1;
      x[3 * i + 2] = i / 9 - 1;
      y[i] = 2 * x[3 * i] - x[3 * i + 1] + 0.5 * x[3 * i + 2] + 1;
    }
    double[] w = new double[3];
    double[] b = new double[1];
    double loss = descend(x, y, w, b, 0.2, 200);
    System.out.printf("loss %.6f, w = [%.4f, %.4f, %.4f], b = %.4f%n", loss, w[0], w[1], w[2], b[0]);
  }
}
