package dev.gradc.bench.vector;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A read of a {@code double[]} at memory speed: the preferred species' vectors summed into four
 * independent vector accumulators, so neither the adds' latency nor scalar loads bound the loop.
 * Compiled apart from the benchmarks (with {@code jdk.incubator.vector}); loaded only by a
 * benchmark whose fork adds the module.
 */
public final class ReadLoops {
  private ReadLoops() {}

  /** The sum of {@code x}, in an order of its own (four vectors of lanes, then the tail). */
  public static double sum(double[] x) {
    VectorSpecies<Double> s = DoubleVector.SPECIES_PREFERRED;
    int w = s.length();
    DoubleVector a0 = DoubleVector.zero(s);
    DoubleVector a1 = DoubleVector.zero(s);
    DoubleVector a2 = DoubleVector.zero(s);
    DoubleVector a3 = DoubleVector.zero(s);
    int i = 0;
    for (; i + 4 * w <= x.length; i += 4 * w) {
      a0 = a0.add(DoubleVector.fromArray(s, x, i));
      a1 = a1.add(DoubleVector.fromArray(s, x, i + w));
      a2 = a2.add(DoubleVector.fromArray(s, x, i + 2 * w));
      a3 = a3.add(DoubleVector.fromArray(s, x, i + 3 * w));
    }
    double t = a0.add(a1).add(a2.add(a3)).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    for (; i < x.length; i++) {
      t += x[i];
    }
    return t;
  }
}
