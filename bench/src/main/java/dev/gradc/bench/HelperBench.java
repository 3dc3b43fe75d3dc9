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
import org.openjdk.jmh.annotations.Param;
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

  /**
   * Arguments of the calls, of either sign, with magnitudes in {@code range}: {@code spread} as in
   * {@code black_scholes} (up to 3), or one of the pieces of {@link MathF64#erf}: {@code small}
   * (below 0.84375: one polynomial in {@code x^2}), {@code near1} (to 1.25: one polynomial in
   * {@code |x| - 1}), {@code tail} (1.25 to 6: {@code 1 - T(|x|)}, one of six polynomials of degree
   * 15 for {@code erfc} to an ulp of 1).
   */
  @State(Scope.Thread)
  public static class Arguments {
    @Param({"spread", "small", "near1", "tail"})
    public String range;

    double[] x;

    @Setup
    public void setUp() {
      double lo;
      double hi;
      switch (range) {
        case "small" -> {
          lo = 0;
          hi = 0.84;
        }
        case "near1" -> {
          lo = 0.85;
          hi = 1.24;
        }
        case "tail" -> {
          lo = 1.25;
          hi = 6;
        }
        default -> {
          lo = 0;
          hi = 3;
        }
      }
      SplittableRandom rnd = new SplittableRandom(5);
      x = new double[CALLS];
      for (int i = 0; i < CALLS; i++) {
        x[i] = rnd.nextDouble(lo, hi) * (rnd.nextBoolean() ? 1 : -1);
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

  /** gradc's {@code exp} (the arguments' spread does not change its path). */
  @Benchmark
  @OperationsPerInvocation(CALLS)
  public double expMathF64(Arguments a) {
    return sum(a.x, MathF64::exp);
  }

  /** gradc's {@code log1p}, at {@code 1 + |x|} ({@code logistic}'s per-row {@code log1p(e^m)}). */
  @Benchmark
  @OperationsPerInvocation(CALLS)
  public double log1pMathF64(Arguments a) {
    return sum(a.x, v -> MathF64.log1p(Math.abs(v)));
  }

  /** The JDK's {@code exp}, a C2 intrinsic on x86. */
  @Benchmark
  @OperationsPerInvocation(CALLS)
  public double expJdk(Arguments a) {
    return sum(a.x, Math::exp);
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
