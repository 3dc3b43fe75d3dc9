package dev.gradc.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/** Value and gradients by the hand-written Java of {@link dev.gradc.bench.baseline}. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class HandWrittenBench {
  @Benchmark
  public Object[] mse(WorkloadState.Mse s) {
    s.handWritten.run();
    return s.outs;
  }

  @Benchmark
  public Object[] logistic(WorkloadState.Logistic s) {
    s.handWritten.run();
    return s.outs;
  }

  @Benchmark
  public Object[] blackScholes(WorkloadState.BlackScholes s) {
    s.handWritten.run();
    return s.outs;
  }

  @Benchmark
  public Object[] mlp(WorkloadState.Mlp s) {
    s.handWritten.run();
    return s.outs;
  }
}
