package dev.gradc.bench;

import dev.gradc.runtime.CompiledFunction;

/** Value and gradients by gradc's compiled vjp ({@code Kernels.compile}). */
public class GradcBench extends VjpBench {
  @Override
  protected CompiledFunction function(WorkloadState s) {
    return s.compiled;
  }
}
