package dev.gradc.bench.vector;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The machine's peak floating-point rate on one thread: a loop of independent vector fused
 * multiply-adds (16 chains, more than latency times throughput needs on current x86 and Arm cores),
 * nothing loaded or stored. Each iteration is {@code 16 * lanes} FMAs, {@code 32 * lanes} FLOPs.
 * Compiled apart from the benchmarks (with {@code jdk.incubator.vector}); loaded only by a
 * benchmark whose fork adds the module.
 */
public final class FmaLoops {
  private FmaLoops() {}

  /** FLOPs of one {@link #f32} call of {@code iterations}. */
  public static double flopsF32(int iterations) {
    return 32.0 * FloatVector.SPECIES_PREFERRED.length() * iterations;
  }

  /** FLOPs of one {@link #f64} call of {@code iterations}. */
  public static double flopsF64(int iterations) {
    return 32.0 * DoubleVector.SPECIES_PREFERRED.length() * iterations;
  }

  /** 16 chains {@code c = c * m + a}; {@code m} near 1 keeps the values finite. */
  public static float f32(int iterations, float seed) {
    var s = FloatVector.SPECIES_PREFERRED;
    FloatVector m = FloatVector.broadcast(s, 0.999f);
    FloatVector a = FloatVector.broadcast(s, seed);
    FloatVector c0 = a.add(0f);
    FloatVector c1 = a.add(1f);
    FloatVector c2 = a.add(2f);
    FloatVector c3 = a.add(3f);
    FloatVector c4 = a.add(4f);
    FloatVector c5 = a.add(5f);
    FloatVector c6 = a.add(6f);
    FloatVector c7 = a.add(7f);
    FloatVector c8 = a.add(8f);
    FloatVector c9 = a.add(9f);
    FloatVector c10 = a.add(10f);
    FloatVector c11 = a.add(11f);
    FloatVector c12 = a.add(12f);
    FloatVector c13 = a.add(13f);
    FloatVector c14 = a.add(14f);
    FloatVector c15 = a.add(15f);
    for (int i = 0; i < iterations; i++) {
      c0 = c0.fma(m, a);
      c1 = c1.fma(m, a);
      c2 = c2.fma(m, a);
      c3 = c3.fma(m, a);
      c4 = c4.fma(m, a);
      c5 = c5.fma(m, a);
      c6 = c6.fma(m, a);
      c7 = c7.fma(m, a);
      c8 = c8.fma(m, a);
      c9 = c9.fma(m, a);
      c10 = c10.fma(m, a);
      c11 = c11.fma(m, a);
      c12 = c12.fma(m, a);
      c13 = c13.fma(m, a);
      c14 = c14.fma(m, a);
      c15 = c15.fma(m, a);
    }
    FloatVector sum =
        c0.add(c1)
            .add(c2.add(c3))
            .add(c4.add(c5).add(c6.add(c7)))
            .add(c8.add(c9).add(c10.add(c11)).add(c12.add(c13).add(c14.add(c15))));
    return sum.reduceLanes(VectorOperators.ADD);
  }

  /**
   * {@link #f32} in f64, its twin line for line: Java has no generics over primitives or vector
   * species, and a shared loop over a function would measure the call, not the FMAs.
   */
  public static double f64(int iterations, double seed) {
    var s = DoubleVector.SPECIES_PREFERRED;
    DoubleVector m = DoubleVector.broadcast(s, 0.999);
    DoubleVector a = DoubleVector.broadcast(s, seed);
    DoubleVector c0 = a.add(0.0);
    DoubleVector c1 = a.add(1.0);
    DoubleVector c2 = a.add(2.0);
    DoubleVector c3 = a.add(3.0);
    DoubleVector c4 = a.add(4.0);
    DoubleVector c5 = a.add(5.0);
    DoubleVector c6 = a.add(6.0);
    DoubleVector c7 = a.add(7.0);
    DoubleVector c8 = a.add(8.0);
    DoubleVector c9 = a.add(9.0);
    DoubleVector c10 = a.add(10.0);
    DoubleVector c11 = a.add(11.0);
    DoubleVector c12 = a.add(12.0);
    DoubleVector c13 = a.add(13.0);
    DoubleVector c14 = a.add(14.0);
    DoubleVector c15 = a.add(15.0);
    for (int i = 0; i < iterations; i++) {
      c0 = c0.fma(m, a);
      c1 = c1.fma(m, a);
      c2 = c2.fma(m, a);
      c3 = c3.fma(m, a);
      c4 = c4.fma(m, a);
      c5 = c5.fma(m, a);
      c6 = c6.fma(m, a);
      c7 = c7.fma(m, a);
      c8 = c8.fma(m, a);
      c9 = c9.fma(m, a);
      c10 = c10.fma(m, a);
      c11 = c11.fma(m, a);
      c12 = c12.fma(m, a);
      c13 = c13.fma(m, a);
      c14 = c14.fma(m, a);
      c15 = c15.fma(m, a);
    }
    DoubleVector sum =
        c0.add(c1)
            .add(c2.add(c3))
            .add(c4.add(c5).add(c6.add(c7)))
            .add(c8.add(c9).add(c10.add(c11)).add(c12.add(c13).add(c14.add(c15))));
    return sum.reduceLanes(VectorOperators.ADD);
  }
}
