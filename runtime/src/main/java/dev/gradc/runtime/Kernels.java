package dev.gradc.runtime;

import dev.gradc.ir.Func;

/**
 * The entry point the frontend and the command line use: turns a {@link Func} into a reusable
 * {@link CompiledFunction} through the kernel cache.
 */
public final class Kernels {
  private Kernels() {}

  private static final KernelCache CACHE = new KernelCache(CompiledKernel::compile);

  /** Compiles {@code f}, or returns the cached compilation of a structurally identical function. */
  public static CompiledFunction compile(Func f) {
    return CACHE.get(f);
  }

  /** Runs {@code f} on the reference interpreter, with the same calling convention. */
  public static CompiledFunction interpret(Func f) {
    return new InterpretedFunction(f);
  }

  /** The process-wide kernel cache (for its counters). */
  public static KernelCache cache() {
    return CACHE;
  }
}
