package dev.gradc.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Value and gradients by gradc's compiled vjp (Runtime.compile), writing into caller-provided
 * buffers.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GradcBench {
  @Benchmark
  public Object[] mse(WorkloadState.Mse s) {
    return s.compiled.call(s.args, s.shapes, s.outs);
  }

  @Benchmark
  public Object[] logistic(WorkloadState.Logistic s) {
    return s.compiled.call(s.args, s.shapes, s.outs);
  }

  @Benchmark
  public Object[] blackScholes(WorkloadState.BlackScholes s) {
    return s.compiled.call(s.args, s.shapes, s.outs);
  }

  @Benchmark
  public Object[] mlp(WorkloadState.Mlp s) {
    return s.compiled.call(s.args, s.shapes, s.outs);
  }
}
