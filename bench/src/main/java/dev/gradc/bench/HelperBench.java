package dev.gradc.bench;

import dev.gradc.bench.baseline.Erf;
import dev.gradc.ir.math.MathF64;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleUnaryOperator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one call of the elementwise helpers kernels copy from {@link MathF64} (gradc's own
 * elementary functions), next to the hand-written baselines' versions: where {@code
 * black_scholes}'s time goes. Arguments are spread like the normal CDF's in that workload.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class HelperBench {
  private static final int CALLS = 1024;

  /** Arguments of the calls. */
  @State(Scope.Thread)
  public static class Arguments {
    double[] x;

    @Setup
    public void setUp() {
      SplittableRandom rnd = new SplittableRandom(5);
      x = new double[CALLS];
      for (int i = 0; i < CALLS; i++) {
        x[i] = rnd.nextDouble(-3, 3);
      }
    }
  }

  @Benchmark
  @OperationsPerInvocation(CALLS)
  public double erfMathF64(Arguments a) {
    return sum(a.x, MathF64::erf);
  }

  @Benchmark
  @OperationsPerInvocation(CALLS)
  public double erfTable(Arguments a) {
    return sum(a.x, Erf::erf);
  }

  /** The sum of {@code f} over {@code x}; each benchmark runs in its own fork, so f inlines. */
  private static double sum(double[] x, DoubleUnaryOperator f) {
    double s = 0;
    for (double v : x) {
      s += f.applyAsDouble(v);
    }
    return s;
  }
}
