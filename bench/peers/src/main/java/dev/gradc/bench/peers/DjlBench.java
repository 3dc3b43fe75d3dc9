package dev.gradc.bench.peers;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/** Value and gradients by DJL with the PyTorch engine. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class DjlBench {
  private static double run(DjlState s) {
    return s.step();
  }

  @Benchmark
  public double mse(DjlState.Mse s) {
    return run(s);
  }

  @Benchmark
  public double logistic(DjlState.Logistic s) {
    return run(s);
  }

  @Benchmark
  public double blackScholes(DjlState.BlackScholes s) {
    return run(s);
  }

  @Benchmark
  public double mlp(DjlState.Mlp s) {
    return run(s);
  }

  /** Warmed up as long as gradc's tiny step. */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Warmup(iterations = 8, time = 1)
  public double[] tinyStep(DjlTinyStep s) {
    return s.step();
  }
}
