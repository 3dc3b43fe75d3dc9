package dev.gradc.bench;

import dev.gradc.Tensor;
import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import dev.gradc.runtime.Buffers;
import dev.gradc.runtime.CompiledFunction;
import dev.gradc.runtime.Kernels;
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
 * Parts of gradc's {@code tiny_step} ({@link TinyStep}), so the report can say where a step's time
 * goes: recording the five ops, building the same function with the IR builder and calling its vjp
 * through the kernel cache (what backward does once it has walked the graph), and the compiled vjp
 * alone with caller-provided buffers. What a step costs beyond the first two is the walk, the
 * leaves' gradient accumulation, {@code item()} and {@code zero_()}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
public class TinyStepPartsBench {
  /** The leaves, and the compiled vjp with its arguments and result buffers. */
  @State(Scope.Thread)
  public static class Parts {
    Tensor x1;
    Tensor x2;
    CompiledFunction vjp;

    /** x1, x2, and the gradient of z, 1: z has shape [1], so backward seeds it as PyTorch does. */
    final Object[] args = {
      new float[] {(float) TinyStep.X1}, new float[] {(float) TinyStep.X2}, new float[] {1}
    };

    final int[][] shapes = {{1}, {1}, {1}};
    final Object[] outs = {new float[1], new float[1], new float[1]};

    @Setup
    public void setUp() {
      x1 = Tensor.tensor(TinyStep.X1).requiresGrad_();
      x2 = Tensor.tensor(TinyStep.X2).requiresGrad_();
      vjp = Kernels.compileVjp(forward(), true);
    }
  }

  /** {@code z} as the IR builder makes it, with the parameter names capture gives the leaves. */
  static Func forward() {
    Type t = Type.of(DType.F32, 1);
    Builder b = new Builder("backward");
    Value x1 = b.param("x0", t);
    Value x2 = b.param("x1", t);
    b.ret(b.mul(b.add(b.mul(x1, 5), b.mul(x2, 3)), b.add(b.mul(x1, 2), x2)));
    return b.build();
  }

  /** The five recorded ops of a step, without backward. */
  @Benchmark
  public Tensor record(Parts p) {
    return p.x1.mul(5).add(p.x2.mul(3)).mul(p.x1.mul(2).add(p.x2));
  }

  /** A new function of the same ops, its vjp found in the kernel cache, and one call of it. */
  @Benchmark
  public Object[] buildAndCall(Parts p) {
    return Kernels.compileVjp(forward(), true).call(p.args, p.shapes, null);
  }

  /** The compiled vjp alone, writing into caller-provided buffers. */
  @Benchmark
  public Object[] kernel(Parts p) {
    return p.vjp.call(p.args, p.shapes, p.outs);
  }

  /** The value and gradients {@link #kernel} computes, as doubles (for tests). */
  static double[] results(Object[] outs) {
    double[] d = new double[outs.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = Buffers.get(outs[i], 0);
    }
    return d;
  }
}
