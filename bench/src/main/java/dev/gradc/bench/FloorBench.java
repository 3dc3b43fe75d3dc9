package dev.gradc.bench;

import dev.gradc.bench.vector.ReadLoops;
import dev.gradc.ir.Func;
import dev.gradc.runtime.CompiledFunction;
import dev.gradc.runtime.Kernels;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floor of {@code logistic}: one pass that only reads {@code x}, on one thread. Every
 * implementation must read {@code x} at least once, so no value-and-gradient call can beat {@link
 * #readLogisticXVector}, which reads it at memory speed (vector loads into independent vector
 * accumulators). {@link #readLogisticX} sums it as scalars with four accumulators: C2 keeps each in
 * order and does not vectorize them, so it is bound by the adds, not by memory, and is kept as the
 * scalar kernels' floor. PyTorch reads {@code x} twice (one matrix-vector product forward, one
 * backward).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
public class FloorBench {
  @Param({"full"})
  public String size;

  private double[] x;
  private Problem linear;
  private CompiledFunction linearVjp;
  private Object[] linearOuts;

  @Setup
  public void setUp() {
    x = (double[]) Workload.LOGISTIC.problem(Size.parse(size)).args()[0];
    linear = Problems.logistic(Size.parse(size), false);
    Func vjp = linear.vjp();
    linearVjp = Kernels.compile(vjp);
    linearOuts = linear.newOutputs(vjp);
  }

  /**
   * gradc's value and gradient of {@code logistic} with a linear loss ({@code mean(-y * (x @ w))}):
   * the same fused pass over {@code x}, its dot products and gradient sums, without the per-row
   * {@code exp}, {@code log1p} and division; at {@code gradc.threads}, as the workload.
   */
  @Benchmark
  public Object[] logisticLinear() {
    return linearVjp.call(linear.args(), linear.shapes(), linearOuts);
  }

  /** The one-pass floor: {@code x} read at memory speed with the Vector API. */
  @Benchmark
  @Fork(jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
  public double readLogisticXVector() {
    return ReadLoops.sum(x);
  }

  /** Scalar adds, four accumulators: the floor of a scalar read, bound by the adds. */
  @Benchmark
  public double readLogisticX() {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = 0;
    for (; i + 3 < x.length; i += 4) {
      s0 += x[i];
      s1 += x[i + 1];
      s2 += x[i + 2];
      s3 += x[i + 3];
    }
    for (; i < x.length; i++) {
      s0 += x[i];
    }
    return (s0 + s1) + (s2 + s3);
  }
}
