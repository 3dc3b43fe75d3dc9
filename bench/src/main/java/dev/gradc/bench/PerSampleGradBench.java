package dev.gradc.bench;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.Op;
import dev.gradc.ir.Param;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import dev.gradc.ir.ad.Transforms;
import dev.gradc.ir.ad.Vmap;
import dev.gradc.runtime.CompiledFunction;
import dev.gradc.runtime.Kernels;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-sample gradients of an MLP (relu or tanh) with a cross-entropy loss ({@code in -> hidden ->
 * classes}, f32): {@code vmap(grad(loss), in_dims=(None, None, None, None, 0, 0))} over a batch,
 * rewritten in the IR and compiled as one function, the same problem as {@code
 * bench/pytorch_per_sample.py} runs with {@code functorch}. {@code bench/per_sample.sh} runs both
 * and prints the ratio.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class PerSampleGradBench {
  /** The problem, compiled, with its arguments. */
  @State(Scope.Benchmark)
  public static class Problem {
    @org.openjdk.jmh.annotations.Param({"256"})
    public int batch;

    /** {@code in x hidden x classes}. */
    @org.openjdk.jmh.annotations.Param({"32x64x10"})
    public String sizes;

    /** The hidden layer's activation, {@code relu} or {@code tanh}. */
    @org.openjdk.jmh.annotations.Param({"relu", "tanh"})
    public String activation;

    public CompiledFunction perSample;
    public Object[] args;

    @Setup
    public void setUp() {
      int[] s = Arrays.stream(sizes.split("x", -1)).mapToInt(Integer::parseInt).toArray();
      perSample = Kernels.compile(perSampleGradients(s[0], s[1], s[2], batch, activation));
      SplittableRandom rng = new SplittableRandom(0);
      args =
          new Object[] {
            normal(rng, s[0] * s[1], 0.3),
            new float[s[1]],
            normal(rng, s[1] * s[2], 0.3),
            new float[s[2]],
            normal(rng, batch * s[0], 1),
            oneHot(rng, batch, s[2])
          };
    }
  }

  @Benchmark
  public Object[] gradc(Problem p) {
    return p.perSample.call(p.args);
  }

  /**
   * The per-sample gradients of the MLP's loss (hidden layer {@code activation}) with respect to
   * {@code w1, b1, w2, b2}, for a batch of {@code batch} examples {@code x} (rows) with one-hot
   * labels {@code y}.
   */
  public static Func perSampleGradients(
      int in, int hidden, int classes, int batch, String activation) {
    Builder b = new Builder("mlp_loss");
    Param w1 = b.input("w1", Type.of(DType.F32, in, hidden));
    Param b1 = b.input("b1", Type.of(DType.F32, hidden));
    Param w2 = b.input("w2", Type.of(DType.F32, hidden, classes));
    Param b2 = b.input("b2", Type.of(DType.F32, classes));
    Param x = b.input("x", Type.of(DType.F32, in));
    Param y = b.input("y", Type.of(DType.F32, classes));
    Op act =
        switch (activation) {
          case "relu" -> Op.RELU;
          case "tanh" -> Op.TANH;
          default -> throw new IllegalArgumentException("activation " + activation);
        };
    Value h = b.unary(act, b.add(b.matmul(x, w1), b1));
    Value logits = b.add(b.matmul(h, w2), b2);
    b.ret(b.neg(b.sum(b.mul(b.logSoftmax(logits, 0), y))));
    Func grad = Transforms.grad(b.build(), 0, 1, 2, 3);
    return Vmap.vmap(
        grad, Arrays.asList(null, null, null, null, 0, 0), List.of(0, 0, 0, 0), Dim.of(batch));
  }

  private static float[] normal(SplittableRandom rng, int n, double scale) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (scale * gaussian(rng));
    }
    return a;
  }

  private static double gaussian(SplittableRandom rng) {
    double u = rng.nextDouble();
    double v = rng.nextDouble();
    return Math.sqrt(-2 * Math.log1p(-u)) * Math.cos(2 * Math.PI * v);
  }

  private static float[] oneHot(SplittableRandom rng, int rows, int classes) {
    float[] a = new float[rows * classes];
    for (int r = 0; r < rows; r++) {
      a[r * classes + rng.nextInt(classes)] = 1;
    }
    return a;
  }
}
