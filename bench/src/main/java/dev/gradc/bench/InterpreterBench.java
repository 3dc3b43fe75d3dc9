package dev.gradc.bench;

import dev.gradc.runtime.CompiledFunction;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Value and gradients by gradc's reference interpreter ({@code Kernels.interpret}) on the same vjp,
 * the floor gradc starts from. It takes up to a second per call at full size: fewer iterations.
 */
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
public class InterpreterBench extends VjpBench {
  @Override
  protected CompiledFunction function(WorkloadState s) {
    return s.interpreted;
  }
}
