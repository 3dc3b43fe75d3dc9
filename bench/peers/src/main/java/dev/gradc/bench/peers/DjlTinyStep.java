package dev.gradc.bench.peers;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The tutorial's {@code z = (5*x1 + 3*x2) * (2*x1 + x2)} as a DJL user writes a training step with
 * the PyTorch engine: two f32 leaves of shape [1] with gradients attached, made once; each step
 * records z in a {@link GradientCollector}, runs backward, reads both gradients into Java and
 * zeroes them in place (what {@code GradientCollector.zeroGradients} does). Intermediates live in a
 * sub-manager closed after the step.
 */
@State(Scope.Thread)
public class DjlTinyStep {
  private Engine engine;
  private NDManager manager;
  private NDArray x1;
  private NDArray x2;

  @Setup
  public void setUp() {
    engine = Engine.getEngine("PyTorch");
    manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    x1 = manager.create(new float[] {1f});
    x2 = manager.create(new float[] {2f});
    x1.setRequiresGradient(true);
    x2.setRequiresGradient(true);
  }

  /** One step; returns the two gradients it read. */
  public double[] step() {
    try (NDManager scope = manager.newSubManager()) {
      scope.tempAttachAll(x1, x2);
      try (GradientCollector collector = engine.newGradientCollector()) {
        NDArray z = x1.mul(5).add(x2.mul(3)).mul(x1.mul(2).add(x2));
        collector.backward(z);
      }
      NDArray g1 = x1.getGradient();
      NDArray g2 = x2.getGradient();
      double[] grads = {g1.getFloat(0), g2.getFloat(0)};
      g1.subi(g1);
      g2.subi(g2);
      return grads;
    }
  }

  @TearDown
  public void tearDown() {
    manager.close();
  }
}
