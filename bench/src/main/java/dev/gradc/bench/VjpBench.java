package dev.gradc.bench;

import dev.gradc.runtime.CompiledFunction;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Calls one of gradc's runnable forms of each workload's vjp with caller-provided result buffers;
 * subclasses choose which form.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public abstract class VjpBench {
  protected abstract CompiledFunction function(WorkloadState s);

  private Object[] call(WorkloadState s) {
    return function(s).call(s.args, s.shapes, s.outs);
  }

  @Benchmark
  public Object[] mse(WorkloadState.Mse s) {
    return call(s);
  }

  @Benchmark
  public Object[] logistic(WorkloadState.Logistic s) {
    return call(s);
  }

  @Benchmark
  public Object[] blackScholes(WorkloadState.BlackScholes s) {
    return call(s);
  }

  @Benchmark
  public Object[] mlp(WorkloadState.Mlp s) {
    return call(s);
  }
}
