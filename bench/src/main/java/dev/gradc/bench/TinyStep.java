package dev.gradc.bench;

import dev.gradc.Tensor;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The tutorial's {@code z = (5*x1 + 3*x2) * (2*x1 + x2)} as a training loop writes it with the Java
 * API: two f32 leaves of shape [1] that require grad, made once; each step builds the graph, runs
 * backward, reads both gradients and zeroes them. At x1 = 1, x2 = 2 the gradients are 42 and 23,
 * every step.
 */
@State(Scope.Thread)
public class TinyStep {
  /** The value of x1, and of x2. */
  public static final double X1 = 1;

  public static final double X2 = 2;

  private Tensor x1;
  private Tensor x2;

  @Setup
  public void setUp() {
    x1 = Tensor.tensor(X1).requiresGrad_();
    x2 = Tensor.tensor(X2).requiresGrad_();
  }

  /** One step; returns the two gradients it read. */
  public double[] step() {
    Tensor y1 = x1.mul(5).add(x2.mul(3));
    Tensor y2 = x1.mul(2).add(x2);
    Tensor z = y1.mul(y2);
    z.backward();
    Tensor g1 = x1.grad();
    Tensor g2 = x2.grad();
    double[] grads = {g1.item(), g2.item()};
    g1.zero_();
    g2.zero_();
    return grads;
  }
}
