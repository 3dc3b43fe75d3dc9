package app;

import com.acme.loss.Linear;
import com.acme.loss.Scores;
import org.other.OtherLoss;

/** Uses the facades of two programs in two packages. */
public final class Both {
  private Both() {}

  /**
   * The sum of both losses.
   *
   * @param x features, n * 3 values
   * @param y n targets
   * @param w 3 weights
   * @param b the bias
   * @return the linear loss plus the Huber loss
   */
  public static double total(double[] x, double[] y, double[] w, double[] b) {
    return Linear.value(x, y, w, b) + OtherLoss.valueAndGrad(x, y, w, b).value();
  }

  /**
   * The softmax of a linear model's scores, from the facade of a program with two results.
   *
   * @param x features, n * 3 values
   * @param w 3 * 2 weights
   * @return n * 2 probabilities
   */
  public static double[] probabilities(double[] x, double[] w) {
    return Scores.value(x, w).output1();
  }
}
