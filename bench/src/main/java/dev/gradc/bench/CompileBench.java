package dev.gradc.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
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
 * Issue 7's {@code compile}: milliseconds from the source of {@code examples/black_scholes.grad}
 * (packaged with the benchmarks) to the first results of its loaded value-and-gradient kernel, on
 * {@value #OPTIONS} options. {@link #cold} is the first time in a fresh JVM (one shot per fork, so
 * class loading and the bytecode interpreter's pace are in it); {@link #warm} repeats the whole way
 * in one JVM once the compiler itself is compiled (it takes several seconds of warm-up to get
 * there).
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CompileBench {
  /** The file name the program is parsed under; it names the function {@code @black_scholes}. */
  static final String FILE = "black_scholes.grad";

  /** How many options the first call prices: small, so the call adds little to the compile. */
  static final int OPTIONS = 16;

  /**
   * The source text and the arguments of the first call, in parameter order (S, sigma, r, T, K), as
   * plain arrays: making them touches none of gradc's classes.
   */
  @State(Scope.Benchmark)
  public static class Source {
    String text;
    Object[] args;
    int[][] shapes;

    @Setup
    public void setUp() {
      text = read(FILE);
      SplittableRandom rnd = new SplittableRandom(11);
      double[] s = new double[OPTIONS];
      double[] sigma = new double[OPTIONS];
      double[] t = new double[OPTIONS];
      double[] k = new double[OPTIONS];
      for (int i = 0; i < OPTIONS; i++) {
        s[i] = rnd.nextDouble(50, 150);
        sigma[i] = rnd.nextDouble(0.1, 0.5);
        t[i] = rnd.nextDouble(0.25, 2);
        k[i] = rnd.nextDouble(50, 150);
      }
      args = new Object[] {s, sigma, new double[] {0.03}, t, k};
      int[] vector = {OPTIONS};
      shapes = new int[][] {vector, vector, {}, vector, vector};
    }
  }

  /** The first compile and call in a fresh JVM: one shot in each of several forks. */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @Fork(10)
  @Warmup(iterations = 0)
  @Measurement(iterations = 1)
  public Object[] cold(Source s) {
    return SourceToKernel.run(FILE, s.text, s.args, s.shapes);
  }

  /** The same, repeated in one JVM: a new parse, vjp and hidden class every time. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @Fork(1)
  @Warmup(iterations = 8, time = 1)
  @Measurement(iterations = 5, time = 1)
  public Object[] warm(Source s) {
    return SourceToKernel.run(FILE, s.text, s.args, s.shapes);
  }

  /** A UTF-8 resource beside this class. */
  static String read(String name) {
    try (InputStream in = CompileBench.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is not packaged with the benchmarks");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
