package dev.gradc.runtime;

import dev.gradc.ir.Func;

/**
 * The entry point the frontend and the command line use: turns a {@link Func} into a reusable
 * {@link CompiledFunction} through the kernel cache.
 */
public final class Runtime {
  private Runtime() {}

  /** Compiles {@code f} (or returns the cached compilation of an identical function). */
  public static CompiledFunction compile(Func f) {
    // Until codegen lands, every function runs on the reference interpreter.
    return new InterpretedFunction(f);
  }

  /** Runs {@code f} on the reference interpreter, with the same calling convention. */
  public static CompiledFunction interpret(Func f) {
    return new InterpretedFunction(f);
  }
}
