package dev.gradc.bench;

import dev.gradc.bench.vector.FmaLoops;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The single-thread peak: independent fused multiply-adds and nothing else, as vectors (the
 * preferred species, with {@code jdk.incubator.vector}) and as scalars ({@code Math.fma}, what code
 * without the module can reach at best without C2's auto-vectorization). One operation is one FLOP,
 * so JMH's score in ops/ns is GFLOP/s; the matrix products' rates are compared with it.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PeakBench {
  /** FLOPs per call: a multiple of every vector width's FLOPs per loop iteration. */
  static final int FLOPS = 1 << 24;

  @Benchmark
  @Fork(jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
  @OperationsPerInvocation(FLOPS)
  public float vectorF32() {
    return FmaLoops.f32((int) (FLOPS / FmaLoops.flopsF32(1)), 1f);
  }

  @Benchmark
  @Fork(jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
  @OperationsPerInvocation(FLOPS)
  public double vectorF64() {
    return FmaLoops.f64((int) (FLOPS / FmaLoops.flopsF64(1)), 1.0);
  }

  @Benchmark
  @OperationsPerInvocation(FLOPS)
  public float scalarF32() {
    float m = 0.999f;
    float a = 1f;
    float c0 = 0f;
    float c1 = 1f;
    float c2 = 2f;
    float c3 = 3f;
    float c4 = 4f;
    float c5 = 5f;
    float c6 = 6f;
    float c7 = 7f;
    for (int i = 0; i < FLOPS / 16; i++) {
      c0 = Math.fma(c0, m, a);
      c1 = Math.fma(c1, m, a);
      c2 = Math.fma(c2, m, a);
      c3 = Math.fma(c3, m, a);
      c4 = Math.fma(c4, m, a);
      c5 = Math.fma(c5, m, a);
      c6 = Math.fma(c6, m, a);
      c7 = Math.fma(c7, m, a);
    }
    return c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7;
  }

  /**
   * {@link #scalarF32} in f64, its twin line for line: Java has no primitive generics, and the
   * eight chains must stay in registers.
   */
  @Benchmark
  @OperationsPerInvocation(FLOPS)
  public double scalarF64() {
    double m = 0.999;
    double a = 1;
    double c0 = 0;
    double c1 = 1;
    double c2 = 2;
    double c3 = 3;
    double c4 = 4;
    double c5 = 5;
    double c6 = 6;
    double c7 = 7;
    for (int i = 0; i < FLOPS / 16; i++) {
      c0 = Math.fma(c0, m, a);
      c1 = Math.fma(c1, m, a);
      c2 = Math.fma(c2, m, a);
      c3 = Math.fma(c3, m, a);
      c4 = Math.fma(c4, m, a);
      c5 = Math.fma(c5, m, a);
      c6 = Math.fma(c6, m, a);
      c7 = Math.fma(c7, m, a);
    }
    return c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7;
  }
}
