package dev.gradc.bench.baseline;

/**
 * A hand-written Java version of a workload, bound to its arguments and result buffers when built:
 * each {@link #run} computes the value and every gradient into the result buffers. These are the
 * practical limit a compiled kernel is measured against: one pass over memory where the math allows
 * it, several accumulators for each sum, and the same chunked threading as the runtime.
 */
public interface Baseline {
  void run();
}
