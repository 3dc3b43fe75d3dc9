package dev.gradc.runtime;

import dev.gradc.ir.Func;

/**
 * A function ready to run: compiled to fused kernels, or interpreted. Reusable and safe to call
 * from many threads at once.
 *
 * <p>Arguments and results are {@link Buffers} (one Java array per value, row-major) in parameter
 * and result order. Symbolic dims are bound from the argument shapes on every call, so one compiled
 * function serves every batch size.
 */
public interface CompiledFunction {
  /** The function this runs. */
  Func func();

  /**
   * Runs the function. {@code shapes[i]} is the shape of {@code args[i]}; {@code outs} holds one
   * result buffer per result, each allocated when null (the array itself may be null). Returns the
   * result buffers.
   */
  Object[] call(Object[] args, int[][] shapes, Object[] outs);

  /** Runs a function whose parameters all have static shapes. */
  default Object[] call(Object... args) {
    return call(args, Signatures.staticShapes(func()), null);
  }

  /** The shapes of the results for the given argument shapes. */
  default int[][] resultShapes(int[][] shapes) {
    return Signatures.resultShapes(func(), shapes);
  }
}
