package dev.gradc.bench;

import dev.gradc.codegen.lib.Gemm;
import dev.gradc.codegen.lib.Matmul;
import dev.gradc.codegen.lib.vector.GemmVector;
import java.util.SplittableRandom;
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
 * The matrix-product routines on one thread at the {@code mlp} workload's shapes: the routine
 * kernels copy today ({@link Matmul}), and the packed GEMM in its scalar form ({@link Gemm}) and
 * its Vector API form ({@link GemmVector}, in a fork with the module), which give the same bits.
 * {@code shape} is {@code DTYPE:NxKxM}, with {@code :At} when A is stored transposed (as the weight
 * gradient {@code x^T @ g} reads it). The report turns times into GFLOP/s ({@code 2 n k m} per
 * call) and compares them with {@link PeakBench}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
public class GemmBench {
  @Param({"f32:256x784x256", "f32:784x256x256:At", "f32:256x256x10", "f64:256x784x256"})
  public String shape;

  private float[] a;
  private float[] b;
  private float[] c;
  private double[] a64;
  private double[] b64;
  private double[] c64;
  private int[] g;

  /** {@code {n, k, m}} of a shape. */
  static int[] dims(String shape) {
    String[] t = shape.split("[:x]", -1);
    return new int[] {Integer.parseInt(t[1]), Integer.parseInt(t[2]), Integer.parseInt(t[3])};
  }

  @Setup
  public void setUp() {
    int[] d = dims(shape);
    int n = d[0];
    int k = d[1];
    int m = d[2];
    boolean transposed = shape.endsWith(":At");
    g = transposed ? new int[] {0, n, k, m, 1, n, m, 1} : new int[] {0, n, k, m, k, 1, m, 1};
    SplittableRandom rnd = new SplittableRandom(3);
    a = new float[n * k];
    b = new float[k * m];
    c = new float[n * m];
    a64 = new double[n * k];
    b64 = new double[k * m];
    c64 = new double[n * m];
    for (int i = 0; i < a.length; i++) {
      a64[i] = rnd.nextDouble(-1, 1);
      a[i] = (float) a64[i];
    }
    for (int i = 0; i < b.length; i++) {
      b64[i] = rnd.nextDouble(-1, 1);
      b[i] = (float) b64[i];
    }
  }

  private boolean f64() {
    return shape.startsWith("f64");
  }

  @Benchmark
  public Object matmul() {
    if (f64()) {
      Matmul.matmulF64(a64, b64, c64, g);
      return c64;
    }
    Matmul.matmulF32(a, b, c, g);
    return c;
  }

  @Benchmark
  public Object gemmScalar() {
    if (f64()) {
      Gemm.matmulF64(a64, b64, c64, g);
      return c64;
    }
    Gemm.matmulF32(a, b, c, g);
    return c;
  }

  @Benchmark
  @Fork(jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
  public Object gemmVector() {
    if (f64()) {
      GemmVector.matmulF64(a64, b64, c64, g);
      return c64;
    }
    GemmVector.matmulF32(a, b, c, g);
    return c;
  }
}
