package dev.gradc.bench.peers;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import dev.gradc.bench.Problem;
import dev.gradc.bench.Workload;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A workload in DJL with the PyTorch engine, eager mode with a {@link GradientCollector}: the
 * arguments are NDArrays made once from the problem's buffers, params with gradients attached. Each
 * step records the loss, runs backward, reads the loss and the gradients, and zeroes the gradients,
 * as a DJL training loop does (the engine accumulates into them). Intermediates live in a
 * sub-manager closed after the step. The engine's threads come from {@code
 * ai.djl.pytorch.num_threads}, which the comparison script sets to {@code gradc.threads}.
 */
public abstract class DjlState extends PeerState {
  private NDManager manager;
  private Engine engine;
  private final List<NDArray> in = new ArrayList<>();
  private final List<NDArray> params = new ArrayList<>();

  /** The loss from the arguments, in parameter order. */
  protected abstract NDArray loss(List<NDArray> in);

  @Setup
  public void setUp() {
    Problem p = problem();
    engine = Engine.getEngine("PyTorch");
    manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    for (int i = 0; i < p.args().length; i++) {
      NDArray a = array(p.args()[i], new Shape(longs(p.shapes()[i])));
      in.add(a);
      if (p.forward().params().get(i).requiresGrad()) {
        a.setRequiresGradient(true);
        params.add(a);
      }
    }
  }

  /** One value-and-gradient step; returns the loss. */
  public double step() {
    return step(null);
  }

  /** One step for tests: the loss, then every gradient, as doubles. */
  public List<double[]> results() {
    List<double[]> out = new ArrayList<>();
    step(out);
    return out;
  }

  private double step(List<double[]> copies) {
    try (NDManager scope = manager.newSubManager()) {
      scope.tempAttachAll(in.toArray(new NDArray[0]));
      NDArray loss;
      try (GradientCollector collector = engine.newGradientCollector()) {
        loss = loss(in);
        collector.backward(loss);
      }
      double value = loss.toType(DataType.FLOAT64, false).getDouble();
      if (copies != null) {
        copies.add(new double[] {value});
      }
      for (NDArray param : params) {
        NDArray g = param.getGradient();
        if (copies != null) {
          copies.add(g.toType(DataType.FLOAT64, true).toDoubleArray());
        }
        g.subi(g);
      }
      return value;
    }
  }

  @TearDown
  public void tearDown() {
    manager.close();
  }

  private NDArray array(Object buffer, Shape shape) {
    if (buffer instanceof double[]) {
      return manager.create((double[]) buffer, shape);
    }
    if (buffer instanceof float[]) {
      return manager.create((float[]) buffer, shape);
    }
    return manager.create((long[]) buffer, shape);
  }

  private static long[] longs(int[] dims) {
    long[] d = new long[dims.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = dims[i];
    }
    return d;
  }

  /** {@code mean((a*b + c - d)**2)}. */
  public static class Mse extends DjlState {
    @Override
    protected Workload workload() {
      return Workload.MSE;
    }

    @Override
    protected NDArray loss(List<NDArray> in) {
      return in.get(0).mul(in.get(1)).add(in.get(2)).sub(in.get(3)).square().mean();
    }
  }

  /** {@code mean(softplus(-y * (x @ w)))}. */
  public static class Logistic extends DjlState {
    @Override
    protected Workload workload() {
      return Workload.LOGISTIC;
    }

    @Override
    protected NDArray loss(List<NDArray> in) {
      NDArray margin = in.get(1).neg().mul(in.get(0).matMul(in.get(2)));
      return Activation.softPlus(margin).mean();
    }
  }

  /** The sum of Black-Scholes call prices. */
  public static class BlackScholes extends DjlState {
    @Override
    protected Workload workload() {
      return Workload.BLACK_SCHOLES;
    }

    @Override
    protected NDArray loss(List<NDArray> in) {
      NDArray s = in.get(0);
      NDArray sigma = in.get(1);
      NDArray r = in.get(2);
      NDArray t = in.get(3);
      NDArray k = in.get(4);
      NDArray volTime = sigma.mul(t.sqrt());
      NDArray drift = r.add(sigma.mul(sigma).mul(0.5)).mul(t);
      NDArray d1 = s.div(k).log().add(drift).div(volTime);
      NDArray d2 = d1.sub(volTime);
      NDArray discount = r.mul(t).neg().exp();
      return s.mul(cdf(d1)).sub(k.mul(discount).mul(cdf(d2))).sum();
    }

    private static NDArray cdf(NDArray x) {
      return x.mul(Math.sqrt(0.5)).erf().add(1).mul(0.5);
    }
  }

  /** A two-layer perceptron with cross entropy, f32. */
  public static class Mlp extends DjlState {
    @Override
    protected Workload workload() {
      return Workload.MLP;
    }

    @Override
    protected NDArray loss(List<NDArray> in) {
      NDArray h = Activation.relu(in.get(0).matMul(in.get(1)).add(in.get(2)));
      NDArray logits = h.matMul(in.get(3)).add(in.get(4));
      int classes = (int) logits.getShape().get(1);
      NDArray picked = logits.logSoftmax(1).mul(in.get(5).oneHot(classes)).sum(new int[] {1});
      return picked.mean().neg();
    }
  }
}
