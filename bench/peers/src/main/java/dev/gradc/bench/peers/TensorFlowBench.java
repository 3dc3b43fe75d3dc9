package dev.gradc.bench.peers;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;
import org.tensorflow.Result;

/** Value and gradients by TensorFlow Java in graph mode. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TensorFlowBench {
  private static int run(TensorFlowState s) {
    try (Result r = s.run()) {
      return r.size();
    }
  }

  @Benchmark
  public int mse(TensorFlowState.Mse s) {
    return run(s);
  }

  @Benchmark
  public int logistic(TensorFlowState.Logistic s) {
    return run(s);
  }

  @Benchmark
  public int blackScholes(TensorFlowState.BlackScholes s) {
    return run(s);
  }

  @Benchmark
  public int mlp(TensorFlowState.Mlp s) {
    return run(s);
  }

  /** Warmed up as long as gradc's tiny step. */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Warmup(iterations = 8, time = 1)
  public double[] tinyStep(TensorFlowTinyStep s) {
    return s.step();
  }
}
