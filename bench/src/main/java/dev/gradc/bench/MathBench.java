package dev.gradc.bench;

import dev.gradc.bench.vector.MathLoops;
import dev.gradc.ir.math.MathF64;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
 * Nanoseconds per element of gradc's elementary functions over an array of {@link #N} arguments
 * spread over each function's pieces: the scalar kernels ({@code MathF64}, what the scalar backend
 * and the interpreter run), their Vector API forms ({@code MathVector}, same bits, in forks with
 * {@code jdk.incubator.vector}), and the JDK's {@code Math} function where there is one (an
 * intrinsic whose bits may differ between machines; {@code sigmoid} as {@code 1 / (1 + e^-x)}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Thread)
public class MathBench {
  static final int N = 4096;

  @Param({"exp", "expm1", "log", "log1p", "sigmoid", "tanh", "erf", "erfc", "sin", "cos"})
  public String name;

  double[] in = new double[N];
  double[] out = new double[N];

  @Setup
  public void setUp() {
    SplittableRandom rnd = new SplittableRandom(11);
    double lo;
    double hi;
    switch (name) {
      case "exp" -> {
        lo = -20;
        hi = 20;
      }
      case "expm1" -> {
        lo = -2;
        hi = 2;
      }
      case "log" -> {
        lo = 0x1p-10;
        hi = 100;
      }
      case "log1p" -> {
        lo = -0.5;
        hi = 10;
      }
      case "erf" -> {
        lo = -4;
        hi = 4;
      }
      case "erfc" -> {
        lo = -4;
        hi = 10;
      }
      default -> {
        lo = -10;
        hi = 10;
      }
    }
    for (int i = 0; i < N; i++) {
      in[i] = rnd.nextDouble(lo, hi);
    }
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public double[] scalar() {
    switch (name) {
      case "exp" -> {
        for (int i = 0; i < N; i++) {
          out[i] = MathF64.exp(in[i]);
        }
      }
      case "expm1" -> {
        for (int i = 0; i < N; i++) {
          out[i] = MathF64.expm1(in[i]);
        }
      }
      case "log" -> {
        for (int i = 0; i < N; i++) {
          out[i] = MathF64.log(in[i]);
        }
      }
      case "log1p" -> {
        for (int i = 0; i < N; i++) {
          out[i] = MathF64.log1p(in[i]);
        }
      }
      case "sigmoid" -> {
        for (int i = 0; i < N; i++) {
          out[i] = MathF64.sigmoid(in[i]);
        }
      }
      case "tanh" -> {
        for (int i = 0; i < N; i++) {
          out[i] = MathF64.tanh(in[i]);
        }
      }
      case "erf" -> {
        for (int i = 0; i < N; i++) {
          out[i] = MathF64.erf(in[i]);
        }
      }
      case "erfc" -> {
        for (int i = 0; i < N; i++) {
          out[i] = MathF64.erfc(in[i]);
        }
      }
      case "sin" -> {
        for (int i = 0; i < N; i++) {
          out[i] = MathF64.sin(in[i]);
        }
      }
      case "cos" -> {
        for (int i = 0; i < N; i++) {
          out[i] = MathF64.cos(in[i]);
        }
      }
      default -> throw new IllegalArgumentException(name);
    }
    return out;
  }

  @Benchmark
  @Fork(jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
  @OperationsPerInvocation(N)
  public double[] vector() {
    MathLoops.apply(name, in, out);
    return out;
  }

  /** The JDK's function; erf and erfc have none, and measure an empty loop. */
  @Benchmark
  @OperationsPerInvocation(N)
  public double[] jdk() {
    switch (name) {
      case "exp" -> {
        for (int i = 0; i < N; i++) {
          out[i] = Math.exp(in[i]);
        }
      }
      case "expm1" -> {
        for (int i = 0; i < N; i++) {
          out[i] = Math.expm1(in[i]);
        }
      }
      case "log" -> {
        for (int i = 0; i < N; i++) {
          out[i] = Math.log(in[i]);
        }
      }
      case "log1p" -> {
        for (int i = 0; i < N; i++) {
          out[i] = Math.log1p(in[i]);
        }
      }
      case "sigmoid" -> {
        for (int i = 0; i < N; i++) {
          out[i] = 1 / (1 + Math.exp(-in[i]));
        }
      }
      case "tanh" -> {
        for (int i = 0; i < N; i++) {
          out[i] = Math.tanh(in[i]);
        }
      }
      case "sin" -> {
        for (int i = 0; i < N; i++) {
          out[i] = Math.sin(in[i]);
        }
      }
      case "cos" -> {
        for (int i = 0; i < N; i++) {
          out[i] = Math.cos(in[i]);
        }
      }
      default -> System.arraycopy(in, 0, out, 0, N);
    }
    return out;
  }
}
